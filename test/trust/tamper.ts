// What an insider with write access to the archive can do to its files: edit, delete,
// reorder or truncate records and re-seal every hash after them so the chain is
// self-consistent again. Works on a path → text map (a local directory or a git tree).

import { GENESIS, HEAD_FILE, recordHash, type LedgerHead } from "../../src/evidence/ledger.js";
import type { SealedRecord } from "../../src/evidence/record.js";
import { canonicalJson } from "../../src/canonical-json.js";
import { buildDirectPushRecord, type EvidenceRecord } from "../../src/evidence/record.js";

/** A direct-push record #n collected on `day` (the attack suites' archive holds six). */
export function pushRecord(n: number, day = "2026-11-02"): EvidenceRecord {
  return buildDirectPushRecord({
    push: { repository: "acme/api", ref: "refs/heads/main", before: "0".repeat(40), after: n.toString(16).padStart(40, "d"), forced: false, pusher: `dev${n}`, commits: [{ id: n.toString(16).padStart(40, "d"), message: `change ${n}`, author: { username: `dev${n}` } }] },
    branchRules: null,
    configHash: "c".repeat(64),
    meta: { deliveryId: `delivery-${n}`, appVersion: "0.1.0", collectedAt: `${day}T12:0${n % 10}:00.000Z` },
  });
}


type Entry = { shard: string; record: SealedRecord };

function entries(files: Map<string, string>): Entry[] {
  return [...files.keys()]
    .filter((p) => p.startsWith("records/") && p.endsWith(".jsonl"))
    .sort()
    .flatMap((shard) => files.get(shard)!.split("\n").filter(Boolean).map((l) => ({ shard, record: JSON.parse(l) as SealedRecord })));
}

/** Re-seals every record in order and writes shards and head.json back (head.json dropped with withHead: false). */
function write(files: Map<string, string>, list: Entry[], options: { reseal?: boolean; withHead?: boolean } = {}): void {
  let prev = GENESIS;
  for (const e of list) {
    if (options.reseal ?? true) {
      const { hash: _h, ...rest } = e.record;
      const linked = { ...rest, prev } as SealedRecord;
      e.record = { ...linked, hash: recordHash(linked) };
    }
    prev = e.record.hash;
  }
  for (const p of [...files.keys()]) if (p.startsWith("records/")) files.delete(p);
  for (const e of list) files.set(e.shard, `${files.get(e.shard) ?? ""}${canonicalJson(e.record)}\n`);
  const last = list.at(-1)?.record;
  if (options.withHead ?? true) {
    const head: LedgerHead = { hash: last?.hash ?? GENESIS, count: list.length, lastId: last?.id ?? null, updatedAt: "2026-11-30T00:00:00.000Z" };
    files.set(HEAD_FILE, `${JSON.stringify(head, null, 2)}\n`);
  } else files.delete(HEAD_FILE);
}

export const tamper = {
  /** Changes record #n (1-based) and re-seals it and everything after it. */
  editAndReseal(files: Map<string, string>, n: number, edit: (r: SealedRecord) => void): void {
    const list = entries(files);
    edit(list[n - 1]!.record);
    write(files, list);
  },
  deleteAndReseal(files: Map<string, string>, n: number): void {
    const list = entries(files);
    list.splice(n - 1, 1);
    write(files, list);
  },
  /** Swaps records #n and #n+1 (and their shards' places) and re-seals. */
  reorder(files: Map<string, string>, n: number): void {
    const list = entries(files);
    const a = list[n - 1]!;
    const b = list[n]!;
    [a.record, b.record] = [b.record, a.record];
    write(files, list);
  },
  /** Drops the last `k` records; head.json rewritten to match, or deleted. */
  truncate(files: Map<string, string>, k: number, withHead: boolean): void {
    const list = entries(files);
    write(files, list.slice(0, list.length - k), { reseal: false, withHead });
  },
};
