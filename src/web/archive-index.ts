// The archive as the portal reads it: every stored line parsed once, its hash recomputed,
// the chain verified, and the records grouped into periods by the export's own rule
// (belongsToPeriod, with the commit times each export's snapshot.json holds), so a period
// here has the changes its export has. Pure: built from EvidenceArchive.read()'s lines;
// the data is the archive, never a second store.

import { createHash } from "node:crypto";
import { GENESIS, recordHash, type LedgerHead } from "../evidence/ledger.js";
import type { SealedRecord } from "../evidence/record.js";
import type { StoredLine } from "../evidence/verify.js";
import { monthPeriod, type Period } from "../evidence/reconcile.js";
import { belongsToPeriod, pushCommittedAt } from "../export/period-selection.js";
import { changeRow, landedAt } from "../export/change-row.js";
import { exceptionRows, isOpen, reviewStatus, type ReviewIssueState, type ReviewStatus } from "../export/exception-row.js";
import type { ChangeView, ChartMonth, PeriodFigures, RepositoryFigures } from "./view/types.js";

export interface IndexedRecord {
  record: SealedRecord;
  position: number;
  location: string;
  hashMatches: boolean;
  /** The period whose changes it is in; null for a settings change, or a late push no export has placed yet. */
  period: string | null;
}

export interface IndexedPeriod {
  period: Period;
  rows: ChangeView[];
  /** The last record of the period in chain order: its hash seals the period. */
  seal: { hash: string; recordId: string; position: number } | null;
  /** Chain positions of the period's records (1-based). */
  positions: number[];
}

export interface ArchiveIndex {
  records: IndexedRecord[];
  byHash: Map<string, IndexedRecord>;
  periods: Map<string, IndexedPeriod>;
  /** Every hash matches and every record links to the one before it (the verification page re-runs `verifyChain`). */
  intact: boolean;
  head: LedgerHead | null;
  /** Direct pushes collected late that no export has placed in a period yet (the export places them by commit time). */
  unplaced: IndexedRecord[];
}

/** Per exported period (YYYY-MM): the default-branch commit times its snapshot.json holds (repo → sha → time). */
export type ExportedCommits = ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, string>>>;

/**
 * Does a stored line still match its hash? A stored line is the record's canonical JSON, so
 * the hashed bytes are the line without its top-level "hash" member: hashing those bytes is
 * enough when they match (same bytes, same content). Otherwise the record is re-serialised
 * canonically, as `soc2-guard verify` does, before it is called edited.
 */
export function storedLineMatches(text: string, record: SealedRecord): boolean {
  const member = `"hash":"${record.hash}",`;
  const at = text.indexOf(member);
  if (at >= 0 && text.indexOf(member, at + 1) < 0) {
    if (createHash("sha256").update(text.slice(0, at) + text.slice(at + member.length), "utf8").digest("hex") === record.hash) return true;
  }
  return recordHash(record) === record.hash;
}

export const monthOf = (iso: string): string => iso.slice(0, 7);

/**
 * The period a record's change is in, by the export's rule: a pull request in the month it
 * merged; a direct push in a month whose export found its commit on the default branch
 * (at that commit's time when it was collected late), else — recorded by its webhook — in
 * the month it was recorded. A settings change is in none; so is a late push no export
 * has placed yet.
 */
export function periodOf(record: SealedRecord, exported: ExportedCommits = new Map()): { label: string; committedAt?: string } | null {
  if (record.kind === "settings-change") return null;
  if (record.push) {
    for (const [label, periodCommits] of [...exported].sort(([a], [b]) => a.localeCompare(b))) {
      const period = monthPeriod(label);
      if (!period || !periodCommits.has(record.repository.toLowerCase())) continue;
      const options = { period, periodCommits };
      if (belongsToPeriod(record, options)) {
        const committedAt = record.collectedLate ? pushCommittedAt(record, options) : undefined;
        return committedAt ? { label, committedAt } : { label };
      }
    }
  }
  const label = monthOf(landedAt(record));
  const period = monthPeriod(label);
  return period && belongsToPeriod(record, { period }) ? { label } : null;
}

export function changeViewOf(record: SealedRecord, committedAt?: string): ChangeView {
  return { ...changeRow(record, committedAt), failedControls: record.controls.filter((c) => c.status === "fail").map((c) => c.id) };
}

