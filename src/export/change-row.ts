// One row of changes.csv per change that landed: a sealed evidence record flattened to
// what an auditor filters and samples on. Kept small — the export holds one per change.

import type { SealedRecord } from "../evidence/record.js";
import type { CsvValue } from "./csv.js";

export type ExceptionKind = "emergency-change" | "unapproved-merge" | "direct-push";

export interface ChangeRow {
  repository: string;
  kind: SealedRecord["kind"];
  /** `#123` for a pull request, `push 1a2b3c4` for a direct push. */
  change: string;
  title: string;
  tickets: string[];
  author: string;
  approvers: string[];
  approvedBeforeMerge: boolean;
  independentApproval: boolean;
  /** an independent approval was given on the merged head (or a clean update-merge of it) */
  coversMergedHead: boolean;
  ciPassed: boolean;
  mergedBy: string;
  /** When the change landed: the merge time, or for a push when it was recorded. */
  mergedAt: string;
  exception: ExceptionKind | null;
  secretFindings: number;
  /** privacy.pii findings (0 for records from before the control, which carry none). */
  piiFindings: number;
  collectedLate: boolean;
  recordId: string;
  recordHash: string;
  link: string;
}

export const CHANGES_HEADER = [
  "repository",
  "kind",
  "change",
  "title",
  "ticket",
  "author",
  "approvers",
  "approved_before_merge",
  "independent_approval",
  "ci_passed",
  "merged_by",
  "merged_at",
  "exception",
  "secret_findings",
  "pii_findings",
  "collected_late",
  "record_id",
  "record_hash",
  "link",
] as const;

/**
 * When a change landed: the merge time; for a push, the commit time GitHub shows on the
 * default branch when known (a push backfilled late was collected long after it landed),
 * else when its webhook was recorded.
 */
export function landedAt(record: SealedRecord, pushCommittedAt?: string): string {
  return record.pullRequest?.mergedAt ?? pushCommittedAt ?? record.collectedAt;
}

export function pushLink(repository: string, push: NonNullable<SealedRecord["push"]>): string {
  const base = `https://github.com/${repository}`;
  return push.before && !/^0+$/.test(push.before) ? `${base}/compare/${push.before}...${push.after}` : `${base}/commit/${push.after}`;
}

/** Which exception, if any, an auditor must look at for this change. */
export function exceptionKind(record: SealedRecord): ExceptionKind | null {
  if (record.kind === "direct-push") return "direct-push";
  // An exception that was applied has a review due; a declared but unauthorised one did not cover anything.
  if (record.exception && record.exception.reviewDueAt !== null) return "emergency-change";
  if (!record.flags.independentApproval) return "unapproved-merge";
  return null;
}

export function changeRow(record: SealedRecord, pushCommittedAt?: string): ChangeRow {
  const pr = record.pullRequest;
  const push = record.push;
  const newest = push?.commits[push.commits.length - 1];
  return {
    repository: record.repository,
    kind: record.kind,
    change: pr ? `#${pr.number}` : `push ${(push?.after ?? "").slice(0, 7)}`,
    title: pr ? pr.title : (newest?.message ?? ""),
    tickets: record.ticketRefs,
    author: pr ? pr.author : (push?.pusher ?? ""),
    approvers: [...new Set(record.approvals.filter((a) => a.counted).map((a) => a.login))],
    approvedBeforeMerge: record.flags.approvedBeforeMerge,
    independentApproval: record.flags.independentApproval,
    coversMergedHead: record.flags.coversMergedHead,
    ciPassed: record.flags.ciPassed,
    mergedBy: pr ? (pr.mergedBy ?? "") : (push?.pusher ?? ""),
    mergedAt: landedAt(record, pushCommittedAt),
    exception: exceptionKind(record),
    secretFindings: record.secrets.findings.length,
    piiFindings: record.pii?.findings.length ?? 0,
    collectedLate: record.collectedLate,
    recordId: record.id,
    recordHash: record.hash,
    link: pr ? pr.url : push ? pushLink(record.repository, push) : "",
  };
}

export function changeCsvValues(row: ChangeRow): CsvValue[] {
  return [
    row.repository,
    row.kind,
    row.change,
    row.title,
    row.tickets.join(" "),
    row.author,
    row.approvers.join(" "),
    row.approvedBeforeMerge,
    row.independentApproval,
    row.ciPassed,
    row.mergedBy,
    row.mergedAt,
    row.exception ?? "",
    row.secretFindings,
    row.piiFindings,
    row.collectedLate,
    row.recordId,
    row.recordHash,
    row.link,
  ];
}
