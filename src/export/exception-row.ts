// exceptions.csv: every change an auditor must look at twice — merges without independent
// approval, direct pushes, emergency changes (was the retroactive review done in time?),
// and secrets suppressed inline with `soc2-guard:allow`.

import type { SealedRecord } from "../evidence/record.js";
import { changeRow, exceptionKind } from "./change-row.js";
import type { CsvValue } from "./csv.js";

export type ExceptionType = "unapproved-merge" | "direct-push" | "emergency-change" | "secret-suppressed";

export type ReviewStatus = "done in time" | "done late" | "open" | "overdue" | "no review issue" | "unknown" | "not applicable";

export interface ExceptionRow {
  type: ExceptionType;
  repository: string;
  change: string;
  title: string;
  who: string;
  when: string;
  reason: string;
  reviewIssueUrl: string | null;
  reviewDueAt: string | null;
  /** Filled in when the review issues' states are known (see `withReviewStatus`). */
  reviewStatus: ReviewStatus;
  link: string;
  recordId: string;
  recordHash: string;
}

export const EXCEPTIONS_HEADER = [
  "type",
  "repository",
  "change",
  "title",
  "who",
  "when",
  "reason",
  "review_issue",
  "review_due_at",
  "review_status",
  "link",
  "record_id",
  "record_hash",
] as const;

/** An issue tracking a review: open, or closed at a time. */
export interface ReviewIssueState {
  closedAt: string | null;
}

export function exceptionRows(record: SealedRecord, pushCommittedAt?: string): ExceptionRow[] {
  const row = changeRow(record, pushCommittedAt);
  const base = { repository: row.repository, change: row.change, title: row.title, when: row.mergedAt, link: row.link, recordId: row.recordId, recordHash: row.recordHash };
  const rows: ExceptionRow[] = [];
  const kind = exceptionKind(record);
  if (kind === "direct-push") {
    const push = record.push;
    rows.push({
      ...base,
      type: "direct-push",
      who: push?.pusher ?? "",
      reason: `${push?.forced ? "force-pushed" : "pushed"} ${push?.commits.length ?? 0} commit(s) to ${record.baseBranch} without a pull request`,
      reviewIssueUrl: push?.justificationIssueUrl ?? null,
      reviewDueAt: null,
      reviewStatus: "unknown",
    });
  } else if (kind === "emergency-change") {
    const e = record.exception!;
    rows.push({ ...base, type: "emergency-change", who: e.declaredBy ?? "", reason: e.reason, reviewIssueUrl: e.reviewIssueUrl, reviewDueAt: e.reviewDueAt, reviewStatus: "unknown" });
  } else if (kind === "unapproved-merge") {
    const review = record.controls.find((c) => c.id === "review.approval");
    rows.push({
      ...base,
      type: "unapproved-merge",
      who: record.pullRequest?.mergedBy ?? "",
      reason: review?.reason ?? "merged without an independent approval",
      reviewIssueUrl: null,
      reviewDueAt: null,
      reviewStatus: "unknown",
    });
  }
  if (record.secrets.suppressed.length > 0) {
    rows.push({
      ...base,
      type: "secret-suppressed",
      who: row.author,
      reason: record.secrets.suppressed.map((s) => `${s.rule} at ${s.path}:${s.line} (fingerprint ${s.fingerprint.slice(0, 12)})`).join("; "),
      reviewIssueUrl: null,
      reviewDueAt: null,
      reviewStatus: "not applicable",
    });
  }
  return rows;
}

/** Where the retroactive review or justification stands at `now`. */
export function reviewStatus(row: ExceptionRow, states: ReadonlyMap<string, ReviewIssueState>, now: string): ReviewStatus {
  if (row.type === "secret-suppressed") return "not applicable";
  if (!row.reviewIssueUrl) return "no review issue";
  const state = states.get(row.reviewIssueUrl);
  if (!state) return "unknown";
  if (state.closedAt) return row.reviewDueAt && state.closedAt > row.reviewDueAt ? "done late" : "done in time";
  return row.reviewDueAt && now > row.reviewDueAt ? "overdue" : "open";
}

/** Still waiting for someone: counted as "open" in the headline. */
export const isOpen = (status: ReviewStatus): boolean => status === "open" || status === "overdue" || status === "no review issue" || status === "unknown";

export function exceptionCsvValues(row: ExceptionRow): CsvValue[] {
  return [row.type, row.repository, row.change, row.title, row.who, row.when, row.reason, row.reviewIssueUrl ?? "", row.reviewDueAt ?? "", row.reviewStatus, row.link, row.recordId, row.recordHash];
}
