// Picks a period's records out of the chain, one line at a time: the archive may hold
// years of records, so nothing but the compact rows of the period is kept. While reading
// it checks every hash and every link it can see, and notes the two hashes that seal the
// period: the chain's head when the period ended, and the hash of the last record that
// belongs to the period (records backfilled late come after the period's end).

import { recordHash, serialiseRecord } from "../evidence/ledger.js";
import type { SealedRecord } from "../evidence/record.js";
import type { StoredLine } from "../evidence/verify.js";
import { inPeriod, type Period } from "../evidence/reconcile.js";
import { changeRow, landedAt, type ChangeRow } from "./change-row.js";
import { exceptionRows, type ExceptionRow } from "./exception-row.js";
import { settingsChangeRow, type SettingsChangeRow } from "./settings-change-row.js";

export interface ChainPoint {
  hash: string;
  recordId: string;
}

export interface ChainCheck {
  /** Records checked: the lines read plus records this run appended. */
  recordsChecked: number;
  /** The first problem seen in the lines read, or null. `soc2-guard verify` checks the whole chain. */
  problem: string | null;
}

/** What reconciliation needs to know of every record read (not only the period's). */
export interface RecordedChange {
  id: string;
  repository: string;
  kind: SealedRecord["kind"];
  pullNumber: number | null;
  pushShas: string[];
}

export interface PeriodRecords {
  period: Period;
  changes: ChangeRow[];
  exceptions: ExceptionRow[];
  /** Repository settings the app changed in the period (the audit's fixes), by time. */
  settingsChanges: SettingsChangeRow[];
  /** status counts per control id, e.g. { "review.approval": { pass: 40, fail: 2 } } */
  controls: Record<string, Record<string, number>>;
  /** The chain head at the end of the period (last record collected before it ended). */
  headAtPeriodEnd: ChainPoint | null;
  /** The last record of the period in chain order (a change or a settings change): its hash seals every period record. */
  seal: ChainPoint | null;
  chain: ChainCheck;
  recorded: RecordedChange[];
  /**
   * The stored lines read, in chain order, from the first one up to and including the
   * seal: what report.html embeds so a browser can re-check the period's hashes and links.
   */
  segment: StoredLine[];
}

export interface SelectionOptions {
  period: Period;
  /**
   * Commits on each repository's default branch that landed in the period (lower-cased
   * `owner/repo` → sha → commit time), from reconciliation: places a direct push
   * backfilled after the period in the period it happened, at the time it happened.
   */
  periodCommits?: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/** Does this record describe a change that landed in the period? */
/** The commit time GitHub shows for a push's newest commit in the period, if known. */
export function pushCommittedAt(record: SealedRecord, options: SelectionOptions): string | undefined {
  if (!record.push) return undefined;
  const commits = options.periodCommits?.get(record.repository.toLowerCase());
  return commits?.get(record.push.after) ?? [...record.push.commits].reverse().map((c) => commits?.get(c.sha)).find((t) => t !== undefined);
}

export function belongsToPeriod(record: SealedRecord, options: SelectionOptions): boolean {
  // A settings change is not a change of code: it is listed apart (settings-changes.csv).
  if (record.kind === "settings-change") return false;
  if (record.kind === "pull-request") return record.pullRequest?.mergedAt ? inPeriod(record.pullRequest.mergedAt, options.period) : false;
  const commits = options.periodCommits?.get(record.repository.toLowerCase());
  if (commits && record.push && (commits.has(record.push.after) || record.push.commits.some((c) => commits.has(c.sha)))) return true;
  // A push recorded by its webhook was recorded within seconds of landing.
  return !record.collectedLate && inPeriod(landedAt(record), options.period);
}

export class PeriodSelector {
  private readonly changes: ChangeRow[] = [];
  private readonly exceptions: ExceptionRow[] = [];
  private readonly settingsChanges: SettingsChangeRow[] = [];
  private readonly controls: Record<string, Record<string, number>> = {};
  private readonly recorded: RecordedChange[] = [];
  private readonly seenIds = new Set<string>();
  private readonly lines: StoredLine[] = [];
  private sealLine = -1;
  private headAtPeriodEnd: ChainPoint | null = null;
  private seal: ChainPoint | null = null;
  private prev: string | null = null;
  private recordsChecked = 0;
  private problem: string | null = null;

