import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { FakeGitHubOrg, type FakeCommit, type FakeRepository } from "./fake-github-org.js";
import { fixtureArchive, fixtureRecords, PUSH_SHA } from "./fixture-month.js";
import { runMonthlyExport, type MonthlyExportDeps } from "../../src/github/export/export-run.js";
import { GitHubRepositoryArchive } from "../../src/github/evidence/archive-repository.js";
import { GitHubIssueSink } from "../../src/github/evidence/evidence-issues.js";
import { ContentCreationPacer } from "../../src/github/evidence/archive-repository.js";
import { verifyChain } from "../../src/evidence/verify.js";
import type { GitHubClient } from "../../src/github/transport/client.js";
import type { Backfill } from "../../src/github/export/export-reconcile.js";
import { makeFacts, review } from "../helpers/facts.js";
import { evaluate } from "../../src/verdict/evaluate.js";
import { resolveConfig } from "../../src/config/resolve.js";
import { readDirectoryFiles } from "../helpers/directory-files.js";

const API = "https://api.github.com";
const NOW = new Date("2026-12-01T02:00:00Z");
const client = () => new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as GitHubClient;
const UNRECORDED_PUSH = "7".repeat(40);
const MISSING_PULL_SHA = "5".repeat(40);

afterEach(() => nock.cleanAll());

/** The fixture month's archive on GitHub, and the org's repositories as GitHub shows them. */
async function fixtureOrg(): Promise<FakeGitHubOrg> {
  const { dir } = await fixtureArchive();
  const fake = new FakeGitHubOrg("acme", readDirectoryFiles(dir));
  const records = fixtureRecords().filter((r) => r.kind === "pull-request");
  const pullsOf = (repo: string) => records.filter((r) => r.repository === `acme/${repo}`).map((r) => ({ number: r.pullRequest!.number, mergedAt: r.pullRequest!.mergedAt!, updatedAt: r.pullRequest!.mergedAt!, mergeCommit: r.pullRequest!.mergeCommitSha! }));
  /** The first-parent line, newest first, from changes oldest first. */
  const line = (changes: Array<{ oid: string; at: string; pulls: number[]; author?: string }>): FakeCommit[] =>
    changes
      .map((c, i) => ({ oid: c.oid, parent: changes[i - 1]?.oid ?? "1".repeat(40), committedDate: c.at, author: c.author ?? "bob", message: `change ${c.oid.slice(0, 4)}`, pulls: c.pulls }))
      .reverse();
  const api: FakeRepository = {
    name: "api",
    defaultBranch: "main",
    // #15 was merged but its webhook was lost: reconciliation must backfill it.
    pulls: [...pullsOf("api"), { number: 15, mergedAt: "2026-11-29T10:00:00.000Z", updatedAt: "2026-11-29T10:00:00.000Z", mergeCommit: MISSING_PULL_SHA }],
    commits: line(
      [...pullsOf("api"), { number: 15, mergedAt: "2026-11-29T10:00:00.000Z", mergeCommit: MISSING_PULL_SHA }]
        .sort((a, b) => a.mergedAt.localeCompare(b.mergedAt))
        .map((p) => ({ oid: p.mergeCommit, at: p.mergedAt, pulls: [p.number] })),
    ),
    direct: [
      { login: "alice", permission: "WRITE" },
      { login: "contractor", permission: "ADMIN", outside: true },
      { login: "viewer", permission: "READ" },
    ],
  };
  const web: FakeRepository = {
    name: "web",
    defaultBranch: "main",
    pulls: pullsOf("web"),
    commits: line([
      ...pullsOf("web").filter((p) => p.mergedAt < "2026-12").map((p) => ({ oid: p.mergeCommit, at: p.mergedAt, pulls: [p.number] })),
      { oid: PUSH_SHA, at: "2026-11-20T09:29:00.000Z", pulls: [], author: "dave" },
      // A direct push nobody recorded (the app was down).
      { oid: UNRECORDED_PUSH, at: "2026-11-25T18:00:00.000Z", pulls: [], author: "erin" },
      ...pullsOf("web").filter((p) => p.mergedAt >= "2026-12").map((p) => ({ oid: p.mergeCommit, at: p.mergedAt, pulls: [p.number] })),
    ]),
    direct: [],
  };
  fake.repos.set("api", api);
  fake.repos.set("web", web);
  fake.members = [{ login: "olivia", role: "ADMIN" }, { login: "alice", role: "MEMBER" }];
  fake.teams.push({ slug: "frontend", repos: [{ name: "web", permission: "WRITE" }, { name: "api", permission: "READ" }] });
  // The retroactive review of #12 was closed in time; the push justification is open.
  fake.issues.push(
    { number: 1, title: "x", body: "", labels: ["soc2-guard:emergency-change"], state: "open", closed_at: null },
    { number: 2, title: "x", body: "", labels: ["soc2-guard:emergency-change"], state: "open", closed_at: null },
    { number: 3, title: "x", body: "", labels: ["soc2-guard:emergency-change"], state: "open", closed_at: null },
    { number: 4, title: "x", body: "", labels: ["soc2-guard:emergency-change"], state: "open", closed_at: null },
    { number: 5, title: "x", body: "", labels: ["soc2-guard:emergency-change"], state: "open", closed_at: null },
    { number: 6, title: "x", body: "", labels: ["soc2-guard:emergency-change"], state: "open", closed_at: null },
    { number: 7, title: "Retroactive review: acme/api#12", body: "", labels: ["soc2-guard:emergency-change"], state: "closed", closed_at: "2026-11-11T09:00:00Z", closed_by: "frank" },
    { number: 8, title: "Unreviewed change", body: "", labels: ["soc2-guard:direct-push"], state: "open", closed_at: null },
  );
  return fake;
}

