// The ids whose records are in the chain: every line re-hashed and linked from the
// genesis, up to the first broken link. "Already recorded" means this, never that some
// other file (a marker, an index) says so. Pure.

import { GENESIS, recordHash } from "./ledger.js";
import type { SealedRecord } from "./record.js";
import type { StoredLine } from "./verify.js";

export function idsInChain(lines: StoredLine[]): Set<string> {
  const ids = new Set<string>();
  let prev = GENESIS;
  for (const line of lines) {
    let record: SealedRecord;
    try {
      record = JSON.parse(line.text) as SealedRecord;
    } catch {
      break;
    }
    if (record.prev !== prev || recordHash(record) !== record.hash) break;
    ids.add(record.id);
    prev = record.hash;
  }
  return ids;
}
