// Issue 11 item 6, played through the app on a real merged-PR payload: nothing is lost on
// the way into the archive. Each of these lost (or could lose) evidence on 3dca4fb.

import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { API, createTestApp, factsResponse, INSTALLATION_ID, mockEvaluationReads, mockInstallationToken, type Scenario } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";
import { createServices, type AppServices } from "../../src/triggers/services.js";
import { readArchiveDirectory } from "../../src/evidence/local-archive.js";
import { ArchiveUnavailableError, type AppendResult, type EvidenceArchive } from "../../src/evidence/archive.js";
import { SpoolingArchive } from "../../src/evidence/pending-spool.js";
import type { EvidenceRecord, SealedRecord } from "../../src/evidence/record.js";
import * as evidence from "../../src/triggers/record-evidence.js";
import type { GitHubClient } from "../../src/github/transport/client.js";

const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const mergeSha = (n: number) => n.toString(16).padStart(40, "5");
const NOW = new Date("2026-11-02T12:40:00Z");

afterEach(() => nock.cleanAll());

function mergedPayload(number = 2): Record<string, unknown> {
  const payload = webhookPayload("pull_request", "closed", 1);
  const pr = payload.pull_request as Record<string, unknown>;
  Object.assign(pr, { merged: true, merge_commit_sha: mergeSha(number), number });
  return payload;
}

const scenario = (number = 2): Scenario => ({
  owner: "Codertocat",
  repo: "Hello-World",
  number,
  merged: true,
  mergedBy: "octo-maintainer",
  mergeCommitSha: mergeSha(number),
  commits: [{ sha: HEAD, author: "Codertocat" }],
  reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }],
  checks: [{ name: "build", status: "COMPLETED", conclusion: "SUCCESS" }],
});

function reads(scope: nock.Scope, number = 2): nock.Scope {
  return mockEvaluationReads(scope, scenario(number), { permissions: { "octo-reviewer": "write" } });
}

function setup(options: { archive?: (dir: string) => EvidenceArchive; logs?: string[]; clock?: { now: Date }; spoolDir?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "archive-"));
  const spoolDir = options.spoolDir ?? mkdtempSync(join(tmpdir(), "spool-"));
  const clock = options.clock ?? { now: NOW };
  const base = createServices({ appSlug: async () => "soc2-guard", fingerprintKey: new Uint8Array(32).fill(7), now: () => clock.now }, { archiveDir: dir, spoolDir });
  const overrides: Partial<AppServices> = options.archive
    ? (() => {
        const spooled = new SpoolingArchive(options.archive!(dir), join(spoolDir, "records", "custom"), { now: () => clock.now });
        return { ...base, archiveFor: () => spooled, spoolHealth: () => ({ ...base.spoolHealth(), records: spooled.pendingCount }) };
      })()
    : base;
  const app = createTestApp(overrides, { logLines: options.logs ?? [] });
  return { app, dir, spoolDir, clock, records: () => readArchiveDirectory(dir).lines.map((l) => JSON.parse(l.text) as SealedRecord) };
}

const files = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".json")).map((f) => join(dir, f));

