// The per-installation key for secret fingerprints: SOC2_GUARD_FINGERPRINT_KEY (hex or
// base64, at least 32 bytes) in production; in development a key generated once and kept
// in .soc2-guard/fingerprint.key so fingerprints stay stable between runs.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function parseFingerprintKey(text: string): Uint8Array {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]+$/.test(trimmed) && trimmed.length % 2 === 0 ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (bytes.length < 32) throw new Error("SOC2_GUARD_FINGERPRINT_KEY must be at least 32 bytes (64 hex characters or 44 base64)");
  return new Uint8Array(bytes);
}

export function loadFingerprintKey(env: Record<string, string | undefined>, cwd = process.cwd()): Uint8Array {
  const configured = env.SOC2_GUARD_FINGERPRINT_KEY;
  if (configured) return parseFingerprintKey(configured);
  const file = join(cwd, ".soc2-guard", "fingerprint.key");
  try {
    if (existsSync(file)) return parseFingerprintKey(readFileSync(file, "utf8"));
    mkdirSync(join(cwd, ".soc2-guard"), { recursive: true });
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString("hex")}\n`, { mode: 0o600 });
    return new Uint8Array(key);
  } catch {
    // A read-only working directory: a key for this process only.
    return new Uint8Array(randomBytes(32));
  }
}
