import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProbotOctokit } from "probot";
import { makeFacts, review } from "../helpers/facts.js";
import { makeReconcileCommand, makeBackfillCommand } from "../../src/cli/reconcile.js";
import { firstParentLine, monthPeriod, reconcileRepository, sincePeriod, type BranchCommit, type PullRequestEvidence } from "../../src/evidence/reconcile.js";
import { LocalDirectoryArchive, readArchiveDirectory } from "../../src/evidence/local-archive.js";
import { buildDirectPushRecord, buildPullRequestRecord, type SealedRecord } from "../../src/evidence/record.js";
import { verifyChain } from "../../src/evidence/verify.js";
import { evaluate } from "../../src/verdict/evaluate.js";
import { resolveConfig } from "../../src/config/resolve.js";
import type { CliIO } from "../../src/cli/io.js";
import type { GitHubClient } from "../../src/github/transport/client.js";

const API = "https://api.github.com";
const c = (name: string): string => name.padEnd(40, "0").replace(/[^0-9a-f]/g, "e");
const client = () => new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as GitHubClient;

afterEach(() => nock.cleanAll());

describe("periods", () => {
  it("turns YYYY-MM into that UTC month and rejects anything else", () => {
    expect(monthPeriod("2026-11")).toEqual({ label: "2026-11", since: "2026-11-01T00:00:00.000Z", until: "2026-12-01T00:00:00.000Z" });
    expect(monthPeriod("2026-12")?.until).toBe("2027-01-01T00:00:00.000Z");
    for (const bad of ["2026-13", "2026-1", "26-11", "2026-11-01", ""]) expect(monthPeriod(bad)).toBeNull();
  });

  it("turns a backfill day into [that day, now) and rejects impossible or future days", () => {
    const now = new Date("2026-11-23T10:00:00Z");
    expect(sincePeriod("2026-01-15", now)).toEqual({ label: "since 2026-01-15", since: "2026-01-15T00:00:00.000Z", until: "2026-11-23T10:00:00.000Z" });
    for (const bad of ["2026-02-30", "2026-11-24", "2026/01/15", "yesterday"]) expect(sincePeriod(bad, now)).toBeNull();
  });
});

describe("first-parent line and grouping", () => {
  const commit = (sha: string, parents: string[], day: number, message = sha): BranchCommit => ({ sha, parents, committedAt: `2026-11-${String(day).padStart(2, "0")}T10:00:00Z`, author: "dev", committer: "dev", message });

  it("follows first parents from the head and leaves out the commits a merge brought in", () => {
    const listed = [commit("m2", ["d1", "f2"], 5), commit("f2", ["f1"], 4), commit("d1", ["m1"], 4), commit("f1", ["m1"], 3), commit("m1", ["x"], 2)];
    expect(firstParentLine(listed).map((x) => x.sha)).toEqual(["m2", "d1", "m1"]);
  });

  it("groups consecutive unexplained commits into one push and counts a recorded push once", () => {
    const line = [commit("p4", ["p3"], 9), commit("p3", ["m2"], 8), commit("m2", ["r2"], 7), commit("r2", ["r1"], 6), commit("r1", ["m1"], 5), commit("m1", ["x"], 4)].map((x) => x);
    const recorded = buildDirectPushRecord({
      push: { repository: "acme/api", ref: "refs/heads/main", before: "m1", after: "r2", forced: false, pusher: "dev", commits: [{ id: "r1", message: "r1", author: {} }, { id: "r2", message: "r2", author: {} }] },
      branchRules: null,
      configHash: "c",
      meta: { deliveryId: "d", appVersion: "t", collectedAt: "2026-11-06T10:00:00Z" },
    });
    const result = reconcileRepository(
      { repository: "acme/api", defaultBranch: "main", pulls: [{ number: 1, mergeCommitSha: "m1", mergedAt: "2026-11-04T10:00:00Z", baseBranch: "main" }, { number: 2, mergeCommitSha: "m2", mergedAt: "2026-11-07T10:00:00Z", baseBranch: "main" }], line, explainedByPull: new Set() },
      [recorded],
    );
    expect(result.missingPulls.map((p) => p.number)).toEqual([1, 2]);
    expect(result.missingPushes).toEqual([{ branch: "main", before: "m2", after: "p4", commits: [line[1], line[0]] }]);
    expect(result).toMatchObject({ population: 4, found: 1 });
  });
});

