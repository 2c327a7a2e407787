// The period's signed checkpoint: the one the period's first export signed beside its
// export statement (the export issue carries both). It fixes the sampling seed: nobody
// knew it before the app signed it, the company cannot choose it (a re-export signs a new
// statement, but the first export's stays the period's — a re-run cannot redraw the
// sample), and anyone holding a copy of the export issue can derive the seed again
// (`samplingSeed`, over the envelope's payload and signature). The statement binds the
// checkpoint: same count, head and time, so another checkpoint signed by the app (the
// checkpoints issue has many) cannot be passed off as the period's. Pure.

import type { KeyObject } from "node:crypto";
import { asEnvelope, type DsseEnvelope } from "../trust/dsse.js";
import { CHECKPOINT_PAYLOAD_TYPE, checkpointEnvelopesIn, samplingSeed, verifyCheckpoint, type Checkpoint } from "../trust/checkpoint.js";
import type { CheckpointSource } from "../trust/verify-archive.js";
import { exportStatementsIn, verifyExportStatement, EXPORT_STATEMENT_TYPE, type ExportStatement } from "./export-seal.js";

export interface PeriodCheckpoint {
  envelope: DsseEnvelope;
  checkpoint: Checkpoint;
  /** Where it was found: the export issue's URL, a file. */
  location: string;
  /** The envelope and the statement verified under the given public key; false: read without a key. */
  verified: boolean;
  /** `samplingSeed(envelope)`: the sampling seed of the period. */
  seed: string;
}

export interface FindOptions {
  /** The pinned (or the app's own) public key; null reads the envelopes without checking them. */
  publicKey: KeyObject | null;
  /** The app's login(s): only its own issues count; null when the sources have no authors (files). */
  appLogins?: string[] | null;
}

function unverifiedBody<T>(envelope: DsseEnvelope): T | null {
  try {
    return JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as T;
  } catch {
    return null;
  }
}

/** The period's checkpoint in the export issues (or copies of them); null when the period has none. */
export function findPeriodCheckpoint(sources: CheckpointSource[], period: string, options: FindOptions): PeriodCheckpoint | null {
  let found: (PeriodCheckpoint & { statementTime: string }) | null = null;
  for (const source of sources) {
    if (options.appLogins && !(source.author && options.appLogins.some((l) => l.toLowerCase() === source.author!.toLowerCase()))) continue;
    for (const statementEnvelope of exportStatementsIn(source.text)) {
      let statement: ExportStatement | null;
      if (options.publicKey) {
        const checked = verifyExportStatement(statementEnvelope, options.publicKey);
        statement = checked.ok ? checked.statement : null;
      } else statement = unverifiedBody<ExportStatement>(statementEnvelope);
      if (!statement || statement._type !== EXPORT_STATEMENT_TYPE || statement.period !== period) continue;
      for (const envelope of checkpointEnvelopesIn(source.text)) {
        const checkpoint = options.publicKey ? (() => {
          const checked = verifyCheckpoint(envelope, options.publicKey!);
          return checked.ok ? checked.checkpoint : null;
        })() : unverifiedBody<Checkpoint>(envelope);
        if (!checkpoint || checkpoint.count !== statement.checkpoint.count || checkpoint.head !== statement.checkpoint.head || checkpoint.time !== statement.time) continue;
        // The first export is the period's: a re-export cannot redraw the sample.
        if (!found || statement.time < found.statementTime) {
          found = { envelope, checkpoint, location: source.location, verified: options.publicKey !== null, seed: samplingSeed(envelope), statementTime: statement.time };
        }
      }
    }
  }
  if (!found) return null;
  const { statementTime: _time, ...result } = found;
  return result;
}

/** A checkpoint envelope given as text (JSON, or a copy of an issue with one); null when there is none. */
export function checkpointEnvelopeOf(text: string): DsseEnvelope | null {
  const whole = asEnvelope(text.trim());
  if (whole && whole.payloadType === CHECKPOINT_PAYLOAD_TYPE) return whole;
  return checkpointEnvelopesIn(text)[0] ?? null;
}
