// A secret is never stored or shown: findings carry a masked preview and a keyed
// fingerprint that lets two findings of the same value be matched without revealing it.

import { createHmac } from "node:crypto";

/** At most the first 4 characters, then an ellipsis; shorter secrets show less. */
export function maskedPreview(secret: string): string {
  const shown = secret.length >= 16 ? 4 : secret.length >= 8 ? 2 : 0;
  return `${secret.slice(0, shown)}…`;
}

/** HMAC-SHA256 keyed by the installation's key, over the rule id and the value. */
export function fingerprint(key: Uint8Array, ruleId: string, secret: string): string {
  return createHmac("sha256", key).update(`${ruleId}:${secret}`).digest("hex");
}
