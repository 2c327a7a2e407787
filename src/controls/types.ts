import type { Facts } from "../facts.js";
import type { Config, Mode } from "../config/types.js";

export type ControlId =
  | "review.approval"
  | "ci.passing"
  | "branch.protection"
  | "secrets.diff"
  | "secrets.repository"
  | "change.ticket"
  | "privacy.pii";

/** pass ✅, fail ❌, pending ⏳ (waiting on something that has not reported), skipped ➖ (off or cannot be evaluated, with a reason). */
export type Status = "pass" | "fail" | "pending" | "skipped";

/** An annotation on a file line, as the Checks API takes it. Never holds a secret value. */
export interface Annotation {
  path: string;
  startLine: number;
  endLine: number;
  startColumn?: number;
  endColumn?: number;
  level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

export interface Finding {
  /** What is wrong or what was seen, in one sentence. */
  message: string;
  path?: string;
  line?: number;
}

export interface ControlResult {
  id: ControlId;
  criteria: string[];
  mode: Mode;
  status: Status;
  /** One-line reason shown in the summary table. */
  reason: string;
  /** What to do to make it pass; empty when passing. */
  fix: string;
  findings: Finding[];
  annotations: Annotation[];
  /** Structured details for the evidence record (no secrets). */
  details?: Record<string, unknown>;
}

/** Inputs a control needs that are not facts about GitHub (still no I/O). */
export interface ControlEnv {
  /** Per-installation key for secret fingerprints (HMAC-SHA256). */
  fingerprintKey: Uint8Array;
  /** Evaluation time, ISO 8601. */
  now: string;
}

export interface Control {
  id: ControlId;
  criteria: string[];
  title: string;
  evaluate(facts: Facts, config: Config, env: ControlEnv): ControlResult;
}
