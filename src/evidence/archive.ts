// Where sealed records live. Two writers share the layout: a local directory (development,
// tests, the demo) and the organization's archive repository on GitHub.

import type { EvidenceRecord, SealedRecord } from "./record.js";
import type { LedgerHead } from "./ledger.js";
import type { StoredLine } from "./verify.js";

export interface AppendResult {
  written: SealedRecord[];
  /** Ids already in the archive (a redelivered webhook, a re-run): nothing new written. */
  duplicates: string[];
}

export interface EvidenceArchive {
  /** Human-readable location, for logs and the check run. */
  readonly description: string;
  append(records: EvidenceRecord[]): Promise<AppendResult>;
  has(id: string): Promise<boolean>;
  /** Every stored line in chain order, and the head. */
  read(): Promise<{ lines: StoredLine[]; head: LedgerHead | null }>;
}

/** The archive cannot take records now (missing repository, no permission, GitHub down). */
export class ArchiveUnavailableError extends Error {
  constructor(
    message: string,
    readonly reason: "missing" | "forbidden" | "unreachable",
  ) {
    super(message);
  }
}

/**
 * What the writers call so records are signed where they are sealed (src/trust/record-signer.ts):
 * key ids stamped before sealing, attestation lines written in the same commit as the
 * records, and the new ledger head handed on after the commit (for checkpoints).
 */
export interface RecordSigner {
  stamp(record: EvidenceRecord): EvidenceRecord;
  /** One line per envelope for attestations/YYYY/MM/DD.jsonl. */
  attest(sealed: SealedRecord[]): string[];
  committed(head: LedgerHead): void;
}