export function buildArchiveIndex(archive: { lines: StoredLine[]; head: LedgerHead | null }, options: { exported?: ExportedCommits } = {}): ArchiveIndex {
  const records: IndexedRecord[] = [];
  const byHash = new Map<string, IndexedRecord>();
  const periods = new Map<string, IndexedPeriod>();
  const unplaced: IndexedRecord[] = [];
  let intact = true;
  let prev = GENESIS;
  archive.lines.forEach((line, i) => {
    let record: SealedRecord;
    try {
      record = JSON.parse(line.text) as SealedRecord;
    } catch {
      intact = false;
      return;
    }
    const placed = periodOf(record, options.exported);
    const label = placed?.label ?? null;
    const indexed: IndexedRecord = { record, position: i + 1, location: line.location, hashMatches: storedLineMatches(line.text, record), period: label };
    records.push(indexed);
    if (!indexed.hashMatches || record.prev !== prev) intact = false;
    prev = record.hash;
    byHash.set(record.hash, indexed);
    if (!placed || !label) {
      if (record.kind === "direct-push") unplaced.push(indexed);
      return;
    }
    let p = periods.get(label);
    if (!p) {
      p = { period: monthPeriod(label)!, rows: [], seal: null, positions: [] };
      periods.set(label, p);
    }
    p.rows.push(changeViewOf(record, placed.committedAt));
    p.positions.push(i + 1);
    p.seal = { hash: record.hash, recordId: record.id, position: i + 1 };
  });
  for (const p of periods.values()) p.rows.sort((a, b) => a.mergedAt.localeCompare(b.mergedAt) || a.repository.localeCompare(b.repository) || a.change.localeCompare(b.change));
  if (archive.head && (archive.head.hash !== prev || archive.head.count !== archive.lines.length)) intact = false;
  return { records, byHash, periods, intact, head: archive.head, unplaced };
}

/** Where each exception's review stands, by record hash. */
export function reviewStatuses(index: ArchiveIndex, label: string, states: ReadonlyMap<string, ReviewIssueState> | null, now: string): Map<string, ReviewStatus> {
  const out = new Map<string, ReviewStatus>();
  const p = index.periods.get(label);
  if (!p) return out;
  for (const position of p.positions) {
    const { record } = index.records[position - 1] ?? {};
    if (!record) continue;
    for (const row of exceptionRows(record)) {
      if (row.type === "secret-suppressed") continue;
      out.set(record.hash, states ? reviewStatus(row, states, now) : row.reviewIssueUrl ? "unknown" : "no review issue");
    }
  }
  return out;
}

export function periodFigures(label: string, rows: ChangeView[], statuses: ReadonlyMap<string, ReviewStatus>): PeriodFigures {
  const f: PeriodFigures = { label, changes: 0, pullRequests: 0, directPushes: 0, approvedCoveringHead: 0, ciPassed: 0, exceptions: 0, exceptionsOpen: 0, exceptionsClosedInTime: 0, exceptionsLate: 0, collectedLate: 0 };
  for (const r of rows) {
    f.changes++;
    if (r.kind === "pull-request") f.pullRequests++;
    else f.directPushes++;
    if (r.independentApproval && r.coversMergedHead) f.approvedCoveringHead++;
    if (r.ciPassed) f.ciPassed++;
    if (r.collectedLate) f.collectedLate++;
    if (r.exception) {
      f.exceptions++;
      const status = statuses.get(r.recordHash) ?? "unknown";
      if (status === "done in time") f.exceptionsClosedInTime++;
      else if (status === "done late" || status === "overdue") f.exceptionsLate++;
      else if (isOpen(status)) f.exceptionsOpen++;
    }
  }
  return f;
}

/** The twelve months ending with `label`, zero where nothing landed. */
export function chartMonths(index: ArchiveIndex, label: string, count = 12): ChartMonth[] {
  const [y, m] = label.split("-").map(Number) as [number, number];
  const out: ChartMonth[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    const l = d.toISOString().slice(0, 7);
    const rows = index.periods.get(l)?.rows ?? [];
    out.push({ label: l, changes: rows.length, approvedCoveringHead: rows.filter((r) => r.independentApproval && r.coversMergedHead).length, ciPassed: rows.filter((r) => r.ciPassed).length });
  }
  return out;
}

export function repositoryFigures(rows: ChangeView[]): RepositoryFigures[] {
  const map = new Map<string, RepositoryFigures>();
  for (const r of rows) {
    const f = map.get(r.repository) ?? { repository: r.repository, changes: 0, approvedCoveringHead: 0, ciPassed: 0, exceptions: 0, directPushes: 0, collectedLate: 0 };
    f.changes++;
    if (r.independentApproval && r.coversMergedHead) f.approvedCoveringHead++;
    if (r.ciPassed) f.ciPassed++;
    if (r.exception) f.exceptions++;
    if (r.kind === "direct-push") f.directPushes++;
    if (r.collectedLate) f.collectedLate++;
    map.set(r.repository, f);
  }
  return [...map.values()].sort((a, b) => a.repository.localeCompare(b.repository));
}
