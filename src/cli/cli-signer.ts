// Records the CLI appends (reconcile, backfill, export) are signed like the app's when
// SOC2_GUARD_SIGNING_KEY is set: key ids, attestations in the same write. Their checkpoint
// comes with the app's next one (it signs the whole chain). Without the key the records are
// unsigned, and `verify --key` will say so: run these commands with the app's key.

import { existsSync, readFileSync } from "node:fs";
import type { CliIO } from "./io.js";
import { parseSigningKey, type SigningKey } from "../trust/signing-key.js";
import { AppRecordSigner } from "../trust/record-signer.js";
import { fingerprintKeyId, loadFingerprintKey } from "../secrets/fingerprint-key.js";

export function cliSigningKey(io: CliIO): SigningKey | null {
  const value = io.env.SOC2_GUARD_SIGNING_KEY;
  if (!value) return null;
  return parseSigningKey(!value.includes("-----BEGIN") && existsSync(value) ? readFileSync(value, "utf8") : value);
}

export function cliRecordSigner(io: CliIO, key: SigningKey | null = cliSigningKey(io)): AppRecordSigner | null {
  return key ? new AppRecordSigner(key, fingerprintKeyId(loadFingerprintKey(io.env))) : null;
}
