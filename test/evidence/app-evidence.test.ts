import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { API, createTestApp, mockEvaluationReads, mockInstallationToken, type Scenario } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";
import { createServices } from "../../src/triggers/services.js";
import { LocalDirectoryArchive, readArchiveDirectory } from "../../src/evidence/local-archive.js";
import { verifyChain } from "../../src/evidence/verify.js";
import { recordSchema } from "../../src/evidence/record-schema.js";
import { buildDirectPushRecord, type EvidenceRecord, type SealedRecord } from "../../src/evidence/record.js";
import { makeVerifyCommand } from "../../src/cli/verify.js";
import type { CliIO } from "../../src/cli/io.js";

const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const MERGE = "5c2f1e1b7d6a4c3b2a19f8e7d6c5b4a392817160";
const validateRecord = new Ajv({ strict: false, allErrors: true }).compile(recordSchema);

function archiveApp(dir: string) {
  return createTestApp(createServices({ appSlug: async () => "soc2-guard", fingerprintKey: new Uint8Array(32).fill(7), now: () => new Date("2026-11-02T12:40:00Z") }, { archiveDir: dir }));
}

function mergedPayload(): Record<string, unknown> {
  const payload = webhookPayload("pull_request", "closed", 1);
  const pr = payload.pull_request as Record<string, unknown>;
  pr.merged = true;
  pr.merge_commit_sha = MERGE;
  return payload;
}

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
  title: "Update the README with new information (DOC-1)",
};

function io(cwd: string): CliIO & { out: string[] } {
  const out: string[] = [];
  return { out, stdout: (t) => out.push(t), stderr: (t) => out.push(t), readStdin: async () => "", env: {}, cwd };
}

afterEach(() => nock.cleanAll());

describe("evidence record on merge", () => {
  it("records every field for a real merged-PR payload, validates against the published schema", async () => {
    const dir = mkdtempSync(join(tmpdir(), "archive-"));
    const app = archiveApp(dir);
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, merged, { permissions: { "octo-reviewer": "write" } });
    await app.receive("pull_request", mergedPayload());

    const { lines, head } = readArchiveDirectory(dir);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.location).toBe("records/2026/11/02.jsonl:1");
    const record = JSON.parse(lines[0]!.text) as SealedRecord;
    expect(validateRecord(record), JSON.stringify(validateRecord.errors)).toBe(true);
    expect(record).toMatchObject({
      schema: "soc2-guard/evidence-record@1",
      id: `Codertocat/Hello-World#2@${MERGE}`,
      kind: "pull-request",
      repository: "Codertocat/Hello-World",
      baseBranch: "main",
      pullRequest: { number: 2, author: "Codertocat", headSha: HEAD, mergeCommitSha: MERGE, mergedBy: "octo-maintainer", mergedAt: "2026-11-02T12:30:00Z", mergeMethod: "merge" },
      push: null,
      ticketRefs: ["DOC-1"],
      approvals: [{ login: "octo-reviewer", commitId: HEAD, state: "APPROVED", counted: true, discountedBecause: null, coversMergedHead: true, submittedAt: "2026-11-02T11:00:00Z" }],
      flags: { independentApproval: true, approvedBeforeMerge: true, coversMergedHead: true, ciPassed: true },
      checks: [{ name: "build", app: "github-actions", conclusion: "success", completedAt: "2026-11-02T11:30:00Z" }],
      secrets: { findings: [], suppressed: [], notScanned: [] },
      exception: null,
      collectedAt: "2026-11-02T12:40:00.000Z",
      collectedLate: false,
      prev: "0".repeat(64),
    });
    expect(record.controls.map((c) => c.id)).toEqual(["review.approval", "ci.passing", "branch.protection", "secrets.diff", "secrets.repository", "change.ticket", "privacy.pii"]);
    expect(record.branchRulesHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.deliveryId).toMatch(/^delivery-/);
    expect(head).toMatchObject({ hash: record.hash, count: 1, lastId: record.id });
    expect(verifyChain(lines, head)).toEqual({ ok: true, count: 1, head: record.hash });
  });

  it("writes nothing new when the webhook is redelivered", async () => {
    const dir = mkdtempSync(join(tmpdir(), "archive-"));
    const app = archiveApp(dir);
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, merged, { permissions: { "octo-reviewer": "write" } });
    await app.receive("pull_request", mergedPayload());
    mockEvaluationReads(scope, merged, { permissions: { "octo-reviewer": "write" } });
    await app.receive("pull_request", mergedPayload());
    expect(readArchiveDirectory(dir).lines).toHaveLength(1);
    // A new process over the same directory also sees the record.
    const again = new LocalDirectoryArchive(dir);
    expect(await again.has(`Codertocat/Hello-World#2@${MERGE}`)).toBe(true);
  });
});

