// Bench: the monthly export of a generated month — 10,000 changes across 300 repositories
// (merged pull requests, some direct pushes and emergency changes), every change already
// recorded in the archive repository. GitHub is in-process (test/export/fake-github-org.ts:
// GraphQL executed against GitHub's schema, REST routes, the archive's files and issues);
// every request the export sends is counted. Run alone: npx tsx bench/export.ts

import { ProbotOctokit } from "probot";
import { FakeGitHubOrg, type FakeCommit, type FakeRepository } from "../test/export/fake-github-org.js";
import { sealAll, serialiseRecord, shardPath, GENESIS } from "../src/evidence/ledger.js";
import { RECORD_SCHEMA, type EvidenceRecord } from "../src/evidence/record.js";
import { GitHubRepositoryArchive } from "../src/github/evidence/archive-repository.js";
import { GitHubIssueSink } from "../src/github/evidence/evidence-issues.js";
import { runMonthlyExport } from "../src/github/export/export-run.js";
import type { GitHubClient } from "../src/github/transport/client.js";

export interface ExportBench {
  changes: number;
  seconds: number;
  requests: number;
  peakMB: number;
}

const CHANGES = 10_000;
const REPOS = 300;
const SINCE = Date.UTC(2026, 10, 1);
const MONTH_MS = Date.UTC(2026, 11, 1) - SINCE;

const hex = (n: number, pad = 40): string => n.toString(16).padStart(pad, "0");

function record(i: number, repo: string, at: string, sha: string): EvidenceRecord {
  const push = i % 97 === 0;
  const emergency = !push && i % 211 === 0;
  const approved = !push && i % 53 !== 0;
  const number = Math.floor(i / REPOS) + 1;
  return {
    schema: RECORD_SCHEMA,
    id: push ? `${repo}@${sha}` : `${repo}#${number}@${sha}`,
    kind: push ? "direct-push" : "pull-request",
    repository: repo,
    baseBranch: "main",
    pullRequest: push
      ? null
      : { number, url: `https://github.com/${repo}/pull/${number}`, title: `Change ${i}: ${i % 7 === 0 ? "=SUM(A1)" : "update dependencies, docs"}`, author: `dev${i % 40}`, headSha: hex(i + 1), mergeCommitSha: sha, mergedBy: `dev${i % 40}`, mergedAt: at, mergeMethod: "squash-or-rebase" },
    push: push ? { pusher: `dev${i % 40}`, before: hex(i + 2), after: sha, forced: false, commits: [{ sha, author: `dev${i % 40}`, message: "hotfix" }], justificationIssueUrl: null } : null,
    ticketRefs: [`ABC-${i}`],
    approvals: approved ? [{ login: `dev${(i + 1) % 40}`, submittedAt: at, commitId: hex(i + 1), state: "APPROVED", counted: true, discountedBecause: null, coversMergedHead: true }] : [],
    dismissedReviews: [],
    flags: { independentApproval: approved, approvedBeforeMerge: approved, coversMergedHead: approved, ciPassed: i % 31 !== 0 },
    checks: [{ name: "build", app: "github-actions", conclusion: "success", completedAt: at }],
    branchRulesHash: "b".repeat(64),
    branchRuleSources: ["repository ruleset \"main\" (active)"],
    secrets: { findings: [], suppressed: [], notScanned: [] },
    exception: emergency ? { type: "emergency-change", label: "emergency-change", declaredBy: "sre", declaredAt: at, reason: "incident", reviewDueAt: at, reviewIssueUrl: null } : null,
    controls: [
      { id: "review.approval", mode: "enforce", status: approved ? "pass" : "fail", reason: "" },
      { id: "ci.passing", mode: "enforce", status: i % 31 !== 0 ? "pass" : "fail", reason: "" },
      { id: "secrets.diff", mode: "enforce", status: "pass", reason: "" },
      { id: "change.ticket", mode: "advisory", status: "pass", reason: "" },
    ],
    configHash: "c".repeat(64),
    appVersion: "bench",
    deliveryId: `delivery-${i}`,
    collectedAt: at,
    collectedLate: false,
  };
}

