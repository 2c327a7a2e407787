// The per-installation key for secret fingerprints: SOC2_GUARD_FINGERPRINT_KEY, at least
// 32 bytes written as hex or base64 — anything else is refused with a message that says
// what was expected, never silently decoded into fewer or different bytes. Without it
// (development, `soc2-guard scan` on a laptop) a key generated once lives in the user's
// config directory ($XDG_CONFIG_HOME/soc2-guard, ~/.config/soc2-guard): never in the
// repository being scanned, where it would be committed next to the code.

import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export class FingerprintKeyError extends Error {}

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

export function parseFingerprintKey(text: string, what = "SOC2_GUARD_FINGERPRINT_KEY"): Uint8Array {
  const trimmed = text.trim();
  const expected = `${what} must be at least 32 random bytes written as hex (64+ characters 0-9a-f) or base64 (44+ characters); create one with \`openssl rand -hex 32\``;
  let bytes: Buffer;
  if (HEX.test(trimmed) && trimmed.length % 2 === 0) bytes = Buffer.from(trimmed, "hex");
  else if ((BASE64.test(trimmed) || BASE64URL.test(trimmed)) && trimmed.replace(/=+$/, "").length % 4 !== 1) {
    bytes = Buffer.from(trimmed.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    // Node's decoder skips what it cannot read; a round trip proves every character counted.
    if (bytes.toString("base64").replace(/=+$/, "") !== trimmed.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "")) throw new FingerprintKeyError(`${expected}: the value is not valid base64`);
  } else throw new FingerprintKeyError(`${expected}: the value is neither hex nor base64${trimmed.length === 0 ? " (it is empty)" : ""}`);
  if (bytes.length < 32) throw new FingerprintKeyError(`${expected}: it decodes to ${bytes.length} bytes`);
  return new Uint8Array(bytes);
}

/** A public name for the key, written into records: a rotation shows, the key does not. */
export function fingerprintKeyId(key: Uint8Array): string {
  return `hmac-sha256:${createHash("sha256").update("soc2-guard fingerprint key id\0").update(key).digest("hex").slice(0, 16)}`;
}

/** The user's config directory for soc2-guard (XDG_CONFIG_HOME, else ~/.config). */
export function userConfigDir(env: Record<string, string | undefined>): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config"), "soc2-guard");
}

export function loadFingerprintKey(env: Record<string, string | undefined>): Uint8Array {
  const configured = env.SOC2_GUARD_FINGERPRINT_KEY;
  if (configured !== undefined && configured !== "") return parseFingerprintKey(configured);
  const dir = userConfigDir(env);
  const file = join(dir, "fingerprint.key");
  try {
    if (existsSync(file)) return parseFingerprintKey(readFileSync(file, "utf8"), file);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    return new Uint8Array(key);
  } catch (error) {
    if (error instanceof FingerprintKeyError) throw error;
    // A read-only home: a key for this process only.
    return new Uint8Array(randomBytes(32));
  }
}
