// Everything one export produces, from the selected records and the facts read at the
// edges: the four files under exports/YYYY-MM/ and the issue. Pure.

import type { IssueDraft } from "../evidence/issue-sink.js";
import { csvDocument } from "./csv.js";
import { CHANGES_HEADER, changeCsvValues } from "./change-row.js";
import { EXCEPTIONS_HEADER, exceptionCsvValues, reviewOutcome, type ExceptionRow, type ReviewIssueState } from "./exception-row.js";
import { ACCESS_HEADER, accessCsvValues, accessGrants, accessTotals, type AccessFacts } from "./access-review.js";
import { buildSummary, type ExportSummary, type ReconciliationCounts } from "./summary.js";
import { EXPORT_LABEL, exportIssueKey, exportIssueTitle, renderIssueBody } from "./issue-body.js";
import { exportDirectory } from "./period.js";
import type { PeriodRecords } from "./period-selection.js";

export const EXPORT_FILES = ["changes.csv", "exceptions.csv", "access-review.csv", "summary.json"] as const;

export interface ExportInput {
  organization: string;
  selected: PeriodRecords;
  reconciliation: ReconciliationCounts;
  /** null when the access review could not be loaded (no GitHub access). */
  access: AccessFacts | null;
  reviewStates: ReadonlyMap<string, ReviewIssueState>;
  /** When the export runs: decides whether an open review is overdue. */
  now: string;
  archive: string;
  repositories: string[];
  excludedRepositories: string[];
  shardsRead: string[];
}

export interface ExportFiles {
  /** Path in the archive (exports/YYYY-MM/…) → content. */
  files: Map<string, string>;
  summary: ExportSummary;
  exceptions: ExceptionRow[];
}

export function buildExportFiles(input: ExportInput): ExportFiles {
  const dir = exportDirectory(input.selected.period);
  const exceptions = input.selected.exceptions.map((e) => {
    const outcome = reviewOutcome(e, input.reviewStates, input.now);
    return { ...e, reviewStatus: outcome.status, reviewedBy: outcome.by };
  });
  const grants = input.access ? accessGrants(input.access) : [];
  const summary = buildSummary({
    organization: input.organization,
    selected: input.selected,
    exceptions,
    reconciliation: input.reconciliation,
    access: input.access ? { twoFactorRequired: input.access.twoFactorRequired, ...accessTotals(grants), problems: input.access.problems } : null,
    archive: input.archive,
    repositories: input.repositories,
    excludedRepositories: input.excludedRepositories,
    shardsRead: input.shardsRead,
    files: EXPORT_FILES.map((f) => `${dir}/${f}`),
  });
  const files = new Map<string, string>([
    [`${dir}/changes.csv`, csvDocument(CHANGES_HEADER, input.selected.changes.map(changeCsvValues))],
    [`${dir}/exceptions.csv`, csvDocument(EXCEPTIONS_HEADER, exceptions.map(exceptionCsvValues))],
    [`${dir}/access-review.csv`, csvDocument(ACCESS_HEADER, grants.map((g) => accessCsvValues(g, input.access?.twoFactorRequired ?? null)))],
    [`${dir}/summary.json`, `${JSON.stringify(summary, null, 2)}\n`],
  ]);
  return { files, summary, exceptions };
}

export function buildExportIssue(input: { exported: ExportFiles; fileLinks: Record<string, string>; verifyArgs: string; limit?: number; signed?: string[] }): IssueDraft & { moved: string[] } {
  const { summary } = input.exported;
  const rendered = renderIssueBody({ summary, exceptions: input.exported.exceptions, fileLinks: input.fileLinks, verifyArgs: input.verifyArgs, ...(input.signed ? { signed: input.signed } : {}) }, input.limit);
  return {
    title: exportIssueTitle(summary.period.label),
    body: rendered.body,
    labels: [EXPORT_LABEL],
    key: exportIssueKey(summary.organization, summary.period.label),
    moved: rendered.moved,
  };
}