/** The month as GitHub and the archive both know it. */
function generate(): FakeGitHubOrg {
  const repos = Array.from({ length: REPOS }, (_, r) => `svc-${String(r).padStart(3, "0")}`);
  const records: EvidenceRecord[] = [];
  const byRepo = new Map<string, { pulls: FakeRepository["pulls"]; line: Array<{ oid: string; at: string; pull: number | null }> }>(repos.map((r) => [r, { pulls: [], line: [] }]));
  for (let i = 0; i < CHANGES; i++) {
    const repo = repos[i % REPOS]!;
    const at = new Date(SINCE + Math.floor(((i + 0.5) / CHANGES) * MONTH_MS)).toISOString();
    const sha = hex(1_000_000 + i);
    const r = record(i, `acme/${repo}`, at, sha);
    records.push(r);
    const data = byRepo.get(repo)!;
    if (r.pullRequest) data.pulls.push({ number: r.pullRequest.number, mergedAt: at, updatedAt: at, mergeCommit: sha });
    data.line.push({ oid: sha, at, pull: r.pullRequest?.number ?? null });
  }
  // The archive: records sealed in order, one shard per day.
  const files = new Map<string, string>();
  const sealed = sealAll(records, GENESIS);
  for (const s of sealed) {
    const path = shardPath(new Date(s.collectedAt));
    files.set(path, (files.get(path) ?? "") + `${serialiseRecord(s)}\n`);
  }
  const last = sealed[sealed.length - 1]!;
  files.set("head.json", `${JSON.stringify({ hash: last.hash, count: sealed.length, lastId: last.id, updatedAt: last.collectedAt }, null, 2)}\n`);
  const fake = new FakeGitHubOrg("acme", files);
  for (const repo of repos) {
    const data = byRepo.get(repo)!;
    const commits: FakeCommit[] = data.line.map((c, k) => ({ oid: c.oid, parent: data.line[k - 1]?.oid ?? hex(9), committedDate: c.at, author: "dev", message: "change", pulls: c.pull === null ? [] : [c.pull] })).reverse();
    fake.repos.set(repo, { name: repo, defaultBranch: "main", pulls: data.pulls, commits, direct: [{ login: "dev1", permission: "WRITE" }, { login: "contractor", permission: "WRITE", outside: true }] });
  }
  fake.members = Array.from({ length: 200 }, (_, k) => ({ login: `dev${k}`, role: k < 5 ? ("ADMIN" as const) : ("MEMBER" as const) }));
  for (let t = 0; t < 20; t++) fake.teams.push({ slug: `team-${t}`, repos: repos.slice(t * 15, t * 15 + 15).map((name) => ({ name, permission: "WRITE" })) });
  return fake;
}

export async function benchExport(): Promise<ExportBench> {
  const fake = generate();
  const gh = new ProbotOctokit({ auth: { token: "bench" }, request: { fetch: fake.fetch }, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as GitHubClient;
  const now = new Date("2026-12-01T02:00:00Z");
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const before = fake.requests.total;
  const started = performance.now();
  const result = await runMonthlyExport(
    {
      gh,
      archive: new GitHubRepositoryArchive(gh, { owner: "acme", repo: fake.archiveName, branch: "main", now: () => now }),
      location: { kind: "repository", owner: "acme", repo: fake.archiveName, branch: "main" },
      issues: new GitHubIssueSink(gh, "acme", fake.archiveName, async () => "soc2-guard[bot]"),
      now: () => now,
      log: { info: () => undefined, warn: () => undefined },
    },
    { org: "acme", period: "2026-11" },
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (result.status !== "exported" || result.summary.totals.changes !== CHANGES || !result.summary.reconciliation.ran || result.summary.reconciliation.population !== CHANGES) {
    throw new Error(`export bench: unexpected result ${JSON.stringify(result.status === "exported" ? { totals: result.summary.totals, reconciliation: result.summary.reconciliation } : result)}`);
  }
  return { changes: result.summary.totals.changes, seconds: Math.round(seconds * 100) / 100, requests: fake.requests.total - before, peakMB: Math.round((peak - baseline) / 1e5) / 10 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify({ export: await benchExport() }));
}
