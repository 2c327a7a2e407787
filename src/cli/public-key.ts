// The pinned public key for the verify commands: --key FILE (or PEM text), else
// SOC2_GUARD_PUBLIC_KEY. Printed with its fingerprint so the auditor compares it with the
// one they pinned. After a key rotation several may be pinned: --key OLD.pub,NEW.pub.

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { CliIO } from "./io.js";
import { parsePublicKey, type PublicKey } from "../trust/signing-key.js";

/** Every key pinned: a comma-separated list of files (PEM text holds no comma). The first is the primary one. */
export function pinnedKeys(flag: string | undefined, io: CliIO): PublicKey[] {
  const value = flag ?? io.env.SOC2_GUARD_PUBLIC_KEY;
  if (!value) return [];
  if (value.includes("-----BEGIN")) return [parsePublicKey(value)];
  return value.split(",").filter((part) => part.trim()).map((part) => pinnedKey(part.trim(), io)!);
}

export function pinnedKey(flag: string | undefined, io: CliIO): PublicKey | null {
  const value = flag ?? io.env.SOC2_GUARD_PUBLIC_KEY;
  if (!value) return null;
  if (value.includes("-----BEGIN")) return parsePublicKey(value);
  const file = resolve(io.cwd, value);
  if (!existsSync(file)) throw new Error(`--key ${value}: no such file (give the public key's PEM file)`);
  return parsePublicKey(readFileSync(file, "utf8"), file);
}