  constructor(private readonly options: SelectionOptions) {}

  /** One stored line, in chain order. */
  addLine(line: StoredLine): void {
    this.lines.push(line);
    let record: SealedRecord;
    try {
      record = JSON.parse(line.text) as SealedRecord;
    } catch {
      this.recordsChecked++;
      this.problem ??= `${line.location}: not valid JSON`;
      return;
    }
    this.addRecord(record, line.location);
  }

  /** A sealed record, in chain order (a line read, or a record this run just appended). */
  addRecord(record: SealedRecord, location: string, options: { appendedNow?: boolean } = {}): void {
    if (options.appendedNow) this.lines.push({ location, text: serialiseRecord(record) });
    this.recordsChecked++;
    if (recordHash(record) !== record.hash) this.problem ??= `${location}: ${record.id} does not match its hash (edited after it was sealed)`;
    // The first line read links to a record before the window; records appended now may
    // follow records another writer appended meanwhile.
    else if (this.prev !== null && record.prev !== this.prev && !options.appendedNow) this.problem ??= `${location}: ${record.id} does not link to the record before it`;
    this.prev = record.hash;
    this.recorded.push({
      id: record.id,
      repository: record.repository,
      kind: record.kind,
      pullNumber: record.pullRequest?.number ?? null,
      pushShas: record.push ? [record.push.after, ...record.push.commits.map((c) => c.sha)] : [],
    });
    const point = { hash: record.hash, recordId: record.id };
    if (record.collectedAt < this.options.period.until) this.headAtPeriodEnd = point;
    const settingsChange = record.kind === "settings-change" && inPeriod(record.collectedAt, this.options.period) ? settingsChangeRow(record) : null;
    if (!settingsChange && !belongsToPeriod(record, this.options)) return;
    if (this.seenIds.has(record.id)) {
      this.problem ??= `${location}: ${record.id} is recorded twice`;
      return;
    }
    this.seenIds.add(record.id);
    this.seal = point;
    this.sealLine = this.lines.length - 1;
    if (settingsChange) {
      this.settingsChanges.push(settingsChange);
      return;
    }
    // Commit dates are the pusher's to set: used only where no webhook saw the push land.
    const committedAt = record.collectedLate ? pushCommittedAt(record, this.options) : undefined;
    this.changes.push(changeRow(record, committedAt));
    this.exceptions.push(...exceptionRows(record, committedAt));
    for (const control of record.controls) {
      const counts = (this.controls[control.id] ??= {});
      counts[control.status] = (counts[control.status] ?? 0) + 1;
    }
  }

  finish(): PeriodRecords {
    const byTime = <T extends { mergedAt?: string; when?: string; repository: string; change: string }>(a: T, b: T): number =>
      (a.mergedAt ?? a.when ?? "").localeCompare(b.mergedAt ?? b.when ?? "") || a.repository.localeCompare(b.repository) || a.change.localeCompare(b.change);
    return {
      period: this.options.period,
      changes: [...this.changes].sort(byTime),
      exceptions: [...this.exceptions].sort(byTime),
      settingsChanges: [...this.settingsChanges].sort((a, b) => a.when.localeCompare(b.when) || a.repository.localeCompare(b.repository) || a.recordId.localeCompare(b.recordId)),
      controls: this.controls,
      headAtPeriodEnd: this.headAtPeriodEnd,
      seal: this.seal,
      chain: { recordsChecked: this.recordsChecked, problem: this.problem },
      recorded: this.recorded,
      segment: this.lines.slice(0, this.sealLine + 1),
    };
  }
}

/** Convenience for tests and small archives: select from lines already in hand. */
export function selectPeriod(lines: Iterable<StoredLine>, options: SelectionOptions): PeriodRecords {
  const selector = new PeriodSelector(options);
  for (const line of lines) selector.addLine(line);
  return selector.finish();
}
