// The RecordSigner the archive writers call: stamps key ids into each record before it is
// sealed, signs each sealed record's attestations (change statement + Source VSA), and
// hands each committed ledger head to whoever anchors checkpoints. Pure apart from the
// callback it is given.

import type { RecordSigner } from "../evidence/archive.js";
import type { LedgerHead } from "../evidence/ledger.js";
import type { EvidenceRecord, SealedRecord } from "../evidence/record.js";
import { attestRecord } from "./attestation.js";
import type { SigningKey } from "./signing-key.js";

export class AppRecordSigner implements RecordSigner {
  constructor(
    private readonly key: SigningKey,
    private readonly fingerprintKeyId: string,
    private readonly onCommitted: (head: LedgerHead) => void = () => undefined,
    /** Web base for subject URIs; by default each record's own (its PR link's origin). */
    private readonly serverUrl?: string,
  ) {}

  stamp(record: EvidenceRecord): EvidenceRecord {
    return { ...record, keyIds: { signing: this.key.keyId, fingerprint: this.fingerprintKeyId } };
  }

  attest(sealed: SealedRecord[]): string[] {
    return sealed.flatMap((record) => attestRecord(record, this.key, this.serverUrl).map((envelope) => JSON.stringify(envelope)));
  }

  committed(head: LedgerHead): void {
    this.onCommitted(head);
  }
}
