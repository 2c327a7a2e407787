// Verifies an archive's chain: every hash recomputed, every link followed, the head
// matched. Names the first broken record and why: edited, removed or reordered.

import { GENESIS, recordHash, type LedgerHead } from "./ledger.js";
import type { SealedRecord } from "./record.js";

export interface StoredLine {
  /** Where the line lives, e.g. records/2026/11/02.jsonl:3 */
  location: string;
  text: string;
}

export type VerifyResult =
  | { ok: true; count: number; head: string }
  | { ok: false; count: number; location: string; id: string | null; problem: "edited" | "removed" | "reordered" | "unreadable" | "duplicated" | "truncated"; detail: string };

export function verifyChain(lines: StoredLine[], head: LedgerHead | null): VerifyResult {
  const parsed: Array<{ line: StoredLine; record: SealedRecord | null }> = lines.map((line) => {
    try {
      return { line, record: JSON.parse(line.text) as SealedRecord };
    } catch {
      return { line, record: null };
    }
  });
  const allHashes = new Map<string, number>();
  parsed.forEach((p, i) => p.record && allHashes.set(p.record.hash, i));
  const seenIds = new Set<string>();
  let prev = GENESIS;
  for (let i = 0; i < parsed.length; i++) {
    const { line, record } = parsed[i]!;
    if (!record) return { ok: false, count: i, location: line.location, id: null, problem: "unreadable", detail: "the line is not valid JSON" };
    if (recordHash(record) !== record.hash) {
      return { ok: false, count: i, location: line.location, id: record.id, problem: "edited", detail: "its content does not match its hash: the record was changed after it was sealed" };
    }
    if (record.prev !== prev) {
      const at = allHashes.get(record.prev);
      const reordered = at !== undefined && at > i;
      const wasExpectedLater = parsed.slice(i + 1).some((p) => p.record?.prev === prev);
      return {
        ok: false,
        count: i,
        location: line.location,
        id: record.id,
        problem: reordered || wasExpectedLater ? "reordered" : "removed",
        detail: reordered || wasExpectedLater
          ? "it links to a record that is not the one before it: records were reordered"
          : `it links to ${record.prev.slice(0, 12)}…, which is not in the archive: the record before it was removed`,
      };
    }
    if (seenIds.has(record.id)) return { ok: false, count: i, location: line.location, id: record.id, problem: "duplicated", detail: "the same change is recorded twice" };
    seenIds.add(record.id);
    prev = record.hash;
  }
  if (head && (head.hash !== prev || head.count !== parsed.length)) {
    return {
      ok: false,
      count: parsed.length,
      location: "head.json",
      id: head.lastId,
      problem: "truncated",
      detail: `head.json says ${head.count} records ending in ${head.hash.slice(0, 12)}…, the files hold ${parsed.length} ending in ${prev.slice(0, 12)}…: records were removed from the end`,
    };
  }
  return { ok: true, count: parsed.length, head: prev };
}
