// Rotating the app's signing key without breaking what auditors pinned: while
// SOC2_GUARD_PREVIOUS_SIGNING_KEY holds the outgoing key, checkpoints are signed by both
// keys and carry the incoming public key, so `verify --key OLD.pub` follows the handover
// and accepts records, attestations and checkpoints signed by the new key. An archive (or
// an insider) cannot bring its own key: a handover counts only when a trusted key signed it.

import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalDirectoryArchive, readArchiveDirectory, readAttestationDirectory } from "../../src/evidence/local-archive.js";
import { AppRecordSigner } from "../../src/trust/record-signer.js";
import { CheckpointPublisher } from "../../src/evidence/checkpoint-publisher.js";
import { LocalCheckpointLog, readCheckpointFile } from "../../src/evidence/local-checkpoints.js";
import { generateSigningKey, type SigningKey } from "../../src/trust/signing-key.js";
import { signCheckpoint } from "../../src/trust/checkpoint.js";
import { signEnvelopeWith } from "../../src/trust/dsse.js";
import { verifyArchive } from "../../src/trust/verify-archive.js";
import { makeVerifyCommand } from "../../src/cli/verify.js";
import { verifyAttestationCommand } from "../../src/cli/verify-attestation.js";
import { loadAppKeys, StartupError } from "../../src/evidence/app-keys.js";
import type { CliIO } from "../../src/cli/io.js";
import { pushRecord } from "./tamper.js";

const oldKey = generateSigningKey();
const newKey = generateSigningKey();
const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

/** Three records under the old key, then the app restarted with the new key (and the old one as previous) writes three more. */
async function rotatedArchive(previous: SigningKey | null = oldKey) {
  const root = mkdtempSync(join(tmpdir(), "soc2-guard-rotation-"));
  roots.push(root);
  const archive = join(root, "archive");
  const checkpoints = join(root, "checkpoints.jsonl");
  const now = () => new Date("2026-11-02T12:00:00Z");
  const write = async (key: SigningKey, prev: SigningKey | null, from: number) => {
    const publisher = new CheckpointPublisher(new LocalCheckpointLog(checkpoints, "local"), key, { intervalMs: 0, now, previousKey: prev });
    const writer = new LocalDirectoryArchive(archive, now, new AppRecordSigner(key, "hmac-sha256:00112233aabbccdd", (head) => publisher.committed(head)));
    for (let n = from; n < from + 3; n++) {
      await writer.append([pushRecord(n)]);
      await publisher.flush();
    }
  };
  await write(oldKey, null, 1);
  await write(newKey, previous, 4);
  const pins = { old: join(root, "old.pub"), new: join(root, "new.pub") };
  writeFileSync(pins.old, oldKey.publicPem);
  writeFileSync(pins.new, newKey.publicPem);
  return { root, archive, checkpoints, pins };
}

function cli(): CliIO & { text: () => string } {
  const out: string[] = [];
  return { text: () => out.join(""), stdout: (t) => out.push(t), stderr: (t) => out.push(t), readStdin: async () => "", env: {}, cwd: "/" };
}
const verify = async (a: Awaited<ReturnType<typeof rotatedArchive>>, pin: string) => {
  const io = cli();
  const code = await makeVerifyCommand()(["--archive", a.archive, "--checkpoints", a.checkpoints, "--key", pin], io);
  return { code, out: io.text() };
};

