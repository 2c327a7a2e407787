// What the pages say about signatures, in plain words, from the trust API (src/trust/)
// run at the moment the page is asked for: the checkpoint that covers a record, the
// record's attestation, the whole archive against the pinned key. Pure: the sources are
// read at the edges (TrustSources, attestation lines).

import type { KeyObject } from "node:crypto";
import type { SealedRecord } from "../evidence/record.js";
import type { StoredLine } from "../evidence/verify.js";
import { asEnvelope } from "../trust/dsse.js";
import { CHANGE_PREDICATE_TYPE, VSA_PREDICATE_TYPE, verifyAttestation, type ChangePredicate, type Statement } from "../trust/attestation.js";
import { formatFingerprint } from "../trust/signing-key.js";
import type { ArchiveVerification, CheckpointFinding } from "../trust/verify-archive.js";

const short = (hash: string): string => `${hash.slice(0, 16)}…`;

/** The smallest authentic checkpoint that agrees with the chain and covers record `position` (1-based). */
export function coveringCheckpoint(verification: ArchiveVerification, position: number): CheckpointFinding | null {
  let best: CheckpointFinding | null = null;
  for (const f of verification.checkpoints) {
    if (f.status !== "ok" || !f.checkpoint || f.checkpoint.count < position) continue;
    if (!best || f.checkpoint.count < best.checkpoint!.count) best = f;
  }
  return best;
}

export function describeCovering(verification: ArchiveVerification, position: number): string {
  const f = coveringCheckpoint(verification, position);
  if (f) {
    const cp = f.checkpoint!;
    return `checkpoint of ${cp.count} records (this is record ${position}), chain head ${short(cp.head)}, signed ${cp.time} by key ${formatFingerprint(cp.keyId)} — signature verified now, and the chain's first ${cp.count} records still end in that head (${f.location})`;
  }
  const disagreeing = verification.checkpoints.find((c) => c.status !== "ok" && (c.checkpoint?.count ?? Number.POSITIVE_INFINITY) >= position);
  if (disagreeing) return `NO authentic checkpoint agrees: ${disagreeing.location}: ${disagreeing.status} — ${disagreeing.detail}`;
  return `not covered by a signed checkpoint yet: the chain holds ${verification.records} records, the latest checkpoint that agrees covers ${verification.covered} (the app signs one within a minute of an archive commit)`;
}

function unverifiedStatement(text: string): Statement | null {
  const envelope = asEnvelope(text);
  if (!envelope) return null;
  try {
    return JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as Statement;
  } catch {
    return null;
  }
}

/** The record's attestation (in-toto statement and SLSA VSA) in its day's attestation file, checked now under the key. */
export function describeAttestation(record: SealedRecord, lines: StoredLine[], publicKey: KeyObject | null): string {
  const signingKey = record.keyIds?.signing ?? null;
  const mine = lines.filter((l) => {
    const statement = unverifiedStatement(l.text);
    if (!statement) return false;
    if (statement.predicateType === CHANGE_PREDICATE_TYPE) return (statement.predicate as unknown as ChangePredicate).record?.hash === record.hash;
    return statement.predicateType === VSA_PREDICATE_TYPE && JSON.stringify(statement.predicate).includes(`"soc2-guard:record:${record.id}"`);
  });
  if (mine.length === 0) {
    return signingKey
      ? `MISSING: the record names signing key ${formatFingerprint(signingKey)}, but no attestation carrying its hash is in its day's attestation file — it was changed or put here after the app signed it`
      : "none: this record was written before the app signed records (no signing key id in it)";
  }
  if (!publicKey) return `${mine.length} attestation(s) found; not checked here: no signing key is configured`;
  const checks = mine.map((l) => ({ line: l, check: verifyAttestation(l.text, publicKey) }));
  const bad = checks.find((c) => !c.check.ok);
  if (bad && !bad.check.ok) return `DOES NOT VERIFY: ${bad.line.location}: ${bad.check.problem} — ${bad.check.detail}`;
  const kinds = checks.map((c) => (c.check.ok && c.check.statement.predicateType === VSA_PREDICATE_TYPE ? "SLSA Source VSA" : "change-review statement")).join(" and ");
  const keyid = checks[0]!.check.ok ? (checks[0]!.check as { keyid: string }).keyid : "";
  return `${kinds} signed by key ${formatFingerprint(keyid || signingKey || "")} — signature verified now (${mine[0]!.location})`;
}
