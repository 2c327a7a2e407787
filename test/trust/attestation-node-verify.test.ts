// An attestation must be checkable by any DSSE tool with nothing but the public key. This
// test is such a tool: its own PAE, Node's crypto.verify, and JSON.parse — no project code
// on the verifying side.

import { describe, expect, it } from "vitest";
import { createPublicKey, verify } from "node:crypto";
import { AppRecordSigner } from "../../src/trust/record-signer.js";
import { generateSigningKey } from "../../src/trust/signing-key.js";
import { sealAll } from "../../src/evidence/ledger.js";
import { buildDirectPushRecord } from "../../src/evidence/record.js";
import { GENESIS } from "../../src/evidence/ledger.js";

/** DSSE v1 PAE, written from the spec: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
function pae(type: string, body: Buffer): Buffer {
  const t = Buffer.from(type, "utf8");
  return Buffer.concat([Buffer.from(`DSSEv1 ${t.length} `), t, Buffer.from(` ${body.length} `), body]);
}

describe("an attestation checked outside the project's code", () => {
  const key = generateSigningKey();
  const signer = new AppRecordSigner(key, "hmac-sha256:0011223344556677");
  const record = signer.stamp(
    buildDirectPushRecord({
      push: { repository: "acme/api", ref: "refs/heads/main", before: "0".repeat(40), after: "a".repeat(40), forced: true, pusher: "olivia", commits: [] },
      branchRules: null,
      configHash: "c".repeat(64),
      meta: { deliveryId: "d1", appVersion: "0.1.0", collectedAt: "2026-11-02T12:00:00.000Z" },
    }),
  );
  const [sealed] = sealAll([record], GENESIS);
  const lines = signer.attest([sealed!]);
  const publicPem = key.publicPem; // all the verifier holds

  it("verifies both envelopes with crypto.verify over our own PAE, and the statement names the landed commit", () => {
    expect(lines).toHaveLength(2);
    const pub = createPublicKey(publicPem);
    for (const line of lines) {
      const envelope = JSON.parse(line) as { payload: string; payloadType: string; signatures: Array<{ keyid: string; sig: string }> };
      expect(envelope.payloadType).toBe("application/vnd.in-toto+json");
      const body = Buffer.from(envelope.payload, "base64");
      expect(verify(null, pae(envelope.payloadType, body), pub, Buffer.from(envelope.signatures[0]!.sig, "base64"))).toBe(true);
      const statement = JSON.parse(body.toString("utf8"));
      expect(statement._type).toBe("https://in-toto.io/Statement/v1");
      expect(statement.subject[0].digest.gitCommit).toBe("a".repeat(40));
    }
    const vsa = JSON.parse(Buffer.from(JSON.parse(lines[1]!).payload, "base64").toString("utf8"));
    expect(vsa.predicateType).toBe("https://slsa.dev/verification_summary/v1");
    expect(vsa.predicate).toMatchObject({ verificationResult: "FAILED", verifiedLevels: [], resourceUri: "git+https://github.com/acme/api" });
  });

  it("fails crypto.verify when one byte of the payload changes", () => {
    const envelope = JSON.parse(lines[0]!) as { payload: string; payloadType: string; signatures: Array<{ sig: string }> };
    const body = Buffer.from(envelope.payload, "base64");
    body.writeUInt8(body.readUInt8(body.length - 2) ^ 1, body.length - 2);
    expect(verify(null, pae(envelope.payloadType, body), createPublicKey(publicPem), Buffer.from(envelope.signatures[0]!.sig, "base64"))).toBe(false);
  });

  it("matches the DSSE spec's PAE test vector", async () => {
    const { pae: projectPae } = await import("../../src/trust/dsse.js");
    expect(projectPae("http://example.com/HelloWorld", Buffer.from("hello world")).toString()).toBe("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  });
});

describe("soc2-guard verify-attestation FILE --key PUB", () => {
  it("prints what each envelope attests, and exits 1 naming the line that does not verify", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { verifyAttestationCommand } = await import("../../src/cli/verify-attestation.js");
    const key = generateSigningKey();
    const signer = new AppRecordSigner(key, "hmac-sha256:0011223344556677");
    const record = signer.stamp(
      buildDirectPushRecord({
        push: { repository: "acme/api", ref: "refs/heads/main", before: "0".repeat(40), after: "b".repeat(40), forced: false, pusher: "olivia", commits: [] },
        branchRules: null,
        configHash: "c".repeat(64),
        meta: { deliveryId: "d2", appVersion: "0.1.0", collectedAt: "2026-11-02T12:00:00.000Z" },
      }),
    );
    const lines = signer.attest(sealAll([record], GENESIS));
    const dir = mkdtempSync(join(tmpdir(), "soc2-guard-att-"));
    writeFileSync(join(dir, "key.pub"), key.publicPem);
    const forged = JSON.parse(lines[1]!);
    forged.payload = Buffer.from(Buffer.from(forged.payload, "base64").toString("utf8").replace("FAILED", "PASSED")).toString("base64");
    writeFileSync(join(dir, "02.jsonl"), `${lines[0]}\n${JSON.stringify(forged)}\n`);
    const out: string[] = [];
    const code = await verifyAttestationCommand(["02.jsonl", "--key", "key.pub"], { stdout: (t) => out.push(t), stderr: (t) => out.push(t), readStdin: async () => "", env: {}, cwd: dir });
    expect(out.join("")).toMatch(/✔ 02\.jsonl:1: change review of acme\/api@b{40}: no counted approval; review\.approval=fail; subject gitCommit b{40} \(https:\/\/github\.com\/acme\/api\/commit\/b{40}\); signed by ed25519:[0-9a-f]{64}/);
    expect(out.join("")).toMatch(/✘ 02\.jsonl:2: bad-signature/);
    expect(code).toBe(1);
  });
});