/**
 * acme/api in November 2026, as GitHub lists it. Default branch, oldest → newest:
 *   c1 merge commit of #102 (brings in PR-branch commit b1)
 *   c2 a direct push, already recorded
 *   c3, c4 PR #7 rebase-merged (c4 is its merge_commit_sha; c3 only GitHub's commit→PR link explains)
 *   c5, c6 a direct push of two commits, never recorded (the webhook was lost)
 *   c7 December: outside the period
 */
const PERIOD_NOW = new Date("2026-12-02T09:00:00Z");
interface PullFixture {
  number: number;
  merged_at: string | null;
  merge_commit_sha: string | null;
  updated_at: string;
}

function closedPulls(): PullFixture[][] {
  // Page 1: 100 PRs updated in December; every third was merged in November.
  const page1: PullFixture[] = Array.from({ length: 100 }, (_, i) => {
    const number = 200 - i;
    const kind = number % 3;
    return {
      number,
      merged_at: kind === 0 ? `2026-11-${String((number % 28) + 1).padStart(2, "0")}T12:00:00Z` : kind === 1 ? "2026-12-01T08:00:00Z" : null,
      merge_commit_sha: kind === 2 ? null : c(`a${number}`),
      updated_at: `2026-12-01T${String(23 - (i % 24)).padStart(2, "0")}:00:00Z`,
    };
  });
  const with102 = page1.find((p) => p.number === 102)!;
  with102.merge_commit_sha = c("c1");
  // Page 2 ends before the period: listing stops there, page 3 is never asked for.
  const page2: PullFixture[] = [
    { number: 7, merged_at: "2026-11-04T10:00:00Z", merge_commit_sha: c("c4"), updated_at: "2026-11-05T00:00:00Z" },
    { number: 5, merged_at: "2026-10-30T10:00:00Z", merge_commit_sha: c("a5"), updated_at: "2026-10-31T00:00:00Z" },
  ];
  return [page1, page2];
}

function pullJson(p: PullFixture) {
  return {
    url: `${API}/repos/acme/api/pulls/${p.number}`,
    id: p.number,
    number: p.number,
    state: "closed",
    title: `PR ${p.number}`,
    user: { login: "dev", id: 1 },
    created_at: "2026-10-01T00:00:00Z",
    updated_at: p.updated_at,
    closed_at: p.merged_at ?? p.updated_at,
    merged_at: p.merged_at,
    merge_commit_sha: p.merge_commit_sha,
    html_url: `https://github.com/acme/api/pull/${p.number}`,
    base: { ref: "main", sha: c("base") },
    head: { ref: `feature-${p.number}`, sha: c(`h${p.number}`) },
  };
}

function commitJson(sha: string, parents: string[], date: string, login: string) {
  return {
    sha,
    url: "",
    html_url: "",
    commit: { message: `commit ${sha.slice(0, 2)}\n\nbody`, author: { name: login, email: `${login}@example.com`, date }, committer: { name: login, email: `${login}@example.com`, date } },
    author: { login, id: 1 },
    committer: { login, id: 1 },
    parents: parents.map((p) => ({ sha: p, url: "" })),
  };
}

const mainBranch = [
  commitJson(c("c7"), [c("c6")], "2026-12-01T09:00:00Z", "dev"),
  commitJson(c("c6"), [c("c5")], "2026-11-05T10:01:00Z", "mallory"),
  commitJson(c("c5"), [c("c4")], "2026-11-05T10:00:00Z", "mallory"),
  commitJson(c("c4"), [c("c3")], "2026-11-04T10:00:00Z", "web-flow"),
  commitJson(c("c3"), [c("c2")], "2026-11-04T10:00:00Z", "web-flow"),
  commitJson(c("c2"), [c("c1")], "2026-11-03T10:00:00Z", "ops"),
  commitJson(c("c1"), [c("c0"), c("b1")], "2026-11-02T10:00:00Z", "web-flow"),
  commitJson(c("b1"), [c("c0")], "2026-11-01T10:00:00Z", "dev"),
];

const mergedInNovember = (): PullFixture[] => closedPulls().flat().filter((p) => p.merged_at?.startsWith("2026-11"));