describe("direct pushes", () => {
  const pushPayload = (forced: boolean): Record<string, unknown> => {
    const p = webhookPayload("push", undefined, 0);
    return { ...p, ref: `refs/heads/${(p.repository as { default_branch: string }).default_branch}`, forced, created: false, deleted: false };
  };

  it("records an unexplained push to the default branch and opens one justification issue", async () => {
    const dir = mkdtempSync(join(tmpdir(), "archive-"));
    const app = archiveApp(dir);
    const payload = pushPayload(true);
    const repo = payload.repository as { name: string; owner: { login?: string; name?: string } };
    const owner = repo.owner.login ?? repo.owner.name!;
    const after = payload.after as string;
    const scope = mockInstallationToken(nock(API));
    scope.get(`/repos/${owner}/.github/contents/.github%2Fsoc2-guard.yml`).times(2).reply(404, { message: "Not Found" });
    scope.get(`/repos/${owner}/${repo.name}/contents/.github%2Fsoc2-guard.yml`).times(2).reply(404, { message: "Not Found" });
    scope.get(`/repos/${owner}/${repo.name}/commits/${after}/pulls`).times(2).reply(200, []);
    await app.receive("push", payload);
    await app.receive("push", payload); // redelivery

    const { lines } = readArchiveDirectory(dir);
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!.text) as SealedRecord;
    expect(validateRecord(record), JSON.stringify(validateRecord.errors)).toBe(true);
    expect(record).toMatchObject({ kind: "direct-push", id: `${owner}/${repo.name}@${after}`, push: { forced: true, after }, flags: { independentApproval: false } });
    const issues = readdirSync(join(dir, "issues"));
    expect(issues).toHaveLength(1);
    expect(readFileSync(join(dir, "issues", issues[0]!), "utf8")).toMatch(/Unreviewed change: .* pushed to master by Codertocat/);
  });
});

function directRecord(n: number): EvidenceRecord {
  return buildDirectPushRecord({
    push: { repository: "acme/api", ref: "refs/heads/main", before: "0".repeat(40), after: n.toString(16).padStart(40, "0"), forced: false, pusher: "dev", commits: [] },
    branchRules: null,
    configHash: "c".repeat(64),
    meta: { deliveryId: `d${n}`, appVersion: "0.1.0", collectedAt: "2026-11-02T12:00:00.000Z" },
  });
}

