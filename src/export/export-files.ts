// Everything one export produces, from the selected records and the facts read at the
// edges: the files under exports/YYYY-MM/ and the issue. Pure.

import type { IssueDraft } from "../evidence/issue-sink.js";
import { csvDocument } from "./csv.js";
import { CHANGES_HEADER, changeCsvValues } from "./change-row.js";
import { EXCEPTIONS_HEADER, exceptionCsvValues, reviewOutcome, type ExceptionRow, type ReviewIssueState } from "./exception-row.js";
import { SETTINGS_CHANGES_HEADER, settingsChangeCsvValues } from "./settings-change-row.js";
import { ACCESS_HEADER, accessCsvValues, accessGrants, accessTotals, type AccessFacts } from "./access-review.js";
import { buildSummary, type ExportSummary, type ReconciliationCounts } from "./summary.js";
import { EXPORT_LABEL, exportIssueKey, exportIssueTitle, renderIssueBody } from "./issue-body.js";
import type { ReviewStatus } from "./exception-row.js";
import { exportDirectory } from "./period.js";
import type { PeriodRecords } from "./period-selection.js";
import type { SealedRecord } from "../evidence/record.js";
import type { DsseEnvelope } from "../trust/dsse.js";
import { buildReportHtml } from "../web/report.js";
import { periodFigures, repositoryFigures } from "../web/archive-index.js";
import type { ChangeView, ChartMonth } from "../web/view/types.js";

export const EXPORT_FILES = ["changes.csv", "exceptions.csv", "settings-changes.csv", "access-review.csv", "summary.json", "report.html"] as const;

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
  /** The period's signed checkpoint (signed by this export): report.html's sampling seed. */
  periodCheckpoint?: DsseEnvelope | null;
  /** The public key that signed it (SPKI DER, base64): report.html verifies the signature in the browser. */
  signingPublicKey?: string | null;
  /** The 11 months before the period, from their exports (chartHistory), for report.html's chart. */
  history?: ChartMonth[];
  /** Web base for commit links in report.html, e.g. https://github.com/ */
  webBase?: string;
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
    [`${dir}/settings-changes.csv`, csvDocument(SETTINGS_CHANGES_HEADER, input.selected.settingsChanges.map(settingsChangeCsvValues))],
    [`${dir}/access-review.csv`, csvDocument(ACCESS_HEADER, grants.map((g) => accessCsvValues(g, input.access?.twoFactorRequired ?? null)))],
    [`${dir}/summary.json`, `${JSON.stringify(summary, null, 2)}\n`],
    [`${dir}/report.html`, periodReport(input, exceptions)],
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

/** report.html: the period's rows (as changes.csv has them) with their records' chain segment. */
function periodReport(input: ExportInput, exceptions: ExceptionRow[]): string {
  const { selected } = input;
  const records = new Map<string, SealedRecord>();
  for (const line of selected.segment) {
    try {
      const r = JSON.parse(line.text) as SealedRecord;
      records.set(r.hash, r);
    } catch {
      // An unreadable line stays in the segment: the browser reports it.
    }
  }
  const rows: ChangeView[] = selected.changes.map((row) => {
    const record = records.get(row.recordHash);
    return { ...row, coversMergedHead: record?.flags.coversMergedHead ?? false, failedControls: record?.controls.filter((c) => c.status === "fail").map((c) => c.id) ?? [] };
  });
  const statuses = new Map<string, ReviewStatus>();
  for (const e of exceptions) if (e.type !== "secret-suppressed") statuses.set(e.recordHash, e.reviewStatus);
  return buildReportHtml({
    org: input.organization,
    period: selected.period.label,
    rows,
    lines: selected.segment,
    seal: selected.seal,
    figures: periodFigures(selected.period.label, rows, statuses),
    chart: [...(input.history ?? []).slice(-11), { label: selected.period.label, changes: rows.length, approvedCoveringHead: rows.filter((r) => r.independentApproval && r.coversMergedHead).length, ciPassed: rows.filter((r) => r.ciPassed).length }],
    repositories: repositoryFigures(rows),
    reviewStatuses: Object.fromEntries(statuses),
    commitBase: input.webBase ?? "https://github.com/",
    periodCheckpoint: input.periodCheckpoint ?? null,
    signingPublicKey: input.signingPublicKey ?? null,
  });
}
