// A signed checkpoint: "archive A held N records ending in chain hash H at time T", as a
// DSSE envelope (src/trust/dsse.ts). Anchored outside the archive's git history (the app's
// comments on the checkpoints issue, the export issue), it lets an auditor tell a
// re-sealed rewrite, a truncation or a rollback from the chain the app actually wrote.
// DSSE rather than a signed note: the same envelope and verifier as the per-merge
// attestations, checkable by any DSSE tool; our chain is a hash chain, not a Merkle tree,
// so a note's tree-head semantics would not apply. Pure.

import { createHash, type KeyObject } from "node:crypto";
import { asEnvelope, signEnvelopeWith, verifyEnvelope, type DsseEnvelope, type KeyRing } from "./dsse.js";
import { publicPemOf } from "./signing-key.js";

export const CHECKPOINT_PAYLOAD_TYPE = "application/vnd.soc2-guard.checkpoint+json";
export const CHECKPOINT_TYPE = "https://soc2-guard.dev/checkpoint/v1";

export interface Checkpoint {
  _type: typeof CHECKPOINT_TYPE;
  /** The archive it speaks for, e.g. `acme/compliance-evidence@main` (compared case-insensitively). */
  archive: string;
  /** Records in the chain, and the hash of the last one (the genesis hash when 0). */
  count: number;
  head: string;
  lastId: string | null;
  time: string;
  keyId: string;
  /**
   * Present while the app's key is being rotated: the outgoing key (`from`) signs this
   * checkpoint beside the incoming one (`keyId`, whose SPKI PEM is `publicKey`), so a
   * verifier that pinned the outgoing key learns the incoming one from the app itself.
   */
  rotation?: { from: string; publicKey: string };
}

export function signCheckpoint(
  checkpoint: Omit<Checkpoint, "_type" | "keyId" | "rotation">,
  key: { privateKey: KeyObject; publicKey?: KeyObject; keyId: string },
  previous?: { privateKey: KeyObject; keyId: string } | null,
): { checkpoint: Checkpoint; envelope: DsseEnvelope } {
  const full: Checkpoint = { _type: CHECKPOINT_TYPE, archive: checkpoint.archive, count: checkpoint.count, head: checkpoint.head, lastId: checkpoint.lastId, time: checkpoint.time, keyId: key.keyId };
  if (previous && previous.keyId !== key.keyId && key.publicKey) full.rotation = { from: previous.keyId, publicKey: publicPemOf({ publicKey: key.publicKey }) };
  const signers = full.rotation && previous ? [key, previous] : [key];
  return { checkpoint: full, envelope: signEnvelopeWith(CHECKPOINT_PAYLOAD_TYPE, Buffer.from(JSON.stringify(full), "utf8"), signers) };
}

export type CheckpointCheck = { ok: true; checkpoint: Checkpoint } | { ok: false; problem: "unreadable" | "bad-signature"; detail: string };

export function verifyCheckpoint(envelope: DsseEnvelope, keys: KeyObject | KeyRing): CheckpointCheck {
  const checked = verifyEnvelope(envelope, keys, CHECKPOINT_PAYLOAD_TYPE);
  if (!checked.ok) return { ok: false, problem: checked.problem === "malformed" || checked.problem === "wrong-type" ? "unreadable" : "bad-signature", detail: checked.detail };
  let value: Partial<Checkpoint>;
  try {
    value = JSON.parse(checked.body.toString("utf8")) as Partial<Checkpoint>;
  } catch {
    return { ok: false, problem: "unreadable", detail: "the signed payload is not JSON" };
  }
  if (value._type !== CHECKPOINT_TYPE || typeof value.archive !== "string" || !Number.isInteger(value.count) || typeof value.head !== "string" || typeof value.time !== "string") {
    return { ok: false, problem: "unreadable", detail: "the signed payload is not a soc2-guard checkpoint" };
  }
  return { ok: true, checkpoint: value as Checkpoint };
}

const FENCE = "```json";
const MARKER = "<!-- soc2-guard:checkpoint -->";

/** The checkpoint as an issue comment: a line for people, the envelope for tools. */
export function renderCheckpointComment(checkpoint: Checkpoint, envelope: DsseEnvelope): string {
  return [
    MARKER,
    `**Signed checkpoint** · ${checkpoint.count} record${checkpoint.count === 1 ? "" : "s"} · chain head \`${checkpoint.head}\` · ${checkpoint.time}`,
    "",
    ...(checkpoint.rotation ? [`**Key rotation:** also signed by the outgoing key \`${checkpoint.rotation.from}\`, which hands over to \`${checkpoint.keyId}\` (its public key is in the signed payload).`, ""] : []),
    `Key \`${checkpoint.keyId}\`. Check with \`soc2-guard verify --key PUBLIC_KEY.pem\` (DSSE envelope, payloadType \`${CHECKPOINT_PAYLOAD_TYPE}\`).`,
    "",
    FENCE,
    JSON.stringify(envelope),
    "```",
  ].join("\n");
}

/** Every checkpoint envelope in a text (a comment, an issue body, a JSONL line); none when there is none. */
export function checkpointEnvelopesIn(text: string): DsseEnvelope[] {
  const whole = asEnvelope(text.trim());
  if (whole) return [whole];
  const found: DsseEnvelope[] = [];
  for (const match of text.matchAll(/```json\n([^\n]+)\n```/g)) {
    const envelope = asEnvelope(match[1]!);
    if (envelope && envelope.payloadType === CHECKPOINT_PAYLOAD_TYPE) found.push(envelope);
  }
  return found;
}

export const isCheckpointComment = (body: string): boolean => body.includes(MARKER) || checkpointEnvelopesIn(body).length > 0;

/**
 * A sampling seed nobody could know before the period's checkpoint was signed: SHA-256
 * over its signed payload and signature (Ed25519 signatures are deterministic, so the
 * CLI and the portal derive the same seed from the same checkpoint).
 */
export function samplingSeed(envelope: DsseEnvelope): string {
  const h = createHash("sha256").update("soc2-guard sampling seed\0").update(envelope.payload).update("\0");
  for (const s of envelope.signatures) h.update(s.sig);
  return h.digest("hex");
}
