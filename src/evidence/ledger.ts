// The hash chain: each record carries the previous record's hash (`prev`) and its own
// (`hash`, SHA-256 of its canonical JSON without `hash`). Editing, removing or
// reordering any record breaks every link after it.

import { canonicalJson, sha256Hex } from "../canonical-json.js";
import type { EvidenceRecord, SealedRecord } from "./record.js";

export const GENESIS = "0".repeat(64);

export function recordHash(record: EvidenceRecord & { prev: string }): string {
  const { hash: _ignored, ...rest } = record as SealedRecord;
  return sha256Hex(canonicalJson(rest));
}

export function seal(record: EvidenceRecord, prev: string): SealedRecord {
  const linked = { ...record, prev };
  return { ...linked, hash: recordHash(linked) };
}

/** Seals records in order onto a chain whose last hash is `head`. */
export function sealAll(records: EvidenceRecord[], head: string): SealedRecord[] {
  const sealed: SealedRecord[] = [];
  let prev = head;
  for (const record of records) {
    const s = seal(record, prev);
    sealed.push(s);
    prev = s.hash;
  }
  return sealed;
}

/** One line of a shard file: canonical JSON, so the stored bytes are what was hashed. */
export function serialiseRecord(record: SealedRecord): string {
  return canonicalJson(record);
}

/** Day shard for records appended at `at`: records/YYYY/MM/DD.jsonl (UTC). */
export function shardPath(at: Date): string {
  const iso = at.toISOString();
  return `records/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}.jsonl`;
}

export interface LedgerHead {
  hash: string;
  count: number;
  lastId: string | null;
  updatedAt: string;
}

export const HEAD_FILE = "head.json";