describe("signing-key rotation", () => {
  it("verify --key OLD.pub follows the handover the app signed with both keys", async () => {
    const a = await rotatedArchive();
    const { code, out } = await verify(a, a.pins.old);
    expect(out).toMatch(/^ok: 6 records/m);
    expect(out).toContain(`key rotation: ${oldKey.keyId} handed over to ${newKey.keyId}`);
    expect(out).toMatch(/6 record attestations verified/);
    expect(code).toBe(0);
  });

  it("without the outgoing key's co-signature the new key's checkpoints and attestations are not trusted", async () => {
    const a = await rotatedArchive(null);
    const { code, out } = await verify(a, a.pins.old);
    expect(out).toMatch(/BROKEN/);
    expect(out).toMatch(/bad-signature/);
    expect(code).toBe(1);
  });

  it("an insider's own key is not trusted although its checkpoint claims a rotation from the pinned key", async () => {
    const a = await rotatedArchive(null);
    const insider = generateSigningKey();
    const stored = readArchiveDirectory(a.archive);
    const last = JSON.parse(stored.lines.at(-1)!.text) as { hash: string; id: string };
    // A checkpoint that names the pinned key as `from` and carries the insider's public key, signed by the insider alone.
    const forged = signCheckpoint({ archive: "local", count: 6, head: last.hash, lastId: last.id, time: "2026-11-02T13:00:00Z" }, insider, { ...insider, keyId: oldKey.keyId });
    forged.envelope.signatures = forged.envelope.signatures.filter((s) => s.keyid === insider.keyId);
    appendFileSync(a.checkpoints, `${JSON.stringify(forged.envelope)}\n`);
    // And one signed by the insider under the pinned key's id: a keyid is a label, not proof.
    const relabelled = signEnvelopeWith(forged.envelope.payloadType, Buffer.from(forged.envelope.payload, "base64"), [{ privateKey: insider.privateKey, keyId: oldKey.keyId }, insider]);
    appendFileSync(a.checkpoints, `${JSON.stringify(relabelled)}\n`);
    const result = verifyArchive({ lines: stored.lines, checkpoints: readCheckpointFile(a.checkpoints), attestations: readAttestationDirectory(a.archive), publicKey: oldKey.publicKey, archive: "local" });
    expect(result.keys.handovers).toEqual([]);
    expect([...result.keys.ring.keys()]).toEqual([oldKey.keyId]);
    expect(result.ok).toBe(false);
  });

  it("a rotation comment not written by the app is ignored on GitHub-style anchors", async () => {
    const a = await rotatedArchive();
    const stored = readArchiveDirectory(a.archive);
    const sources = readCheckpointFile(a.checkpoints).map((s, i) => ({ ...s, author: i >= 3 ? "mallory" : "soc2-guard[bot]" }));
    const result = verifyArchive({ lines: stored.lines, checkpoints: sources, attestations: readAttestationDirectory(a.archive), publicKey: oldKey.publicKey, archive: "local", appLogins: ["soc2-guard[bot]"] });
    expect(result.keys.handovers).toEqual([]);
    expect(result.ok).toBe(false);
  });

  it("verify-attestation takes both pinned keys after a rotation (one key checks only what it signed)", async () => {
    const a = await rotatedArchive();
    const day = join(a.archive, "attestations", "2026", "11", "02.jsonl");
    const run = async (key: string) => {
      const io = cli();
      const code = await verifyAttestationCommand([day, "--key", key], io);
      return { code, out: io.text() };
    };
    const oldOnly = await run(a.pins.old);
    expect(oldOnly.code).toBe(1);
    expect(oldOnly.out.match(/^✔/gm)).toHaveLength(6);
    expect(oldOnly.out.match(/^✘/gm)).toHaveLength(6);
    const both = await run(`${a.pins.old},${a.pins.new}`);
    expect(both.out.match(/^✔/gm)).toHaveLength(12);
    expect(both.code).toBe(0);
  });

  it("the app reads the outgoing key from SOC2_GUARD_PREVIOUS_SIGNING_KEY and refuses the same key twice", () => {
    const env = { NODE_ENV: "test", SOC2_GUARD_SIGNING_KEY: newKey.privatePem, SOC2_GUARD_PREVIOUS_SIGNING_KEY: oldKey.privatePem };
    expect(loadAppKeys(env).previousSigningKey?.keyId).toBe(oldKey.keyId);
    expect(loadAppKeys({ NODE_ENV: "test", SOC2_GUARD_SIGNING_KEY: newKey.privatePem }).previousSigningKey).toBeNull();
    expect(() => loadAppKeys({ ...env, SOC2_GUARD_PREVIOUS_SIGNING_KEY: newKey.privatePem })).toThrow(StartupError);
  });
});
