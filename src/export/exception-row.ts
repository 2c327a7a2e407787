// exceptions.csv: every change an auditor must look at twice — merges without independent
// approval, direct pushes, emergency changes (was the retroactive review done in time?),
// and secrets suppressed inline with `soc2-guard:allow`.

import type { SealedRecord } from "../evidence/record.js";
import { changeRow, exceptionKind } from "./change-row.js";
import type { CsvValue } from "./csv.js";

export type ExceptionType = "unapproved-merge" | "direct-push" | "emergency-change" | "secret-suppressed";

export type ReviewStatus = "done in time" | "done late" | "open" | "overdue" | "closed without review" | "no review issue" | "unknown" | "not applicable";

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
  /** Filled in when the review issues' states are known (see `reviewStatus`). */
  reviewStatus: ReviewStatus;
  /** Who did the review that counts (closed the issue or approved the PR's diff); "" when nobody did. */
  reviewedBy: string;
  /** People whose review does not count: the change's author and whoever declared the exception or pushed. */
  notReviewers: string[];
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
  "reviewed_by",
  "link",
  "record_id",
  "record_hash",
] as const;

/** An issue tracking a review: open, or closed at a time, by whom; and approvals of the PR's diff. */
export interface ReviewIssueState {
  closedAt: string | null;
  /** Who closed it (the issue's `closed_by`); null or absent when unknown — then a close proves nothing. */
  closedBy?: string | null;
  /** Approving reviews of the pull request, who and when (an emergency change's retroactive review may be one). */
  approvals?: Array<{ login: string; at: string }>;
}

export function exceptionRows(record: SealedRecord, pushCommittedAt?: string): ExceptionRow[] {
  const row = changeRow(record, pushCommittedAt);
  const base = { repository: row.repository, change: row.change, title: row.title, when: row.mergedAt, link: row.link, recordId: row.recordId, recordHash: row.recordHash };
  const rows: ExceptionRow[] = [];
  const noReview = { reviewedBy: "", notReviewers: [] as string[] };
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
      ...noReview,
      notReviewers: push ? [push.pusher] : [],
    });
  } else if (kind === "emergency-change") {
    const e = record.exception!;
    const notReviewers = [record.pullRequest?.author, e.declaredBy].filter((l): l is string => typeof l === "string" && l.length > 0);
    rows.push({ ...base, type: "emergency-change", who: e.declaredBy ?? "", reason: e.selfDeclared ? `self-declared (exceptions.allowSelfDeclared): ${e.reason}` : e.reason, reviewIssueUrl: e.reviewIssueUrl, reviewDueAt: e.reviewDueAt, reviewStatus: "unknown", ...noReview, notReviewers });
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
      ...noReview,
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
      ...noReview,
    });
  }
  return rows;
}

/** Where the retroactive review or justification stands at `now`, and who did it. */
export function reviewOutcome(row: ExceptionRow, states: ReadonlyMap<string, ReviewIssueState>, now: string): { status: ReviewStatus; by: string } {
  if (row.type === "secret-suppressed") return { status: "not applicable", by: "" };
  if (!row.reviewIssueUrl) return { status: "no review issue", by: "" };
  const state = states.get(row.reviewIssueUrl);
  if (!state) return { status: "unknown", by: "" };
  // Only someone other than the author and the declarer (or pusher) reviews; an unknown closer proves nothing.
  const excluded = new Set(row.notReviewers.map((l) => l.toLowerCase()));
  const counts = (login: string | null | undefined): login is string => typeof login === "string" && login.length > 0 && !excluded.has(login.toLowerCase());
  const reviews = [
    ...(state.closedAt && counts(state.closedBy) ? [{ login: state.closedBy, at: state.closedAt }] : []),
    ...(state.approvals ?? []).filter((a) => counts(a.login)),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const first = reviews[0];
  if (first) return { status: row.reviewDueAt && first.at > row.reviewDueAt ? "done late" : "done in time", by: first.login };
  if (state.closedAt) return { status: "closed without review", by: "" };
  return { status: row.reviewDueAt && now > row.reviewDueAt ? "overdue" : "open", by: "" };
}

export function reviewStatus(row: ExceptionRow, states: ReadonlyMap<string, ReviewIssueState>, now: string): ReviewStatus {
  return reviewOutcome(row, states, now).status;
}

/** Still waiting for someone: counted as "open" in the headline. */
export const isOpen = (status: ReviewStatus): boolean => status === "open" || status === "overdue" || status === "closed without review" || status === "no review issue" || status === "unknown";

export function exceptionCsvValues(row: ExceptionRow): CsvValue[] {
  return [row.type, row.repository, row.change, row.title, row.who, row.when, row.reason, row.reviewIssueUrl ?? "", row.reviewDueAt ?? "", row.reviewStatus, row.reviewedBy, row.link, row.recordId, row.recordHash];
}
