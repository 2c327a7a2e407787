// What the export runner needs from where the archive lives — a local directory or the
// archive repository on GitHub — beyond appending records (EvidenceArchive does that).

import type { StoredLine } from "../evidence/verify.js";
import type { Period } from "../evidence/reconcile.js";
import type { ReviewIssueState } from "./exception-row.js";

export interface ExportStore {
  readonly description: string;
  /** The `soc2-guard verify` arguments that name this archive. */
  readonly verifyArgs: string;
  /**
   * The stored lines, in chain order, of the shards that can hold the period's records:
   * from the period's first day onward (a record is appended after its change lands).
   */
  periodLines(period: Period, now: Date): AsyncIterable<StoredLine>;
  /** The shard paths (or directories) `periodLines` read, for summary.json. */
  readonly shardsRead: string[];
  /** Writes the files in one commit, unless they are already there byte for byte. */
  writeFiles(files: Map<string, string>, message: string): Promise<{ written: boolean; ref: string }>;
  /** The ledger head (head.json) now, which the export's signed checkpoint names; absent: unsigned exports only. */
  ledgerHead?(): Promise<import("../evidence/ledger.js").LedgerHead | null>;
  /** A file of an earlier export (exports/YYYY-MM/summary.json), null when there is none: report.html's 12-month chart. */
  readExportFile?(path: string): Promise<string | null>;
  /** Where an auditor opens each file (by name), pinned to `ref` where the store has refs. */
  fileLinks(paths: string[], ref: string): Record<string, string>;
}

export interface ExportIssueLookup {
  /** The URL of the issue opened with this key, if any: the export's lock. */
  find(key: string, label: string): Promise<string | null>;
  /** Review and justification issues (emergency changes, direct pushes): open or closed when. */
  reviewStates(period: Period): Promise<Map<string, ReviewIssueState>>;
  /** Closes all but the first issue with this key (two replicas that raced). */
  settle(key: string, label: string): Promise<void>;
}
