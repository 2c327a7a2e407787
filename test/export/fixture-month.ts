// A fixture month (2026-11) in a local archive: merged pull requests (approved, emergency,
// unapproved, a suppressed secret, one backfilled late), a direct push, and changes on
// either side of the period's bounds that must stay out.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalDirectoryArchive } from "../../src/evidence/local-archive.js";
import { buildDirectPushRecord, RECORD_SCHEMA, type EvidenceRecord } from "../../src/evidence/record.js";

const sha = (seed: string): string => seed.repeat(40).slice(0, 40);

interface PullOptions {
  repo: string;
  number: number;
  title: string;
  author: string;
  mergedAt: string;
  approvers?: string[];
  ciPassed?: boolean;
  tickets?: string[];
  exception?: EvidenceRecord["exception"];
  suppressed?: EvidenceRecord["secrets"]["suppressed"];
  collectedAt?: string;
  collectedLate?: boolean;
}

export function pullRecord(o: PullOptions): EvidenceRecord {
  const approvers = o.approvers ?? [];
  const independent = approvers.length > 0;
  const mergeSha = sha(`${o.number % 10}${o.repo.length % 10}`);
  return {
    schema: RECORD_SCHEMA,
    id: `${o.repo}#${o.number}@${mergeSha}`,
    kind: "pull-request",
    repository: o.repo,
    baseBranch: "main",
    pullRequest: {
      number: o.number,
      url: `https://github.com/${o.repo}/pull/${o.number}`,
      title: o.title,
      author: o.author,
      headSha: sha("e"),
      mergeCommitSha: mergeSha,
      mergedBy: o.author,
      mergedAt: o.mergedAt,
      mergeMethod: "squash-or-rebase",
    },
    push: null,
    ticketRefs: o.tickets ?? [],
    approvals: approvers.map((login) => ({ login, submittedAt: o.mergedAt, commitId: sha("e"), state: "APPROVED", counted: true, discountedBecause: null, coversMergedHead: true })),
    dismissedReviews: [],
    flags: { independentApproval: independent, approvedBeforeMerge: independent, coversMergedHead: independent, ciPassed: o.ciPassed ?? true },
    checks: [{ name: "build", app: "github-actions", conclusion: o.ciPassed === false ? "failure" : "success", completedAt: o.mergedAt }],
    branchRulesHash: "b".repeat(64),
    branchRuleSources: [],
    secrets: { findings: [], suppressed: o.suppressed ?? [], notScanned: [] },
    exception: o.exception ?? null,
    controls: [
      { id: "review.approval", mode: "enforce", status: independent || o.exception ? "pass" : "fail", reason: independent ? "approved by an independent reviewer" : "no approval from someone other than the author" },
      { id: "ci.passing", mode: "enforce", status: o.ciPassed === false ? "fail" : "pass", reason: "build" },
    ],
    configHash: "c".repeat(64),
    appVersion: "0.1.0",
    deliveryId: `delivery-${o.repo}-${o.number}`,
    collectedAt: o.collectedAt ?? o.mergedAt,
    collectedLate: o.collectedLate ?? false,
  };
}

export const PUSH_SHA = sha("d");

export function pushRecord(at: string): EvidenceRecord {
  return buildDirectPushRecord({
    push: {
      repository: "acme/web",
      ref: "refs/heads/main",
      before: sha("9"),
      after: PUSH_SHA,
      forced: true,
      pusher: "dave",
      commits: [{ id: PUSH_SHA, message: "+hotfix: bump cache TTL\n\nlong text", author: { username: "dave" } }],
    },
    branchRules: null,
    configHash: "c".repeat(64),
    justificationIssueUrl: "https://github.com/acme/compliance-evidence/issues/8",
    meta: { deliveryId: "delivery-push", appVersion: "0.1.0", collectedAt: at },
  });
}

/** In append order: each is appended at its `collectedAt`. */
export function fixtureRecords(): EvidenceRecord[] {
  return [
    pullRecord({ repo: "acme/api", number: 10, title: "October change", author: "bob", mergedAt: "2026-10-31T23:59:59.000Z", approvers: ["alice"] }),
    pullRecord({
      repo: "acme/api",
      number: 11,
      title: '=HYPERLINK("http://evil.example","click"), "quoted"\nsecond line',
      author: "bob",
      mergedAt: "2026-11-03T10:00:00.000Z",
      approvers: ["alice"],
      tickets: ["SOC-12"],
    }),
    pullRecord({
      repo: "acme/api",
      number: 12,
      title: "Emergency: roll back payments",
      author: "carol",
      mergedAt: "2026-11-10T08:00:00.000Z",
      exception: {
        type: "emergency-change",
        label: "emergency-change",
        declaredBy: "carol",
        declaredAt: "2026-11-10T07:55:00.000Z",
        reason: "payments outage INC-7",
        reviewDueAt: "2026-11-12T08:00:00.000Z",
        reviewIssueUrl: "https://github.com/acme/compliance-evidence/issues/7",
      },
      ciPassed: false,
    }),
    pullRecord({ repo: "acme/web", number: 5, title: "Update footer", author: "erin", mergedAt: "2026-11-15T12:00:00.000Z", ciPassed: false }),
    pushRecord("2026-11-20T09:30:00.000Z"),
    pullRecord({
      repo: "acme/api",
      number: 13,
      title: "Add test fixtures",
      author: "bob",
      mergedAt: "2026-11-28T16:00:00.000Z",
      approvers: ["alice", "frank"],
      suppressed: [{ rule: "aws-access-key-id", path: "test/fixtures/keys.ts", line: 4, fingerprint: "f00dfeed".repeat(8) }],
    }),
    pullRecord({ repo: "acme/web", number: 6, title: "December change", author: "erin", mergedAt: "2026-12-01T00:00:00.000Z", approvers: ["bob"], collectedAt: "2026-12-01T00:00:05.000Z" }),
    pullRecord({
      repo: "acme/api",
      number: 14,
      title: "Late-recorded change",
      author: "frank",
      mergedAt: "2026-11-30T23:00:00.000Z",
      approvers: ["alice"],
      collectedAt: "2026-12-01T01:00:00.000Z",
      collectedLate: true,
    }),
  ];
}

/** A local archive directory holding the fixture month, each record in its day's shard. */
export async function fixtureArchive(records: EvidenceRecord[] = fixtureRecords()): Promise<{ dir: string; archive: LocalDirectoryArchive }> {
  const dir = mkdtempSync(join(tmpdir(), "soc2-export-"));
  let at = new Date();
  const archive = new LocalDirectoryArchive(dir, () => at);
  for (const record of records) {
    at = new Date(record.collectedAt);
    await archive.append([record]);
  }
  return { dir, archive: new LocalDirectoryArchive(dir, () => new Date("2026-12-01T02:00:00Z")) };
}