/** Backfilled records built as the app builds them (facts → controls → record). */
const backfill: Backfill = {
  appVersion: "test",
  configHashFor: async () => "c".repeat(64),
  loadPullRequestEvidence: async (owner, repo, number) => {
    const resolved = resolveConfig([]);
    const mergedAt = "2026-11-29T10:00:00.000Z";
    const facts = makeFacts({ pr: { owner, repo, number, url: `https://github.com/${owner}/${repo}/pull/${number}`, title: "Lost webhook", state: "closed", merged: true, mergedAt, mergedBy: "bob", mergeCommitSha: MISSING_PULL_SHA, reviews: [review("alice", "APPROVED", 1)] } });
    const verdict = evaluate(facts, resolved, { fingerprintKey: new Uint8Array(32), now: mergedAt }, "backfill");
    return { facts, results: verdict.results, resolved, exception: verdict.exception, exceptionApplied: verdict.exceptionApplied };
  },
};

function deps(fake: FakeGitHubOrg, gh: GitHubClient = client()): MonthlyExportDeps {
  let clock = 0;
  return {
    gh,
    archive: new GitHubRepositoryArchive(gh, { owner: "acme", repo: fake.archiveName, branch: "main", now: () => NOW, pacer: new ContentCreationPacer(80, 500, () => clock, async (ms) => void (clock += ms)) }),
    location: { kind: "repository", owner: "acme", repo: fake.archiveName, branch: "main" },
    issues: new GitHubIssueSink(gh, "acme", fake.archiveName, async () => "soc2-guard[bot]"),
    now: () => NOW,
    log: { info: () => undefined, warn: () => undefined },
    backfill,
  };
}

