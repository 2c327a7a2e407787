// The app's keys, read from the environment at start-up (the edge): the Ed25519 signing
// key (SOC2_GUARD_SIGNING_KEY, PKCS#8 PEM text or a path to it) and the fingerprint key.
// In production — NODE_ENV other than development or test — the app refuses to start
// without the signing key, the fingerprint key and WEBHOOK_SECRET (Probot would otherwise
// accept deliveries signed with its built-in "development" secret). Development, the
// sandbox and the demo get throwaway keys, and say so.

import { existsSync, readFileSync } from "node:fs";
import { generateSigningKey, parseSigningKey, type SigningKey } from "../trust/signing-key.js";
import { fingerprintKeyId, loadFingerprintKey, parseFingerprintKey } from "../secrets/fingerprint-key.js";

export class StartupError extends Error {}

export interface AppKeys {
  signingKey: SigningKey;
  /**
   * The outgoing key during a rotation (SOC2_GUARD_PREVIOUS_SIGNING_KEY): checkpoints are
   * signed by both, so a verifier that pinned the old key learns the new one from the app.
   */
  previousSigningKey: SigningKey | null;
  fingerprintKey: Uint8Array;
  fingerprintKeyId: string;
  /** Which keys were generated for this process only (never in production). */
  throwaway: string[];
}

export const isProduction = (env: Record<string, string | undefined>): boolean => !["development", "test"].includes(env.NODE_ENV ?? "");

function signingKeyText(value: string): string {
  // A path to the PEM file is accepted too (a mounted secret).
  if (!value.includes("-----BEGIN") && existsSync(value)) return readFileSync(value, "utf8");
  return value;
}

export function loadAppKeys(env: Record<string, string | undefined>): AppKeys {
  const production = isProduction(env);
  if (production) {
    const missing = ["SOC2_GUARD_SIGNING_KEY", "SOC2_GUARD_FINGERPRINT_KEY", "WEBHOOK_SECRET"].filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new StartupError(
        `soc2-guard will not start in production without ${missing.join(", ")}: ${[
          missing.includes("SOC2_GUARD_SIGNING_KEY") ? "SOC2_GUARD_SIGNING_KEY is the Ed25519 key that signs evidence (create one with `soc2-guard keygen`)" : "",
          missing.includes("SOC2_GUARD_FINGERPRINT_KEY") ? "SOC2_GUARD_FINGERPRINT_KEY keys secret fingerprints (`openssl rand -hex 32`)" : "",
          missing.includes("WEBHOOK_SECRET") ? "WEBHOOK_SECRET must be the app's webhook secret, never Probot's development default" : "",
        ]
          .filter(Boolean)
          .join("; ")}. (Set NODE_ENV=development to run with throwaway keys.)`,
      );
    }
  }
  const throwaway: string[] = [];
  const signingKey = env.SOC2_GUARD_SIGNING_KEY ? parseSigningKey(signingKeyText(env.SOC2_GUARD_SIGNING_KEY)) : (throwaway.push("SOC2_GUARD_SIGNING_KEY"), generateSigningKey());
  const fingerprintKey = env.SOC2_GUARD_FINGERPRINT_KEY ? parseFingerprintKey(env.SOC2_GUARD_FINGERPRINT_KEY) : (throwaway.push("SOC2_GUARD_FINGERPRINT_KEY"), loadFingerprintKey(env));
  const previousSigningKey = env.SOC2_GUARD_PREVIOUS_SIGNING_KEY ? parseSigningKey(signingKeyText(env.SOC2_GUARD_PREVIOUS_SIGNING_KEY), "SOC2_GUARD_PREVIOUS_SIGNING_KEY") : null;
  if (previousSigningKey && previousSigningKey.keyId === signingKey.keyId) throw new StartupError("SOC2_GUARD_PREVIOUS_SIGNING_KEY is the same key as SOC2_GUARD_SIGNING_KEY: set it to the outgoing key during a rotation, or unset it");
  return { signingKey, previousSigningKey, fingerprintKey, fingerprintKeyId: fingerprintKeyId(fingerprintKey), throwaway };
}
