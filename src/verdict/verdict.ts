// Findings → the check run's conclusion, title, summary and annotations.
// Pure: the check-run writer in src/github/ only sends what this returns.

import type { Annotation } from "../controls/types.js";
import type { ConfigProblem } from "../config/types.js";
import { renderSummary } from "./summary.js";
import type { Verdict, VerdictInput } from "./types.js";

export function configProblemAnnotations(problems: ConfigProblem[]): Annotation[] {
  return problems.map((p) => ({
    path: p.file,
    startLine: p.line,
    endLine: p.line,
    startColumn: p.column,
    endColumn: p.column,
    level: "failure",
    title: `soc2-guard config (${p.source})`,
    message: `${p.key ? `${p.key}: ` : ""}${p.message}. The previous valid settings (or the safe defaults) stay in force until this is fixed.`,
  }));
}

export function decideVerdict(input: VerdictInput): Verdict {
  const enforced = input.results.filter((r) => r.mode === "enforce");
  const failing = enforced.filter((r) => r.status === "fail");
  const pending = enforced.filter((r) => r.status === "pending");
  const configBroken = input.configProblems.length > 0;
  const blocked = failing.length > 0 || configBroken;
  const exceptionApplied = blocked && input.exception.authorised;

  let status: Verdict["status"] = "completed";
  let conclusion: Verdict["conclusion"];
  let title: string;
  if (blocked && !exceptionApplied) {
    conclusion = "failure";
    const names = [...(configBroken ? ["config"] : []), ...failing.map((r) => r.id)];
    title = `${names.length} blocking problem${names.length === 1 ? "" : "s"}: ${names.join(", ")}`;
  } else if (exceptionApplied) {
    conclusion = "success";
    title = `Emergency change: ${failing.length + (configBroken ? 1 : 0)} failure${failing.length === 1 ? "" : "s"} excepted, retroactive review due`;
  } else if (pending.length > 0) {
    status = "in_progress";
    conclusion = null;
    title = `Waiting for ${pending.map((r) => r.id).join(", ")}`;
  } else {
    conclusion = "success";
    const advisory = input.results.filter((r) => r.mode === "advisory" && r.status === "fail");
    title = advisory.length > 0 ? `All enforced controls pass (${advisory.length} advisory warning${advisory.length === 1 ? "" : "s"})` : "All controls pass";
  }

  const annotations = [...configProblemAnnotations(input.configProblems), ...input.results.flatMap((r) => r.annotations)];
  const verdict: Omit<Verdict, "summary"> = {
    status,
    conclusion,
    title,
    annotations,
    results: input.results,
    exception: input.exception,
    exceptionApplied,
    configProblems: input.configProblems,
  };
  return { ...verdict, summary: renderSummary(verdict, input) };
}
