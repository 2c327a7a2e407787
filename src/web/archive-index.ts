// The archive as the portal reads it: every stored line parsed once, its hash recomputed,
// the chain verified, and the records grouped into the months they landed in, with the
// figures the pages show. Pure: built from EvidenceArchive.read()'s lines; the data is the
// archive, never a second store.

import { createHash } from "node:crypto";
import { GENESIS, recordHash, type LedgerHead } from "../evidence/ledger.js";
import type { SealedRecord } from "../evidence/record.js";
import type { StoredLine } from "../evidence/verify.js";
import { monthPeriod, type Period } from "../evidence/reconcile.js";
import { belongsToPeriod } from "../export/period-selection.js";
import { changeRow, landedAt } from "../export/change-row.js";
import { exceptionRows, isOpen, reviewStatus, type ReviewIssueState, type ReviewStatus } from "../export/exception-row.js";
import type { ChangeView, ChartMonth, PeriodFigures, RepositoryFigures } from "./view/types.js";

export interface IndexedRecord {
  record: SealedRecord;
  position: number;
  location: string;
  hashMatches: boolean;
  period: string;
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
}

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

/** The month a record belongs to: when it landed (a push backfilled late: when it was collected). */
export function periodLabelOf(record: SealedRecord): string {
  const label = monthOf(landedAt(record));
  const period = monthPeriod(label);
  return period && belongsToPeriod(record, { period }) ? label : monthOf(record.collectedAt);
}

export function changeViewOf(record: SealedRecord): ChangeView {
  return { ...changeRow(record), coversMergedHead: record.flags.coversMergedHead, failedControls: record.controls.filter((c) => c.status === "fail").map((c) => c.id) };
}

export function buildArchiveIndex(archive: { lines: StoredLine[]; head: LedgerHead | null }): ArchiveIndex {
  const records: IndexedRecord[] = [];
  const byHash = new Map<string, IndexedRecord>();
  const periods = new Map<string, IndexedPeriod>();
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
    const label = periodLabelOf(record);
    const indexed: IndexedRecord = { record, position: i + 1, location: line.location, hashMatches: storedLineMatches(line.text, record), period: label };
    records.push(indexed);
    if (!indexed.hashMatches || record.prev !== prev) intact = false;
    prev = record.hash;
    byHash.set(record.hash, indexed);
    let p = periods.get(label);
    if (!p) {
      p = { period: monthPeriod(label)!, rows: [], seal: null, positions: [] };
      periods.set(label, p);
    }
    p.rows.push(changeViewOf(record));
    p.positions.push(i + 1);
    p.seal = { hash: record.hash, recordId: record.id, position: i + 1 };
  });
  for (const p of periods.values()) p.rows.sort((a, b) => a.mergedAt.localeCompare(b.mergedAt) || a.repository.localeCompare(b.repository) || a.change.localeCompare(b.change));
  if (archive.head && (archive.head.hash !== prev || archive.head.count !== archive.lines.length)) intact = false;
  return { records, byHash, periods, intact, head: archive.head };
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
