// The verdict's shapes and the status icons, shared by the decision and its rendering.

import type { Annotation, ControlResult, Status } from "../controls/types.js";
import type { ConfigProblem } from "../config/types.js";
import type { ExceptionState } from "../controls/exception.js";

export interface Verdict {
  status: "in_progress" | "completed";
  /** null while in progress. Never `neutral`/`skipped`: a required check treats those as passing. */
  conclusion: "success" | "failure" | null;
  title: string;
  summary: string;
  annotations: Annotation[];
  results: ControlResult[];
  exception: ExceptionState;
  /** An authorised emergency exception turned enforced failures into a pass. */
  exceptionApplied: boolean;
  configProblems: ConfigProblem[];
}

export interface VerdictInput {
  results: ControlResult[];
  exception: ExceptionState;
  configProblems: ConfigProblem[];
  configSources: string[];
  configHash: string;
  headSha: string;
  evaluationId: string;
}

export function statusIcon(status: Status, mode: ControlResult["mode"]): string {
  if (status === "pass") return "✅";
  if (status === "pending") return "⏳";
  if (status === "skipped") return "➖";
  return mode === "enforce" ? "❌" : "⚠️";
}