describe("the webhook's facts are kept before anything is fetched", () => {
  it("keeps a merge that arrives during a 502 storm and records it, with its delivery id, once GitHub answers", async () => {
    const logs: string[] = [];
    const { app, spoolDir, records } = setup({ logs });
    const storm = mockInstallationToken(nock(API));
    storm.post("/graphql").times(10).reply(502, { message: "Server Error" });
    storm.get(/.*/).optionally().times(20).reply(502, { message: "Server Error" });
    await app.receive("pull_request", mergedPayload());
    expect(records()).toEqual([]);
    const kept = files(spoolDir).map((f) => JSON.parse(readFileSync(f, "utf8")) as { value: { kind: string; ref: { number: number }; deliveryId: string } });
    expect(kept.map((k) => [k.value.kind, k.value.ref.number])).toEqual([["merged-pull-request", 2]]);
    expect(app.services.spoolHealth()).toMatchObject({ pending: 1, intents: 1, overdue: false });
    expect(logs.join("")).toContain("evidence could not be collected yet");

    // GitHub is back: the kept intent becomes the record, under the webhook's delivery id.
    nock.cleanAll();
    reads(mockInstallationToken(nock(API)));
    await evidence.retryEvidence(app.services);
    expect(records().map((r) => [r.id, r.deliveryId])).toEqual([[`Codertocat/Hello-World#2@${mergeSha(2)}`, kept[0]!.value.deliveryId]]);
    expect(files(spoolDir)).toEqual([]);
  });

  it("picks up what a previous process kept, with a client made from the installation id", async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), "spool-"));
    const first = setup({ spoolDir });
    const storm = mockInstallationToken(nock(API));
    storm.post("/graphql").times(10).reply(502, { message: "Server Error" });
    storm.get(/.*/).optionally().times(20).reply(502, { message: "Server Error" });
    await first.app.receive("pull_request", mergedPayload());
    nock.cleanAll();

    // A new process over the same spool and archive.
    const second = setup({ spoolDir });
    reads(mockInstallationToken(nock(API)));
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    expect(await evidence.resumeEvidence(second.app.services, log, async (id) => (await second.app.probot.auth(id ?? INSTALLATION_ID)) as unknown as GitHubClient)).toBe(1);
    await evidence.retryEvidence(second.app.services);
    expect(second.records().map((r) => r.pullRequest?.number)).toEqual([2]);
  });

  it("backs off to a cap and keeps trying past 72 hours; then the health says so and an issue is opened", async () => {
    const logs: string[] = [];
    const clock = { now: NOW };
    const { app, dir } = setup({ logs, clock });
    const storm = mockInstallationToken(nock(API));
    // Only the pull request's facts fail; the config reads (for the issue) work.
    storm.post("/graphql").times(20).reply(502, { message: "Server Error" });
    storm.get(/\/contents\//).optionally().times(20).reply(404, { message: "Not Found" });
    storm.get(/.*/).optionally().times(200).reply(502, { message: "Server Error" });
    await app.receive("pull_request", mergedPayload());
    for (let attempt = 2; attempt <= 8; attempt++) {
      clock.now = new Date(NOW.getTime() + attempt * 10 * 3_600_000); // up to 80 h later
      await evidence.retryEvidence(app.services);
    }
    const delays = logs.map((l) => JSON.parse(l) as { msg?: string; retryInMs?: number }).filter((l) => l.msg?.startsWith("evidence could not be collected yet")).map((l) => l.retryInMs);
    expect(delays).toEqual([2_000, 6_000, 18_000, 54_000, 162_000, 486_000, 600_000, 600_000]);
    expect(app.services.spoolHealth()).toMatchObject({ pending: 1, overdue: true, oldestSince: NOW.toISOString() });
    expect(app.services.evidenceProblem?.()).toMatch(/^1 evidence record\(s\) waiting for the archive since 2026-11-02T12:40:00.000Z/);
    const issues = readdirSync(join(dir, "issues")).map((f) => readFileSync(join(dir, "issues", f), "utf8"));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^# Evidence records waiting for Codertocat\/compliance-evidence since 2026-11-02/);
  });
});

