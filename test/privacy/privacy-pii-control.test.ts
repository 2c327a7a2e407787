// privacy.pii through the gate: the control's row and annotations, advisory by default and
// enforceable, suppression recorded, evidence with fingerprints only, the export's column,
// and `soc2-guard scan` beside secrets — the value itself never leaves the scanner.

import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { privacyPii } from "../../src/controls/privacy-pii.js";
import { evaluate } from "../../src/verdict/evaluate.js";
import { resolveConfig } from "../../src/config/resolve.js";
import { recordSchema } from "../../src/evidence/record-schema.js";
import { readArchiveDirectory } from "../../src/evidence/local-archive.js";
import type { SealedRecord } from "../../src/evidence/record.js";
import { changeRow } from "../../src/export/change-row.js";
import { createServices } from "../../src/triggers/services.js";
import { scanCommand } from "../../src/cli/scan.js";
import { withGitHubChecksum } from "../../src/secrets/github-token-checksum.js";
import { configWith, env, makeFacts } from "../helpers/facts.js";
import { API, createTestApp, mockEvaluationReads, mockInstallationToken, type Scenario } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";
import type { ChangedFile } from "../../src/facts.js";
import type { CliIO } from "../../src/cli/io.js";
import { card, grouped, iban, ssn } from "./identifiers.js";

const pan = grouped(card.visa(), [4, 4, 4, 4]);
const account = iban.de();
const patch = ["@@ -1,2 +1,5 @@", " export const fixtures = {", `+  card: "${pan}",`, `+  payout: "${account}", // soc2-guard:allow synthetic`, `+  ssn: "${ssn()}",`, " };"].join("\n");
const file = (path: string, p: string): ChangedFile => ({ path, previousPath: null, status: "modified", additions: 3, deletions: 0, patch: p });
const planted = [pan, pan.replace(/ /g, ""), account, ssn(), ssn().replace(/-/g, "")];
const leaks = (text: string) => planted.filter((v) => text.includes(v));

afterEach(() => nock.cleanAll());

describe("privacy.pii control", () => {
  it("is advisory by default: warning annotations with masked previews, a failing row that does not block", () => {
    const facts = makeFacts({ pr: { files: [file("src/fixtures.ts", patch)] } });
    const result = privacyPii.evaluate(facts, configWith(() => {}), env);
    expect(result).toMatchObject({ id: "privacy.pii", mode: "advisory", status: "fail", criteria: ["C1.1", "P4.1"] });
    expect(result.reason).toBe("2 possible personal data findings: 1 × pii.payment-card, 1 × pii.us-ssn; 1 suppressed with soc2-guard:allow");
    expect(result.annotations.map((a) => [a.title, a.startLine, a.level])).toEqual([
      ["pii.payment-card", 2, "warning"],
      ["pii.us-ssn", 4, "warning"],
    ]);
    expect(result.annotations[0]!.message).toContain(`•••• •••• •••• ••${pan.slice(-2)}`);
    expect(result.details).toMatchObject({ suppressed: [{ rule: "pii.iban", path: "src/fixtures.ts", line: 3 }] });

    const verdict = evaluate(facts, resolveConfig([]), env, "ev");
    const row = verdict.summary.split("\n").find((l) => l.includes("privacy.pii"))!;
    expect(row).toContain("2 possible personal data findings");
    expect(verdict.results.find((r) => r.id === "secrets.diff")!.status).toBe("pass");
    expect(leaks(JSON.stringify(verdict))).toEqual([]);
  });

  it("fails the check when enforced, and is silent when off", () => {
    const facts = makeFacts({ pr: { files: [file("src/fixtures.ts", patch)] } });
    const enforced = evaluate(facts, resolveConfig([{ source: "acme/.github", file: ".github/soc2-guard.yml", text: "controls:\n  privacy.pii: { mode: enforce }\n", isOrgLayer: true }]), env, "ev");
    const result = enforced.results.find((r) => r.id === "privacy.pii")!;
    expect(result.annotations.every((a) => a.level === "failure")).toBe(true);
    expect(enforced.conclusion).toBe("failure");
    const off = privacyPii.evaluate(facts, configWith((c) => (c.controls["privacy.pii"].mode = "off")), env);
    expect(off).toMatchObject({ status: "skipped", annotations: [] });
  });

  it("takes test values and domains from the config allowlist", () => {
    const facts = makeFacts({ pr: { files: [file("src/fixtures.ts", patch)] } });
    const config = configWith((c) => (c.controls["privacy.pii"].allow = [pan, ssn()]));
    expect(privacyPii.evaluate(facts, config, env).status).toBe("pass");
    const parsed = resolveConfig([{ source: "acme/app", file: ".github/soc2-guard.yml", text: "controls:\n  privacy.pii: { mode: enforce, bulkThreshold: 5, allowDomains: [fixtures.acme.io] }\n", isOrgLayer: false }]);
    expect(parsed.problems).toEqual([]);
    expect(parsed.config.controls["privacy.pii"]).toMatchObject({ mode: "enforce", bulkThreshold: 5, allowDomains: ["fixtures.acme.io"] });
  });
});