function evidenceFor(number: number): PullRequestEvidence {
  const pull = mergedInNovember().find((p) => p.number === number)!;
  const resolved = resolveConfig([]);
  const facts = makeFacts({
    pr: { number, url: `https://github.com/acme/api/pull/${number}`, title: `PR ${number} (API-${number})`, state: "closed", merged: true, mergedAt: pull.merged_at, mergedBy: "bob", mergeCommitSha: pull.merge_commit_sha, reviews: [review("alice", "APPROVED", 1)] },
  });
  const verdict = evaluate(facts, resolved, { fingerprintKey: new Uint8Array(32), now: pull.merged_at! }, `delivery-${number}`);
  return { facts, results: verdict.results, resolved, exception: verdict.exception, exceptionApplied: verdict.exceptionApplied, mergeMethod: "merge" };
}

function mockGitHub(options: { lookups: string[]; readsConfig?: boolean }) {
  const [page1, page2] = closedPulls();
  const scope = nock(API);
  scope.get("/repos/acme/api").reply(200, { id: 1, name: "api", full_name: "acme/api", default_branch: "main", owner: { login: "acme" } });
  scope.get("/repos/acme/api/pulls").query({ state: "closed", sort: "updated", direction: "desc", per_page: "100", page: "1" }).reply(200, page1!.map(pullJson));
  scope.get("/repos/acme/api/pulls").query({ state: "closed", sort: "updated", direction: "desc", per_page: "100", page: "2" }).reply(200, page2!.map(pullJson));
  scope.get("/repos/acme/api/commits").query({ sha: "main", since: "2026-11-01T00:00:00.000Z", per_page: "100" }).reply(200, mainBranch);
  const pullsFor: Record<string, unknown[]> = { [c("c3")]: [{ ...pullJson(page2![0]!) }], [c("c5")]: [], [c("c6")]: [] };
  for (const sha of options.lookups) scope.get(`/repos/acme/api/commits/${sha}/pulls`).reply(200, pullsFor[sha] ?? []);
  // The config hash for a backfilled push: both layers read (absent here → safe defaults).
  if (options.readsConfig !== false) scope.get(/\/repos\/acme\/(\.github|api)\/contents\/\.github%2Fsoc2-guard\.yml/).times(2).reply(404, { message: "Not Found" });
  return scope;
}

function io(cwd: string): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), readStdin: async () => "", env: { GITHUB_TOKEN: "t" }, cwd };
}