describe("export against the archive repository", () => {
  it("reconciles and backfills, commits the files (CSVs, summary.json, report.html) in one commit, opens one issue; a second run does nothing", async () => {
    const fake = await fixtureOrg();
    fake.intercept(nock(API));
    const first = await runMonthlyExport(deps(fake), { org: "acme", period: "2026-11" });
    if (first.status !== "exported") throw new Error(JSON.stringify(first));

    // Reconciliation: 7 changes on GitHub (5 PRs on api incl. #15, #5 and two pushes on web), 2 backfilled.
    expect(first.summary.reconciliation).toEqual({ ran: true, population: 8, records: 8, addedLate: 3, missing: [] });
    const log = fake.log();
    expect(log[0]).toMatch(/^export: SOC 2 evidence 2026-11 \(8 changes, seal [0-9a-f]{12}\)$/);
    expect(log[1]).toMatch(/^evidence: 2 records/);
    const files = fake.files();
    expect([...files.keys()].filter((p) => p.startsWith("exports/")).sort()).toEqual(["exports/2026-11/access-review.csv", "exports/2026-11/changes.csv", "exports/2026-11/exceptions.csv", "exports/2026-11/report.html", "exports/2026-11/settings-changes.csv", "exports/2026-11/summary.json"]);
    const changes = files.get("exports/2026-11/changes.csv")!;
    expect(changes).toContain("acme/api,pull-request,#15,Lost webhook,");
    // Backfilled weeks later, it is dated when it landed on the branch, not when it was collected.
    expect(changes).toContain(`acme/web,direct-push,push 7777777,change 7777,,erin,,false,false,false,erin,2026-11-25T18:00:00.000Z,direct-push,0,0,true,`);
    expect(files.get("exports/2026-11/access-review.csv")).toBe(
      [
        "repository,principal,type,permission,via,outside_collaborator,org_requires_2fa",
        "acme/api,olivia,user,admin,organization owner,false,true",
        "acme/api,alice,user,write,direct,false,true",
        "acme/api,contractor,user,admin,direct,true,true",
        "acme/web,olivia,user,admin,organization owner,false,true",
        "acme/web,frontend,team,write,team frontend,false,true",
        "",
      ].join("\r\n"),
    );
    const exceptions = files.get("exports/2026-11/exceptions.csv")!;
    expect(exceptions).toMatch(/emergency-change,acme\/api,#12,.*,https:\/\/github.com\/acme\/compliance-evidence\/issues\/7,2026-11-12T08:00:00.000Z,done in time,frank,/);
    expect(exceptions).toMatch(/direct-push,acme\/web,push ddddddd,.*issues\/8,,open,/);
    expect(exceptions).toMatch(/direct-push,acme\/web,push 7777777,.*,,,no review issue,/);
    // The seal is the backfilled records' last hash, and the whole chain still verifies.
    const lines = [...files.keys()].filter((p) => p.startsWith("records/")).sort().flatMap((p) => files.get(p)!.split("\n").filter(Boolean).map((text, i) => ({ location: `${p}:${i + 1}`, text })));
    const verified = verifyChain(lines, JSON.parse(files.get("head.json")!));
    expect(verified).toMatchObject({ ok: true, count: 10 });
    expect(first.summary.ledger.seal?.hash).toBe(verified.ok ? verified.head : "");
    expect(first.summary.ledger.chainCheck.problem).toBeNull();

    const exportIssues = fake.issues.filter((i) => i.labels.includes("soc2-guard:export"));
    expect(exportIssues).toHaveLength(1);
    expect(exportIssues[0]!.title).toBe("SOC 2 evidence export — 2026-11");
    expect(exportIssues[0]!.body).toContain("Population from GitHub: 8; records: 8; added late: 3.");
    expect(exportIssues[0]!.body).toContain(`https://github.com/acme/compliance-evidence/blob/${fake.head}/exports/2026-11/changes.csv`);

    const commitsBefore = fake.requests.commits;
    const before = fake.requests.total;
    const second = await runMonthlyExport(deps(fake), { org: "acme", period: "2026-11" });
    expect(second).toEqual({ status: "already-exported", issueUrl: "https://github.com/acme/compliance-evidence/issues/9" });
    expect(fake.requests.commits).toBe(commitsBefore);
    expect(fake.requests.total - before).toBe(1);
  });

  it("two replicas racing end with one open issue and one commit of the files", async () => {
    const fake = await fixtureOrg();
    fake.intercept(nock(API));
    const [a, b] = await Promise.all([runMonthlyExport(deps(fake), { org: "acme", period: "2026-11" }), runMonthlyExport(deps(fake), { org: "acme", period: "2026-11" })]);
    expect([a.status, b.status].sort()).toContain("exported");
    const open = fake.issues.filter((i) => i.labels.includes("soc2-guard:export") && i.state === "open");
    expect(open).toHaveLength(1);
    expect(fake.log().filter((m) => m.startsWith("export:"))).toHaveLength(1);
    const lines = [...fake.files().keys()].filter((p) => p.startsWith("records/")).sort().flatMap((p) => fake.files().get(p)!.split("\n").filter(Boolean).map((text, i) => ({ location: `${p}:${i + 1}`, text })));
    expect(verifyChain(lines, JSON.parse(fake.files().get("head.json")!))).toMatchObject({ ok: true, count: 10 });
  });
});
