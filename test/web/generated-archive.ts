// A generated archive for the portal's tests and bench: `count` sealed records spread over
// a month and `repos` repositories, with unapproved merges, failed CI, emergency changes,
// direct pushes and late collections at fixed intervals, chained like the real ledger.

import { GENESIS, sealAll, serialiseRecord, shardPath } from "../../src/evidence/ledger.js";
import { RECORD_SCHEMA, type EvidenceRecord, type SealedRecord } from "../../src/evidence/record.js";
import type { StoredLine } from "../../src/evidence/verify.js";
import type { LedgerHead } from "../../src/evidence/ledger.js";

const hex = (n: number, pad = 40): string => n.toString(16).padStart(pad, "0");

export function generatedRecord(i: number, repo: string, at: string): EvidenceRecord {
  const push = i % 97 === 0;
  const emergency = !push && i % 211 === 0;
  const approved = !push && i % 53 !== 0;
  const ci = i % 31 !== 0;
  const number = 100 + i;
  const sha = hex(i * 7919 + 1);
  const author = `dev${i % 40}`;
  const reviewer = `dev${(i + 1) % 40}`;
  return {
    schema: RECORD_SCHEMA,
    id: push ? `${repo}@${sha}` : `${repo}#${number}@${sha}`,
    kind: push ? "direct-push" : "pull-request",
    repository: repo,
    baseBranch: "main",
    pullRequest: push ? null : { number, url: `https://github.com/${repo}/pull/${number}`, title: i % 7 === 0 ? `=HYPERLINK("https://example.com") PAY-${i}` : `PAY-${i} Update the ledger reconciliation job`, author, headSha: hex(i + 1), mergeCommitSha: sha, mergedBy: reviewer, mergedAt: at, mergeMethod: "squash-or-rebase" },
    push: push ? { pusher: author, before: hex(i + 2), after: sha, forced: false, commits: [{ sha, author, message: "hotfix: restart the worker" }], justificationIssueUrl: `https://github.com/acme/compliance-evidence/issues/${i}` } : null,
    ticketRefs: push ? [] : [`PAY-${i}`],
    approvals: approved ? [{ login: reviewer, submittedAt: at, commitId: hex(i + 1), state: "APPROVED", counted: true, discountedBecause: null, coversMergedHead: true }] : [],
    dismissedReviews: [],
    flags: { independentApproval: approved, approvedBeforeMerge: approved, coversMergedHead: approved, ciPassed: !push && ci },
    checks: push ? [] : [{ name: "build", app: "github-actions", conclusion: ci ? "success" : "failure", completedAt: at }, { name: "test", app: "github-actions", conclusion: "success", completedAt: at }],
    branchRulesHash: "b".repeat(64),
    branchRuleSources: ['repository ruleset "main is protected" (active)'],
    secrets: { findings: [], suppressed: [], notScanned: [] },
    exception: emergency ? { type: "emergency-change", label: "emergency-change", declaredBy: "erin", declaredAt: at, reason: "customers are double-charged (INC-42)", reviewDueAt: at, reviewIssueUrl: `https://github.com/acme/compliance-evidence/issues/${i + 1}` } : null,
    controls: [
      { id: "review.approval", mode: "enforce", status: approved ? "pass" : "fail", reason: approved ? `1 independent approval on the head commit (${reviewer})` : "no approval by someone other than the author" },
      { id: "ci.passing", mode: "enforce", status: !push && ci ? "pass" : "fail", reason: ci ? "build, test passed on the head commit" : "build failed on the head commit" },
      { id: "secrets.diff", mode: "enforce", status: "pass", reason: "no credential in the added lines" },
      { id: "change.ticket", mode: "advisory", status: push ? "fail" : "pass", reason: push ? "no ticket referenced" : `PAY-${i}` },
    ],
    configHash: "c".repeat(64),
    appVersion: "0.1.0",
    deliveryId: `delivery-${i}`,
    collectedAt: at,
    collectedLate: i % 401 === 0,
  };
}

export interface GeneratedArchive {
  records: SealedRecord[];
  lines: StoredLine[];
  head: LedgerHead;
}

/** `count` records in month `label` (YYYY-MM), oldest first, plus `before` records in the months before. */
export function generateArchive(options: { count: number; label: string; repos?: number; monthsBefore?: number; perMonthBefore?: number }): GeneratedArchive {
  const repos = Array.from({ length: options.repos ?? 30 }, (_, r) => `acme/svc-${String(r).padStart(3, "0")}`);
  const [y, m] = options.label.split("-").map(Number) as [number, number];
  const unsealed: EvidenceRecord[] = [];
  let i = 1;
  for (let back = options.monthsBefore ?? 0; back >= 0; back--) {
    const since = Date.UTC(y, m - 1 - back, 1);
    const span = Date.UTC(y, m - back, 1) - since;
    const count = back === 0 ? options.count : (options.perMonthBefore ?? 40);
    for (let k = 0; k < count; k++, i++) unsealed.push(generatedRecord(i, repos[i % repos.length]!, new Date(since + Math.floor(((k + 0.5) / count) * span)).toISOString()));
  }
  const records = sealAll(unsealed, GENESIS);
  const lines = records.map((r, n) => ({ location: `${shardPath(new Date(r.collectedAt))}:${n + 1}`, text: serialiseRecord(r) }));
  const last = records.at(-1)!;
  return { records, lines, head: { hash: last.hash, count: records.length, lastId: last.id, updatedAt: last.collectedAt } };
}
