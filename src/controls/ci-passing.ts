// ci.passing — PI1.2, PI1.3, CC8.1: the required checks completed successfully on the head commit.
// CI must have reported: with nothing on the commit the control waits, it never passes —
// a repository without CI says so with `ci.passing: { mode: off }`. A required check pinned
// to an app (config `{ name, app }`, classic `app_id`, ruleset `integration_id`) is met only
// by that app's check run, never by a status or another app's run of the same name.

import { minimatch } from "minimatch";
import type { CheckFacts, Facts } from "../facts.js";
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

/**
 * Only the latest run of each check name counts — within its check suite (a re-run stays in
 * its suite). Runs of the same name in different suites all count: a second workflow whose
 * job is named like a failing one must not stand in for it.
 */
export function latestChecks(checks: CheckFacts[]): CheckFacts[] {
  const latest = new Map<string, CheckFacts>();
  for (const check of checks) {
    const key = `${check.kind}:${check.app ?? ""}:${check.suite ?? ""}:${check.name}`;
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

/** A check that must pass: a name or glob, optionally from one app (by slug from config, by id from branch rules). */
interface Requirement {
  name: string;
  appSlug?: string;
  appId?: number;
}

function requirementsOf(specs: CheckSpec[]): Requirement[] {
  return specs.map((s) => (typeof s === "string" ? { name: s } : { name: s.name, appSlug: s.app }));
}

/** Branch rules' required checks; a pinned one once per app it is pinned to (each rule must be met). */
function requirementsOfRules(rules: Facts["branchRules"]): Requirement[] {
  return rules.requiredStatusChecks.flatMap((name) => {
    const pins = (rules.pinnedChecks ?? []).filter((p) => p.context === name);
    return pins.length > 0 ? pins.map((p) => ({ name, appId: p.appId })) : [{ name }];
  });
}

function specLabel(spec: Requirement): string {
  return spec.appSlug ? `${spec.name} (from ${spec.appSlug})` : spec.appId !== undefined ? `${spec.name} (from app #${spec.appId})` : spec.name;
}

function matches(spec: Requirement, check: CheckFacts): boolean {
  if (spec.appSlug !== undefined && (check.kind !== "check" || check.app !== spec.appSlug)) return false;
  if (spec.appId !== undefined && (check.kind !== "check" || check.appId !== spec.appId)) return false;
  return check.name === spec.name || minimatch(check.name, spec.name, { nocase: false });
}

/**
 * Files that define what CI runs. A pull request that changes them is tested by its own
 * version of CI (pull_request workflows run the PR's files): the result is the author's to
 * shape, so it is said in the reason, which the evidence record keeps for the auditor.
 */
const CI_DEFINITION = /^(\.github\/(workflows|actions)\/|\.circleci\/|\.gitlab-ci\.yml$|\.buildkite\/|Jenkinsfile$|azure-pipelines\.ya?ml$|\.travis\.yml$)/;

export function ciDefinitionChanges(paths: readonly string[]): string[] {
  return paths.filter((p) => CI_DEFINITION.test(p));
}

const NO_CI_FIX = "If this repository has no CI, say so in .github/soc2-guard.yml with `ci.passing: { mode: off }`; otherwise check that its workflows run on pull requests";

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
    const specs = (settings.checks.length > 0 ? requirementsOf(settings.checks) : requirementsOfRules(facts.branchRules)).filter((s) => s.name !== OWN_CHECK_NAME);
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
    const ownCi = ciDefinitionChanges([...facts.pr.changedPaths, ...(facts.pr.previousPaths ?? [])]);
    const details = { source, passed, failed, pending, missing, ...(ownCi.length > 0 ? { ciDefinitionChanged: ownCi } : {}) };
    const findings: Finding[] = [
      ...failed.map((name) => ({ message: `${name} failed on the head commit` })),
      ...missing.map((name) => ({ message: `${name} has not reported on the head commit` })),
      ...ownCi.map((path) => ({ message: `${path} defines CI and this pull request changes it: the checks ran its version`, path })),
    ];
    const ownCiNote = ownCi.length > 0 ? `; this pull request changes its own CI (${ownCi.slice(0, 3).join(", ")}${ownCi.length > 3 ? ", …" : ""}): the checks ran its version, so the approval of that change is what vouches for them` : "";
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
      // Nothing has reported: CI may not have started yet, or there is none. Either way, not a pass.
      return { ...base, status: "pending", reason: "no check has reported on the head commit yet", fix: NO_CI_FIX, findings, details };
    }
    return { ...base, status: "pass", reason: `${passed.length} ${source} check${passed.length === 1 ? "" : "s"} passed${ownCiNote}`, fix: "", findings, details };
  },
};
