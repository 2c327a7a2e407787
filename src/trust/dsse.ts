// DSSE (Dead Simple Signing Envelope, secure-systems-lab/dsse protocol v1): the signature
// covers PAE(payloadType, payload) — never the JSON around it — so any DSSE tool checks
// it with nothing but the public key. Ed25519 signs the PAE bytes directly. Pure.

import { sign, verify, type KeyObject } from "node:crypto";

export interface DsseSignature {
  keyid: string;
  sig: string;
}

export interface DsseEnvelope {
  payload: string;
  payloadType: string;
  signatures: DsseSignature[];
}

/** "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths as ASCII decimal byte counts. */
export function pae(payloadType: string, body: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `, "utf8"), type, Buffer.from(` ${body.length} `, "utf8"), body]);
}

export function signEnvelope(payloadType: string, body: Uint8Array, key: { privateKey: KeyObject; keyId: string }): DsseEnvelope {
  const sig = sign(null, pae(payloadType, body), key.privateKey);
  return { payload: Buffer.from(body).toString("base64"), payloadType, signatures: [{ keyid: key.keyId, sig: sig.toString("base64") }] };
}

export type EnvelopeCheck =
  | { ok: true; body: Buffer; keyid: string }
  | { ok: false; problem: "malformed" | "bad-signature" | "wrong-type"; detail: string };

/** Either base64 alphabet, as the spec requires verifiers to accept. */
const decode = (text: string): Buffer => Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");

/** Parses an envelope from JSON text or a value; null when it is not one. */
export function asEnvelope(value: unknown): DsseEnvelope | null {
  const v = (typeof value === "string" ? safeJson(value) : value) as Partial<DsseEnvelope> | null;
  if (!v || typeof v !== "object" || typeof v.payload !== "string" || typeof v.payloadType !== "string" || !Array.isArray(v.signatures)) return null;
  if (!v.signatures.every((s) => s && typeof (s as DsseSignature).sig === "string")) return null;
  return { payload: v.payload, payloadType: v.payloadType, signatures: v.signatures.map((s) => ({ keyid: String((s as DsseSignature).keyid ?? ""), sig: (s as DsseSignature).sig })) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The keys a verifier trusts, by key id: the pinned key plus any key a trusted key handed
 * over to (src/trust/key-rotation.ts). A signature counts only under the key its keyid names.
 */
export type KeyRing = ReadonlyMap<string, KeyObject>;

/** Accepts when one signature verifies under `keys` (one key, or a ring by key id) and the type is the expected one. */
export function verifyEnvelope(envelope: DsseEnvelope, keys: KeyObject | KeyRing, expectedType?: string): EnvelopeCheck {
  const body = decode(envelope.payload);
  const message = pae(envelope.payloadType, body);
  const good = envelope.signatures.find((s) => {
    const key = keys instanceof Map ? keys.get(s.keyid) : (keys as KeyObject);
    if (!key) return false;
    try {
      return verify(null, message, key, decode(s.sig));
    } catch {
      return false;
    }
  });
  if (!good) return { ok: false, problem: "bad-signature", detail: envelope.signatures.length === 0 ? "the envelope carries no signature" : keys instanceof Map ? `no signature verifies under a trusted key (${[...keys.keys()].map((k) => k.slice(0, 20)).join(", ")}…)` : "no signature verifies under the pinned public key" };
  if (expectedType && envelope.payloadType !== expectedType) return { ok: false, problem: "wrong-type", detail: `payloadType is ${envelope.payloadType}, expected ${expectedType}` };
  return { ok: true, body, keyid: good.keyid };
}

/** Signs with several keys at once (a key rotation: the outgoing key vouches for the incoming one). */
export function signEnvelopeWith(payloadType: string, body: Uint8Array, keys: ReadonlyArray<{ privateKey: KeyObject; keyId: string }>): DsseEnvelope {
  const message = pae(payloadType, body);
  return { payload: Buffer.from(body).toString("base64"), payloadType, signatures: keys.map((k) => ({ keyid: k.keyId, sig: sign(null, message, k.privateKey).toString("base64") })) };
}
