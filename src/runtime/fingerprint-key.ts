// Placeholder until the secrets scanner lands its key loader: a per-process random key.
import { randomBytes } from "node:crypto";

export function loadFingerprintKey(env: Record<string, string | undefined>): Uint8Array {
  const configured = env.SOC2_GUARD_FINGERPRINT_KEY;
  return configured ? Buffer.from(configured, "hex") : randomBytes(32);
}
