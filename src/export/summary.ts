// summary.json: the figures behind the issue, machine-readable. Deterministic for a given
// archive and population (no generation time), so a re-run writes byte-identical files
// and makes no second commit.

import type { Period } from "../evidence/reconcile.js";
import type { PeriodRecords, ChainPoint, ChainCheck } from "./period-selection.js";
import { isOpen, type ExceptionRow } from "./exception-row.js";
import type { ChangeRow } from "./change-row.js";

export const SUMMARY_SCHEMA = "soc2-guard/monthly-export@1";

export type ReconciliationCounts =
  | {
      ran: true;
      /** Changes GitHub shows for the period: merged pull requests plus unreviewed pushes. */
      population: number;
      /** Records of the period in the archive after backfilling. */
      records: number;
      /** Records of the period collected after the fact (by reconciliation), this run or earlier. */
      addedLate: number;
      /** Changes GitHub shows that still have no record (could not be backfilled), with why. */
      missing: Array<{ change: string; reason: string }>;
    }
  | { ran: false; reason: string };

export interface RepositoryTotals {
  changes: number;
  pullRequests: number;
  directPushes: number;
  independentApproval: number;
  /** independent approval covering the merged head (absent in summaries written before it was counted) */
  approvedCoveringHead: number;
  approvedBeforeMerge: number;
  ciPassed: number;
  exceptions: number;
  collectedLate: number;
}

export interface ExportSummary {
  schema: typeof SUMMARY_SCHEMA;
  organization: string;
  period: Period;
  query: {
    archive: string;
    repositories: number;
    excludedRepositories: string[];
    membership: string;
    shardsRead: string[];
  };
  totals: RepositoryTotals & { exceptionsOpen: number; secretFindings: number; piiFindings: number; percentIndependentApproval: number; percentCiPassed: number };
  /** Repository settings soc2-guard changed (settings-changes.csv), by outcome. */
  settingsChanges: { applied: number; failed: number };
  exceptionsByType: Record<string, number>;
  controls: Record<string, Record<string, number>>;
  repositories: Record<string, RepositoryTotals>;
  reconciliation: ReconciliationCounts;
  ledger: { headAtPeriodEnd: ChainPoint | null; seal: ChainPoint | null; chainCheck: ChainCheck };
  access: { twoFactorRequired: boolean | null; grants: number; admins: number; outsideCollaborators: number; problems: string[] } | null;
  /** The issue body left these tables to the files (GitHub's body limit). */
  files: string[];
}

const emptyTotals = (): RepositoryTotals => ({ changes: 0, pullRequests: 0, directPushes: 0, independentApproval: 0, approvedCoveringHead: 0, approvedBeforeMerge: 0, ciPassed: 0, exceptions: 0, collectedLate: 0 });

function add(totals: RepositoryTotals, row: ChangeRow): void {
  totals.changes++;
  if (row.kind === "pull-request") totals.pullRequests++;
  else totals.directPushes++;
  if (row.independentApproval) totals.independentApproval++;
  if (row.independentApproval && row.coversMergedHead) totals.approvedCoveringHead++;
  if (row.approvedBeforeMerge) totals.approvedBeforeMerge++;
  if (row.ciPassed) totals.ciPassed++;
  if (row.exception) totals.exceptions++;
  if (row.collectedLate) totals.collectedLate++;
}

export const percent = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10);

export const MEMBERSHIP_RULE =
  "pull requests merged in [since, until); direct pushes recorded by webhook in [since, until), or whose commits landed on the default branch's first-parent line in [since, until)";

export function buildSummary(input: {
  organization: string;
  selected: PeriodRecords;
  exceptions: ExceptionRow[];
  reconciliation: ReconciliationCounts;
  access: ExportSummary["access"];
  archive: string;
  repositories: string[];
  excludedRepositories: string[];
  shardsRead: string[];
  files: string[];
}): ExportSummary {
  const { selected } = input;
  const repositories: Record<string, RepositoryTotals> = {};
  const totals = emptyTotals();
  for (const repo of input.repositories) repositories[repo] = emptyTotals();
  for (const row of selected.changes) {
    add((repositories[row.repository] ??= emptyTotals()), row);
    add(totals, row);
  }
  const exceptionsByType: Record<string, number> = {};
  for (const e of input.exceptions) exceptionsByType[e.type] = (exceptionsByType[e.type] ?? 0) + 1;
  const sortedRepos = Object.fromEntries(Object.entries(repositories).sort(([a], [b]) => a.localeCompare(b)));
  const sortedControls = Object.fromEntries(Object.entries(selected.controls).sort(([a], [b]) => a.localeCompare(b)));
  return {
    schema: SUMMARY_SCHEMA,
    organization: input.organization,
    period: selected.period,
    query: { archive: input.archive, repositories: input.repositories.length, excludedRepositories: input.excludedRepositories, membership: MEMBERSHIP_RULE, shardsRead: input.shardsRead },
    totals: {
      ...totals,
      exceptionsOpen: input.exceptions.filter((e) => isOpen(e.reviewStatus)).length,
      secretFindings: selected.changes.reduce((n, r) => n + r.secretFindings, 0),
      piiFindings: selected.changes.reduce((n, r) => n + r.piiFindings, 0),
      percentIndependentApproval: percent(totals.independentApproval, totals.changes),
      percentCiPassed: percent(totals.ciPassed, totals.changes),
    },
    settingsChanges: {
      applied: selected.settingsChanges.filter((c) => c.outcome === "applied").length,
      failed: selected.settingsChanges.filter((c) => c.outcome === "failed").length,
    },
    exceptionsByType,
    controls: sortedControls,
    repositories: sortedRepos,
    reconciliation: input.reconciliation,
    ledger: { headAtPeriodEnd: selected.headAtPeriodEnd, seal: selected.seal, chainCheck: selected.chain },
    access: input.access,
    files: input.files,
  };
}