describe("privacy.pii in the app", () => {
  const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
  const MERGE = "5c2f1e1b7d6a4c3b2a19f8e7d6c5b4a392817160";
  const merged: Scenario = {
    owner: "Codertocat",
    repo: "Hello-World",
    number: 2,
    merged: true,
    mergedBy: "octo-maintainer",
    mergeCommitSha: MERGE,
    commits: [{ sha: HEAD, author: "Codertocat" }],
    reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }],
    checks: [{ name: "build", status: "COMPLETED", conclusion: "SUCCESS" }],
    title: "Fixtures (DOC-1)",
  };

  it("annotates the check run, records fingerprints in the evidence and counts them in changes.csv", async () => {
    const dir = mkdtempSync(join(tmpdir(), "archive-"));
    const app = createTestApp(createServices({ appSlug: async () => "soc2-guard", fingerprintKey: new Uint8Array(32).fill(7), now: () => new Date("2026-11-02T12:40:00Z") }, { archiveDir: dir }));
    const sent: string[] = [];
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, { ...merged, merged: false }, { permissions: { "octo-reviewer": "write" }, files: [{ filename: "src/fixtures.ts", patch, additions: 3 }] });
    scope.post("/repos/Codertocat/Hello-World/check-runs").reply(201, (_u, body) => (sent.push(JSON.stringify(body)), { id: 1 }));
    scope.patch("/repos/Codertocat/Hello-World/check-runs/1").times(2).reply(200, (_u, body) => (sent.push(JSON.stringify(body)), { id: 1 }));
    await app.receive("pull_request", webhookPayload("pull_request", "opened"));
    expect(sent.join("")).toContain("pii.payment-card");
    expect(sent.join("")).toContain("Possible personal data");

    const payload = webhookPayload("pull_request", "closed", 1);
    Object.assign(payload.pull_request as Record<string, unknown>, { merged: true, merge_commit_sha: MERGE });
    mockEvaluationReads(scope, merged, { permissions: { "octo-reviewer": "write" }, files: [{ filename: "src/fixtures.ts", patch, additions: 3 }] });
    await app.receive("pull_request", payload);
    const { lines } = readArchiveDirectory(dir);
    const record = JSON.parse(lines[0]!.text) as SealedRecord;
    expect(new Ajv({ strict: false }).validate(recordSchema, record)).toBe(true);
    expect(record.pii).toEqual({
      findings: [
        { rule: "pii.payment-card", path: "src/fixtures.ts", line: 2, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) },
        { rule: "pii.us-ssn", path: "src/fixtures.ts", line: 4, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) },
      ],
      suppressed: [{ rule: "pii.iban", path: "src/fixtures.ts", line: 3, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) }],
      notScanned: [],
    });
    expect(changeRow(record).piiFindings).toBe(2);
    expect(leaks(lines.map((l) => l.text).join("\n") + sent.join(""))).toEqual([]);
  });
});

