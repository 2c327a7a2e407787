// ci.passing — PI1.2, PI1.3, CC8.1: the required checks completed successfully on the head commit.

import { minimatch } from "minimatch";
import type { CheckFacts } from "../facts.js";
import type { CheckSpec } from "../config/types.js";
import type { Control, ControlResult, Finding } from "./types.js";
import { OWN_CHECK_NAME } from "./identities.js";

/** As GitHub's required checks: these conclusions pass, every other conclusion fails. */
const PASSING = new Set(["success", "neutral", "skipped"]);

type CheckOutcome = "pass" | "fail" | "pending";

export function outcomeOf(check: CheckFacts): CheckOutcome {
  if (check.status !== "completed") return "pending";
  return check.conclusion !== null && PASSING.has(check.conclusion) ? "pass" : "fail";
}

/** Only the latest run of each check name (per app) counts. */
export function latestChecks(checks: CheckFacts[]): CheckFacts[] {
  const latest = new Map<string, CheckFacts>();
  for (const check of checks) {
    const key = `${check.kind}:${check.app ?? ""}:${check.name}`;
    const seen = latest.get(key);
    if (!seen || isNewer(check, seen)) latest.set(key, check);
  }
  return [...latest.values()];
}

function isNewer(a: CheckFacts, b: CheckFacts): boolean {
  // A run still going is newer than any finished one of the same name (it was re-run).
  if (a.status !== "completed" && b.status === "completed") return true;
  if (a.status === "completed" && b.status !== "completed") return false;
  return (a.completedAt ?? "") >= (b.completedAt ?? "");
}

function specLabel(spec: CheckSpec): string {
  return typeof spec === "string" ? spec : `${spec.name} (from ${spec.app})`;
}

function matches(spec: CheckSpec, check: CheckFacts): boolean {
  const name = typeof spec === "string" ? spec : spec.name;
  if (typeof spec !== "string" && check.app !== spec.app) return false;
  return check.name === name || minimatch(check.name, name, { nocase: false });
}

export const ciPassing: Control = {
  id: "ci.passing",
  criteria: ["PI1.2", "PI1.3", "CC8.1"],
  title: "CI passing",
  evaluate(facts, config): ControlResult {
    const settings = config.controls["ci.passing"];
    const base = { id: this.id, criteria: this.criteria, mode: settings.mode, annotations: [] };
    if (settings.mode === "off") return { ...base, status: "skipped", reason: "off in config", fix: "", findings: [] };

    // Our own check is required by branch rules but is never something we wait for.
    const checks = latestChecks(facts.checks).filter((c) => c.name !== OWN_CHECK_NAME);
    const specs: CheckSpec[] = (settings.checks.length > 0 ? settings.checks : facts.branchRules.requiredStatusChecks).filter(
      (s) => (typeof s === "string" ? s : s.name) !== OWN_CHECK_NAME,
    );
    const failed: string[] = [];
    const pending: string[] = [];
    const missing: string[] = [];
    const passed: string[] = [];
    const consider = (check: CheckFacts): void => {
      const outcome = outcomeOf(check);
      const label = check.conclusion && outcome === "fail" ? `${check.name} (${check.conclusion})` : check.name;
      (outcome === "pass" ? passed : outcome === "fail" ? failed : pending).push(label);
    };
    for (const spec of specs) {
      const matched = checks.filter((c) => matches(spec, c));
      if (matched.length === 0) missing.push(specLabel(spec));
      matched.forEach(consider);
    }
    // With no configured list, every check on the head commit must pass too.
    if (settings.checks.length === 0) {
      for (const check of checks) if (!specs.some((s) => matches(s, check))) consider(check);
    }
    const source = settings.checks.length > 0 ? "configured" : specs.length > 0 ? "required by branch rules, plus every reported" : "reported";
    const details = { source, passed, failed, pending, missing };
    const findings: Finding[] = [
      ...failed.map((name) => ({ message: `${name} failed on the head commit` })),
      ...missing.map((name) => ({ message: `${name} has not reported on the head commit` })),
    ];
    if (failed.length > 0) {
      return {
        ...base,
        status: "fail",
        reason: `${failed.length} check${failed.length === 1 ? "" : "s"} failed: ${failed.join(", ")}`,
        fix: `Fix the failing check${failed.length === 1 ? "" : "s"} and push, or re-run ${failed.length === 1 ? "it" : "them"} if the failure was flaky`,
        findings,
        details,
      };
    }
    if (pending.length > 0 || missing.length > 0) {
      const waiting = [...pending, ...missing];
      return {
        ...base,
        status: "pending",
        reason: `waiting for ${waiting.join(", ")}`,
        fix: missing.length > 0 ? `If ${missing.join(", ")} never runs on this repository, remove ${missing.length === 1 ? "it" : "them"} from ci.passing.checks` : "",
        findings,
        details,
      };
    }
    if (passed.length === 0) {
      return { ...base, status: "pass", reason: "no checks reported on the head commit and none are required", fix: "", findings, details };
    }
    return { ...base, status: "pass", reason: `${passed.length} ${source} check${passed.length === 1 ? "" : "s"} passed`, fix: "", findings, details };
  },
};
