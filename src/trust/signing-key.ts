// The app's Ed25519 signing key and how auditors name it. The key id / fingerprint is
// SHA-256 over the public key's SPKI (DER) encoding: what `soc2-guard keygen` prints,
// what the app logs at start-up, what every record, checkpoint and attestation carries,
// and what an auditor pins. Pure: the PEM text comes from the edge (src/trust/load-keys.ts).

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** `ed25519:` + SHA-256 of the SPKI, hex: the key id written into records and signatures. */
  keyId: string;
}

export interface PublicKey {
  publicKey: KeyObject;
  keyId: string;
}

export class KeyError extends Error {}

/** SHA-256 of the public key's SPKI DER, hex. */
export function spkiFingerprint(publicKey: KeyObject): string {
  return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex");
}

export const keyIdOf = (publicKey: KeyObject): string => `ed25519:${spkiFingerprint(publicKey)}`;

/** The fingerprint as people read it: 16 groups of 4 hex digits. */
export function formatFingerprint(keyId: string): string {
  const hex = keyId.replace(/^ed25519:/, "");
  return `SHA256:${hex.match(/.{1,4}/g)!.join(":")}`;
}

function requireEd25519(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== "ed25519") throw new KeyError(`${what} is a ${key.asymmetricKeyType ?? "symmetric"} key; soc2-guard signs with Ed25519 (create one with \`soc2-guard keygen\`)`);
}

/** A PKCS#8 PEM private key (SOC2_GUARD_SIGNING_KEY). */
export function parseSigningKey(pem: string, what = "SOC2_GUARD_SIGNING_KEY"): SigningKey {
  const text = pem.includes("\\n") && !pem.includes("\n") ? pem.replace(/\\n/g, "\n") : pem;
  if (!/-----BEGIN PRIVATE KEY-----/.test(text)) throw new KeyError(`${what} must be an Ed25519 private key in PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"); create one with \`soc2-guard keygen\``);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text, format: "pem" });
  } catch (error) {
    throw new KeyError(`${what} is not a readable PKCS#8 PEM private key: ${(error as Error).message}`);
  }
  requireEd25519(privateKey, what);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** A public key as an auditor holds it: SPKI PEM ("-----BEGIN PUBLIC KEY-----"). A private key is accepted and reduced to its public half. */
export function parsePublicKey(pem: string, what = "the public key"): PublicKey {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: pem, format: "pem" });
  } catch (error) {
    throw new KeyError(`${what} is not a PEM public key: ${(error as Error).message}`);
  }
  requireEd25519(publicKey, what);
  return { publicKey, keyId: keyIdOf(publicKey) };
}

export function generateSigningKey(): SigningKey & { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKey,
    publicKey,
    keyId: keyIdOf(publicKey),
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

export const publicPemOf = (key: { publicKey: KeyObject }): string => key.publicKey.export({ type: "spki", format: "pem" }).toString();
