// The pinned public key for the verify commands: --key FILE (or PEM text), else
// SOC2_GUARD_PUBLIC_KEY. Printed with its fingerprint so the auditor compares it with the
// one they pinned.

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { CliIO } from "./io.js";
import { parsePublicKey, type PublicKey } from "../trust/signing-key.js";

export function pinnedKey(flag: string | undefined, io: CliIO): PublicKey | null {
  const value = flag ?? io.env.SOC2_GUARD_PUBLIC_KEY;
  if (!value) return null;
  if (value.includes("-----BEGIN")) return parsePublicKey(value);
  const file = resolve(io.cwd, value);
  if (!existsSync(file)) throw new Error(`--key ${value}: no such file (give the public key's PEM file)`);
  return parsePublicKey(readFileSync(file, "utf8"), file);
}