describe("the spool", () => {
  /** A local archive that refuses one record (as GitHub refuses a commit it will not take: 422). */
  class RefusingArchive implements EvidenceArchive {
    constructor(
      private readonly inner: EvidenceArchive,
      private readonly refused: string,
    ) {}
    readonly description = "refusing archive";
    has = (id: string) => this.inner.has(id);
    read = () => this.inner.read();
    async append(records: EvidenceRecord[]): Promise<AppendResult> {
      if (records.some((r) => r.id === this.refused)) throw Object.assign(new Error("Validation Failed"), { status: 422 });
      return this.inner.append(records);
    }
  }

  it("never lets one refused record block the others", async () => {
    const refused = `Codertocat/Hello-World#2@${mergeSha(2)}`;
    const { LocalDirectoryArchive } = await import("../../src/evidence/local-archive.js");
    const { app, records, spoolDir } = setup({ archive: (dir) => new RefusingArchive(new LocalDirectoryArchive(dir, () => NOW), refused) });
    const scope = mockInstallationToken(nock(API));
    reads(scope, 2);
    reads(scope, 3);
    await app.receive("pull_request", mergedPayload(2));
    await app.receive("pull_request", mergedPayload(3));
    expect(records().map((r) => r.pullRequest?.number)).toEqual([3]);
    // The refused record waits on its own, with why.
    const kept = files(join(spoolDir, "records")).map((f) => JSON.parse(readFileSync(f, "utf8")) as { id: string; lastProblem: string });
    expect(kept.map((k) => [k.id, k.lastProblem])).toEqual([[refused, "Validation Failed"]]);
  });

  it("quarantines a corrupt line of the spool with a log, and every other record is still written", async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), "spool-"));
    // A spool as 3dca4fb wrote it (one line per record), with a line cut short by a crash.
    const good = await recordFor(4);
    const logs: string[] = [];
    const { app, records, dir } = setup({ spoolDir, logs });
    const name = `dir:${dir}`.replace(/[^A-Za-z0-9._-]/g, "_");
    writeFileSync(join(spoolDir, `${name}.jsonl`), `${JSON.stringify(good)}\n{"schema":"soc2-guard/evidence-rec\n`);
    reads(mockInstallationToken(nock(API)), 2);
    await app.receive("pull_request", mergedPayload(2));
    expect(records().map((r) => r.id).sort()).toEqual([`Codertocat/Hello-World#2@${mergeSha(2)}`, good.id].sort());
    expect(logs.join("")).toContain("quarantined");
    expect(readdirSync(join(spoolDir, "records", name, "quarantine"))).toHaveLength(1);
  });

  it("is safe for two processes sharing it, and keeps every entry readable by its owner only", async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), "spool-"));
    const down = (): EvidenceArchive => ({ description: "down", has: async () => false, read: async () => ({ lines: [], head: null }), append: async () => Promise.reject(new ArchiveUnavailableError("GitHub is down", "unreachable")) });
    const a = new SpoolingArchive(down(), join(spoolDir, "records", "org"));
    const b = new SpoolingArchive(down(), join(spoolDir, "records", "org"));
    // Interleaved, as two replicas would: each one's write must keep the other's.
    await a.append([await recordFor(1)]);
    await b.append([await recordFor(2)]);
    await a.append([await recordFor(3)]);
    await Promise.all([b.append([await recordFor(5)]), a.append([await recordFor(6)])]);
    expect(a.pendingCount).toBe(5);
    expect(b.pendingCount).toBe(5);
    for (const f of files(spoolDir)) expect(statSync(f).mode & 0o777).toBe(0o600);
    a.stop();
    b.stop();

    // Through the app: the intake's entries too.
    const { app } = setup({ spoolDir });
    const storm = mockInstallationToken(nock(API));
    storm.post("/graphql").times(10).reply(502, { message: "Server Error" });
    storm.get(/.*/).optionally().times(20).reply(502, { message: "Server Error" });
    await app.receive("pull_request", mergedPayload(7));
    const intake = files(join(spoolDir, "intake"));
    expect(intake).toHaveLength(1);
    expect(statSync(intake[0]!).mode & 0o777).toBe(0o600);
    expect(statSync(join(spoolDir, "intake")).mode & 0o777).toBe(0o700);
  });
});

describe("SIGTERM", () => {
  it("finishes in-flight evidence work within the grace, takes nothing new, and leaves the rest in the spool", async () => {
    const { app, records, spoolDir } = setup();
    const scope = mockInstallationToken(nock(API));
    // The merge in flight when SIGTERM comes: GitHub answers after 300 ms.
    slowFacts(scope, 2, 300);
    reads(scope, 2);
    const inFlight = app.receive("pull_request", mergedPayload(2));
    await new Promise((r) => setTimeout(r, 50));
    const drained = evidence.drainEvidence(app.services, 25_000);
    // A delivery after SIGTERM: kept on disk, not worked on.
    await app.receive("pull_request", mergedPayload(3));
    expect(await drained).toEqual({ finished: 1, left: 1 });
    await inFlight;
    expect(records().map((r) => r.pullRequest?.number)).toEqual([2]);
    expect(files(join(spoolDir, "intake")).map((f) => (JSON.parse(readFileSync(f, "utf8")) as { value: { ref: { number: number } } }).value.ref.number)).toEqual([3]);
  });

  it("stops waiting at the deadline and keeps what was not finished", async () => {
    const { app, spoolDir } = setup();
    const scope = mockInstallationToken(nock(API));
    slowFacts(scope, 2, 1_500);
    reads(scope, 2);
    const inFlight = app.receive("pull_request", mergedPayload(2)).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    expect(await evidence.drainEvidence(app.services, 200)).toEqual({ finished: 0, left: 1 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(files(join(spoolDir, "intake"))).toHaveLength(1);
    await inFlight;
  });
});

/** The facts query of PR `number`, answered after `ms` (registered first, so it is the one used). */
function slowFacts(scope: nock.Scope, number: number, ms: number): void {
  scope.post("/graphql", (b: { query?: string }) => String(b.query).includes("query PullRequestFacts")).delay(ms).reply(200, factsResponse(scenario(number)));
}

async function recordFor(n: number): Promise<EvidenceRecord> {
  const { buildDirectPushRecord } = await import("../../src/evidence/record.js");
  return buildDirectPushRecord({
    push: { repository: "Codertocat/Hello-World", ref: "refs/heads/master", before: "0".repeat(40), after: n.toString(16).padStart(40, "0"), forced: false, pusher: "dev", commits: [] },
    branchRules: null,
    configHash: "c".repeat(64),
    meta: { deliveryId: `d${n}`, appVersion: "0.1.0", collectedAt: NOW.toISOString() },
  });
}