describe("soc2-guard reconcile", () => {
  async function ledgerMissing(missing: number[]): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), "reconcile-"));
    const archive = new LocalDirectoryArchive(dir, () => new Date("2026-11-20T12:00:00Z"));
    const meta = { deliveryId: "webhook", appVersion: "0.1.0", collectedAt: "2026-11-20T12:00:00Z" };
    const present = mergedInNovember().filter((p) => !missing.includes(p.number));
    await archive.append(present.map((p) => buildPullRequestRecord({ ...evidenceFor(p.number), meta })));
    await archive.append([
      buildDirectPushRecord({
        push: { repository: "acme/api", ref: "refs/heads/main", before: c("c1"), after: c("c2"), forced: true, pusher: "ops", commits: [{ id: c("c2"), message: "hotfix", author: { username: "ops" } }] },
        branchRules: null,
        configHash: "c".repeat(64),
        meta,
      }),
    ]);
    return dir;
  }

  it("lists the period from GitHub, backfills exactly the missing PRs and pushes (collected late), and keeps the chain intact", async () => {
    const dir = await ledgerMissing([102, 7]);
    const before = readArchiveDirectory(dir).lines.length;
    const scope = mockGitHub({ lookups: [c("c3"), c("c5"), c("c6")] });
    const cli = io(dir);
    const reconcile = makeReconcileCommand({ clientFor: client, loaderFor: () => async (_o, _r, n) => evidenceFor(n), now: () => PERIOD_NOW });
    const code = await reconcile(["--period", "2026-11", "--repo", "acme/api", "--archive", "."], cli);
    expect(cli.err).toEqual([]);
    expect(code).toBe(0);
    expect(scope.isDone()).toBe(true);

    const pulls = mergedInNovember().length; // 33 on page 1 + #7
    expect(pulls).toBe(34);
    // Population: 34 PRs + the recorded push (c2) + the lost push (c5..c6).
    expect(cli.out.join("")).toBe(`2026-11: population 36, records found 33, records added 3\n  acme/api: population 36, found 33, missing #7 #102 push ${c("c6").slice(0, 7)}\n`);

    const { lines, head } = readArchiveDirectory(dir);
    expect(verifyChain(lines, head)).toMatchObject({ ok: true, count: before + 3 });
    const added = lines.slice(before).map((l) => JSON.parse(l.text) as SealedRecord);
    expect(added.map((r) => r.id)).toEqual([`acme/api#7@${c("c4")}`, `acme/api#102@${c("c1")}`, `acme/api@${c("c6")}`]);
    for (const r of added) expect(r).toMatchObject({ collectedLate: true, deliveryId: "reconcile:2026-11" });
    expect(added[2]).toMatchObject({
      kind: "direct-push",
      baseBranch: "main",
      push: { pusher: "mallory", before: c("c4"), after: c("c6"), forced: false, commits: [{ sha: c("c5"), author: "mallory", message: `commit ${c("c5").slice(0, 2)}` }, { sha: c("c6"), author: "mallory", message: `commit ${c("c6").slice(0, 2)}` }] },
    });
  });

  it("adds nothing the second time: every change is found", async () => {
    const dir = await ledgerMissing([102, 7]);
    const reconcile = makeReconcileCommand({ clientFor: client, loaderFor: () => async (_o, _r, n) => evidenceFor(n), now: () => PERIOD_NOW });
    mockGitHub({ lookups: [c("c3"), c("c5"), c("c6")] });
    await reconcile(["--period", "2026-11", "--repo", "acme/api", "--archive", "."], io(dir));
    const count = readArchiveDirectory(dir).lines.length;

    // Now c5/c6 are recorded: only c3 still needs GitHub's commit→PR link.
    const scope = mockGitHub({ lookups: [c("c3")], readsConfig: false });
    const cli = io(dir);
    expect(await reconcile(["--period", "2026-11", "--repo", "acme/api", "--archive", "."], cli)).toBe(0);
    expect(cli.out[0]).toMatch(/^2026-11: population 36, records found 36, records added 0\n/);
    expect(readArchiveDirectory(dir).lines.length).toBe(count);
    expect(scope.isDone()).toBe(true);
  });

  it("reports a PR it could not backfill and exits 1, still adding the rest", async () => {
    const dir = await ledgerMissing([102, 7]);
    mockGitHub({ lookups: [c("c3"), c("c5"), c("c6")] });
    const cli = io(dir);
    const reconcile = makeReconcileCommand({
      clientFor: client,
      loaderFor: () => async (_o, _r, n) => {
        if (n === 7) throw new Error("HTTP 502 from GitHub");
        return evidenceFor(n);
      },
      now: () => PERIOD_NOW,
    });
    expect(await reconcile(["--period", "2026-11", "--repo", "acme/api", "--archive", "."], cli)).toBe(1);
    expect(cli.out.join("")).toMatch(/records added 2\n[\s\S]*could not backfill acme\/api#7: HTTP 502 from GitHub\n$/);
  });

  it("dry run lists and compares but writes nothing", async () => {
    const dir = await ledgerMissing([102]);
    const before = readArchiveDirectory(dir).lines.length;
    mockGitHub({ lookups: [c("c3"), c("c5"), c("c6")] });
    const cli = io(dir);
    const reconcile = makeReconcileCommand({ clientFor: client, loaderFor: () => async () => { throw new Error("must not load"); }, now: () => PERIOD_NOW });
    expect(await reconcile(["--period", "2026-11", "--repo", "acme/api", "--archive", ".", "--dry-run"], cli)).toBe(0);
    expect(cli.out[0]).toMatch(/^2026-11: population 36, records found 34, records added 0 \(dry run\)\n/);
    expect(readArchiveDirectory(dir).lines.length).toBe(before);
  });

  it("explains its usage", async () => {
    const cli = io(mkdtempSync(join(tmpdir(), "reconcile-")));
    expect(await makeReconcileCommand()(["--period", "November"], cli)).toBe(2);
    expect(cli.err.join("")).toMatch(/^usage: soc2-guard reconcile --period YYYY-MM/);
    const backfill = io(cli.cwd);
    expect(await makeBackfillCommand()(["--since", "2026-02-30", "--repo", "acme/api"], backfill)).toBe(2);
    expect(backfill.err.join("")).toMatch(/^usage: soc2-guard backfill --since YYYY-MM-DD/);
  });
});