describe("verify", () => {
  async function archiveWith(n: number): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), "verify-"));
    const archive = new LocalDirectoryArchive(dir, () => new Date("2026-11-02T12:00:00Z"));
    await archive.append(Array.from({ length: n }, (_, i) => directRecord(i + 1)));
    return dir;
  }
  const shard = (dir: string) => join(dir, "records/2026/11/02.jsonl");
  const verify = makeVerifyCommand();

  it("passes an intact archive and prints the count", async () => {
    const dir = await archiveWith(5);
    const cli = io(dir);
    expect(await verify(["--archive", "."], cli)).toBe(0);
    expect(cli.out.join("")).toMatch(/^ok: 5 records intact in .*; chain head [0-9a-f]{64}\nnote: without --key [^\n]*\n$/);
  });

  it("names an edited record", async () => {
    const dir = await archiveWith(5);
    const lines = readFileSync(shard(dir), "utf8").split("\n");
    lines[2] = lines[2]!.replace('"pusher":"dev"', '"pusher":"ops"');
    writeFileSync(shard(dir), lines.join("\n"));
    const cli = io(dir);
    expect(await verify(["--archive", "."], cli)).toBe(1);
    expect(cli.out.join("")).toBe(`BROKEN at records/2026/11/02.jsonl:3 (acme/api@${(3).toString(16).padStart(40, "0")}): edited — its content does not match its hash: the record was changed after it was sealed. 2 records before it verified.\n`);
  });

  it("names the record after a removed one", async () => {
    const dir = await archiveWith(5);
    const lines = readFileSync(shard(dir), "utf8").split("\n");
    lines.splice(1, 1);
    writeFileSync(shard(dir), lines.join("\n"));
    const cli = io(dir);
    expect(await verify(["--archive", "."], cli)).toBe(1);
    expect(cli.out.join("")).toMatch(/^BROKEN at records\/2026\/11\/02.jsonl:2 .*: removed — .* the record before it was removed/);
  });

  it("names reordered records", async () => {
    const dir = await archiveWith(5);
    const lines = readFileSync(shard(dir), "utf8").split("\n");
    [lines[1], lines[2]] = [lines[2]!, lines[1]!];
    writeFileSync(shard(dir), lines.join("\n"));
    const cli = io(dir);
    expect(await verify(["--archive", "."], cli)).toBe(1);
    expect(cli.out.join("")).toMatch(/^BROKEN at records\/2026\/11\/02.jsonl:2 .*: reordered/);
  });

  it("catches records removed from the end through the head", async () => {
    const dir = await archiveWith(5);
    const lines = readFileSync(shard(dir), "utf8").split("\n").filter(Boolean);
    writeFileSync(shard(dir), `${lines.slice(0, 4).join("\n")}\n`);
    const cli = io(dir);
    expect(await verify(["--archive", "."], cli)).toBe(1);
    expect(cli.out.join("")).toMatch(/^BROKEN at head.json .*: truncated — head.json says 5 records/);
  });
});


describe("archive unavailable", () => {
  it("keeps the record, and says so in the logs and on the merged PR's check run", async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), "spool-"));
    const logs: string[] = [];
    const app = createTestApp(
      createServices({ appSlug: async () => "soc2-guard", fingerprintKey: new Uint8Array(32).fill(7), now: () => new Date("2026-11-02T12:40:00Z") }, { spoolDir }),
      { logLines: logs },
    );
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, { ...merged, checks: [...merged.checks!, { name: "soc2-guard", app: "soc2-guard", status: "COMPLETED", conclusion: "SUCCESS", id: 777 }] }, { permissions: { "octo-reviewer": "write" } });
    // The archive repository does not exist.
    scope.post("/graphql", (b: { query?: string }) => !String(b.query).includes("PullRequestFacts")).optionally().times(5).reply(200, { data: { repository: null }, errors: [{ type: "NOT_FOUND", path: ["repository"], message: "Could not resolve to a Repository with the name 'Codertocat/compliance-evidence'." }] });
    scope.get(/\/repos\/Codertocat\/compliance-evidence\/.*/).optionally().times(10).reply(404, { message: "Not Found" });
    let note = "";
    scope.patch("/repos/Codertocat/Hello-World/check-runs/777").reply(200, (_u, body) => ((note = (body as { output: { summary: string } }).output.summary), { id: 777 }));
    await app.receive("pull_request", mergedPayload());
    expect(note).toMatch(/^> \[!WARNING\]\n> The evidence record for this merge could not be written to Codertocat\/compliance-evidence/);
    expect(note).toContain("nothing is lost");
    expect(logs.join("")).toContain("evidence could not be archived; kept for retry");
    const spooled = (readdirSync(spoolDir, { recursive: true }) as string[]).filter((f) => f.endsWith(".json")).map((f) => readFileSync(join(spoolDir, f), "utf8")).join("");
    expect(spooled).toContain(`Codertocat/Hello-World#2@${MERGE}`);
  });
});
