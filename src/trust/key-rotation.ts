// Which keys a verifier trusts: the key the auditor pinned, and every key the app handed
// over to from a trusted key. A handover is a checkpoint signed by both keys whose signed
// payload names the outgoing key and carries the incoming public key (Checkpoint.rotation):
// the outgoing key vouches for the incoming one, and the incoming key proves it holds the
// private half. Chains of rotations are followed; nothing else adds a key, so an archive
// cannot bring its own. Pure.

import type { KeyObject } from "node:crypto";
import { verifyEnvelope, type DsseEnvelope, type KeyRing } from "./dsse.js";
import { CHECKPOINT_PAYLOAD_TYPE, CHECKPOINT_TYPE, type Checkpoint } from "./checkpoint.js";
import { keyIdOf, parsePublicKey } from "./signing-key.js";

export interface KeyHandover {
  from: string;
  to: string;
  /** The checkpoint's time, and where it was found. */
  time: string;
  location: string;
}

export interface TrustedKeys {
  ring: KeyRing;
  /** The pinned key ids, then each handover in the order it was accepted. */
  pinned: string[];
  handovers: KeyHandover[];
}

/** The pinned keys plus every key a trusted key handed over to, from the given (app-authored) checkpoints. */
export function trustedKeys(pinned: ReadonlyArray<{ publicKey: KeyObject; keyId?: string }>, checkpoints: ReadonlyArray<{ envelope: DsseEnvelope; location: string }>): TrustedKeys {
  const ring = new Map<string, KeyObject>();
  for (const key of pinned) ring.set(key.keyId ?? keyIdOf(key.publicKey), key.publicKey);
  const handovers: KeyHandover[] = [];
  const candidates = checkpoints.map((c) => ({ ...c, rotation: rotationIn(c.envelope) })).filter((c) => c.rotation !== null);
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of candidates) {
      const cp = c.rotation!;
      if (ring.has(cp.keyId) || !ring.has(cp.rotation!.from)) continue;
      let incoming: KeyObject;
      try {
        incoming = parsePublicKey(cp.rotation!.publicKey).publicKey;
      } catch {
        continue;
      }
      if (keyIdOf(incoming) !== cp.keyId) continue;
      const outgoing = new Map([[cp.rotation!.from, ring.get(cp.rotation!.from)!]]);
      if (!verifyEnvelope(c.envelope, outgoing, CHECKPOINT_PAYLOAD_TYPE).ok) continue;
      if (!verifyEnvelope(c.envelope, new Map([[cp.keyId, incoming]]), CHECKPOINT_PAYLOAD_TYPE).ok) continue;
      ring.set(cp.keyId, incoming);
      handovers.push({ from: cp.rotation!.from, to: cp.keyId, time: cp.time, location: c.location });
      changed = true;
    }
  }
  return { ring, pinned: pinned.map((k) => k.keyId ?? keyIdOf(k.publicKey)), handovers };
}

/** The checkpoint an envelope claims, when it claims a rotation (not yet verified). */
function rotationIn(envelope: DsseEnvelope): (Checkpoint & { rotation: NonNullable<Checkpoint["rotation"]> }) | null {
  if (envelope.payloadType !== CHECKPOINT_PAYLOAD_TYPE) return null;
  try {
    const value = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as Partial<Checkpoint>;
    if (value._type !== CHECKPOINT_TYPE || typeof value.keyId !== "string" || !value.rotation || typeof value.rotation.from !== "string" || typeof value.rotation.publicKey !== "string") return null;
    return value as Checkpoint & { rotation: NonNullable<Checkpoint["rotation"]> };
  } catch {
    return null;
  }
}