describe("privacy.pii scans what secrets.diff scans (one target list), and unscanned is not clean", () => {
  const blob = (sha: string, text: string) => ({ sha, size: Buffer.byteLength(text), content: Buffer.from(text).toString("base64"), encoding: "base64" });
  const isQuery = (name: string) => (body: { query?: string }) => String(body.query).includes(`query ${name}`);
  const scenario: Scenario = { owner: "Codertocat", repo: "Hello-World", number: 2, commits: [{ sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", author: "Codertocat" }], reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: "ec26c3e57ca3a959ca5aad62de7213c562f8c821" }], checks: [{ name: "build", status: "COMPLETED", conclusion: "SUCCESS" }], title: "Customer import (DOC-7)" };
  const CSV = "c5c0000000000000000000000000000000000001";
  const DUMP = "d0000000000000000000000000000000000000f4";

  async function checkRun(files: Array<Record<string, unknown>>, reads: (scope: nock.Scope) => void): Promise<{ summary: string; sent: string }> {
    const app = createTestApp();
    const sent: string[] = [];
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, { ...scenario, paths: files.map((f) => String(f.filename)) }, { permissions: { "octo-reviewer": "write" }, files: files as never });
    reads(scope);
    scope.post("/repos/Codertocat/Hello-World/check-runs").reply(201, (_u, body) => (sent.push(JSON.stringify(body)), { id: 1 }));
    scope.patch("/repos/Codertocat/Hello-World/check-runs/1").times(2).reply(200, (_u, body) => (sent.push(JSON.stringify(body)), { id: 1 }));
    await app.receive("pull_request", webhookPayload("pull_request", "opened"));
    const last = JSON.parse(sent[sent.length - 1]!) as { output: { summary: string } };
    return { summary: last.output.summary, sent: sent.join("") };
  }
  const rowOf = (summary: string, id: string) => summary.split("\n").find((l) => l.includes(`\`${id}\``)) ?? "";

  it("finds a card number that is only in a file GitHub sent without a patch (read through the blobs API, as secrets.diff reads it)", async () => {
    // A large export GitHub shows no diff for: the card is on its last line.
    const csv = `id,note\n${"1,ok\n".repeat(25_000)}25001,"card ${pan} on file"\n`;
    const { summary, sent } = await checkRun([{ filename: "db/customers.csv", status: "added", additions: 25_002, sha: CSV }], (scope) => {
      scope.post("/graphql", isQuery("BlobSizes")).reply(200, { data: { repository: { b0: { oid: CSV, byteSize: Buffer.byteLength(csv) } } } });
      scope.get(`/repos/Codertocat/Hello-World/git/blobs/${CSV}`).reply(200, blob(CSV, csv));
    });
    expect(rowOf(summary, "privacy.pii")).toContain("1 possible personal data finding: 1 × pii.payment-card");
    expect(sent).toContain('"path":"db/customers.csv"');
    expect(leaks(sent)).toEqual([]);
  });

  it("fails privacy.pii, naming the file, when a file without a patch could not be read (over the per-file budget)", async () => {
    const { summary } = await checkRun([{ filename: "exports/dump.sql", status: "added", additions: 90_000, sha: DUMP }], (scope) => {
      scope.post("/graphql", isQuery("BlobSizes")).reply(200, { data: { repository: { b0: { oid: DUMP, byteSize: 6 * 1024 * 1024 } } } });
    });
    const row = rowOf(summary, "privacy.pii");
    expect(row).toContain("⚠️"); // advisory by default: a failing row that does not block
    expect(row).toContain("unscanned is not clean");
    expect(row).toContain("exports/dump.sql: GitHub showed no diff and the file was not read: 6 MB is over the 5 MB per-file budget");
    expect(rowOf(summary, "secrets.diff")).toContain("exports/dump.sql");
  });
});

describe("soc2-guard scan", () => {
  function captureIO(cwd: string): CliIO & { out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), readStdin: async () => "", env: { SOC2_GUARD_FINGERPRINT_KEY: "ab".repeat(32) }, cwd };
  }
  const token = withGitHubChecksum("ghp", "Pr1vacyScanT0kenValue9xQ2mN7vQ");

  it("reports pii.* findings beside secrets, and --only narrows to one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scan-"));
    writeFileSync(join(dir, "leak.ts"), `const t = "${token}";\nconst card = "${pan}";\n`);
    const both = captureIO(dir);
    expect(await scanCommand(["leak.ts", "--format", "json"], both)).toBe(1);
    expect((JSON.parse(both.out.join("")) as Array<{ rule: string; line: number }>).map((f) => [f.rule, f.line])).toEqual([["github-pat", 1], ["pii.payment-card", 2]]);
    const pii = captureIO(dir);
    await scanCommand(["leak.ts", "--only", "pii"], pii);
    expect(pii.out.join("")).toContain("leak.ts:2:15: Payment card number (pii.payment-card)");
    expect(pii.out.join("")).not.toContain("github-pat");
    const secrets = captureIO(dir);
    await scanCommand(["leak.ts", "--only", "secrets", "--format", "json"], secrets);
    expect((JSON.parse(secrets.out.join("")) as Array<{ rule: string }>).map((f) => f.rule)).toEqual(["github-pat"]);
    expect(await scanCommand(["leak.ts", "--only", "everything"], captureIO(dir))).toBe(2);
    expect(leaks([...both.out, ...pii.out, ...secrets.out].join(""))).toEqual([]);
  });
});
