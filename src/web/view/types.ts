// What the shared renderer draws: plain data, the same on the server and in report.html.

import type { ChangeRow } from "../../export/change-row.js";
import type { SealedRecord } from "../../evidence/record.js";

/** A row of the change table: the export's row plus the controls that failed. */
export interface ChangeView extends ChangeRow {
  failedControls: string[];
}

export interface ChangeQuery {
  repository?: string;
  kind?: string;
  /** an exception kind, "any" (has one) or "none" */
  exception?: string;
  /** a control id, or "any" */
  failedControl?: string;
  collectedLate?: "yes" | "no";
  author?: string;
  approver?: string;
  /** YYYY-MM-DD, inclusive, on the landing date (UTC) */
  from?: string;
  to?: string;
  text?: string;
  sort?: "mergedAt" | "repository" | "author" | "title" | "change";
  dir?: "asc" | "desc";
  page?: number;
  pageSize?: number;
}

export interface PeriodFigures {
  label: string;
  changes: number;
  pullRequests: number;
  directPushes: number;
  /** independent approval whose approvals cover the merged head */
  approvedCoveringHead: number;
  ciPassed: number;
  exceptions: number;
  exceptionsOpen: number;
  exceptionsClosedInTime: number;
  exceptionsLate: number;
  collectedLate: number;
}

export interface ChartMonth {
  label: string;
  changes: number;
  /** null: not known for that month (an export written before it was counted) */
  approvedCoveringHead: number | null;
  ciPassed: number;
}

export interface RepositoryFigures {
  repository: string;
  changes: number;
  approvedCoveringHead: number;
  ciPassed: number;
  exceptions: number;
  directPushes: number;
  collectedLate: number;
}

/** One record as the change page shows it. */
export interface RecordView {
  record: SealedRecord;
  /** 1-based place in the chain */
  position: number;
  chainLength: number;
  location: string | null;
  hashMatches: boolean;
  /** in plain words: which checkpoint covers it, or why none does */
  checkpoint: string;
  /** in plain words: the attestation's signature status */
  attestation: string;
  reviewStatus: string | null;
}

export interface SampleRequest {
  size: number;
  seed: string;
  stratify?: boolean;
}

export interface SampleResult {
  seed: string;
  size: number;
  population: number;
  stratified: boolean;
  strata: Array<{ repository: string; population: number; size: number }>;
  rows: ChangeView[];
}
