// A control decided on a partial list is not decided: this wrapper fails a control (in its
// mode) when a fact it reads is known to be incomplete — GitHub stopped listing commits at
// 250 or changed files at 3,000 — with GitHub's limit as the reason. The control itself
// stays unaware; the catalogue says which facts each one needs. The diff scans share the
// same rule for content they could not read (unscannedIsNotClean).

import type { IncompleteFact } from "../facts.js";
import type { Control, ControlResult } from "./types.js";

export function requireCompleteFacts(control: Control, needs: ReadonlyArray<IncompleteFact["fact"]>): Control {
  return {
    id: control.id,
    criteria: control.criteria,
    title: control.title,
    evaluate(facts, config, env): ControlResult {
      const result = control.evaluate(facts, config, env);
      const gaps = (facts.incomplete ?? []).filter((gap) => needs.includes(gap.fact));
      if (gaps.length === 0 || config.controls[control.id].mode === "off") return result;
      return {
        ...result,
        status: "fail",
        reason: `cannot be decided on a partial list: ${gaps.map((g) => g.reason).join("; ")}`,
        fix: "Split the change into pull requests GitHub lists in full (at most 250 commits and 3,000 changed files each)",
        findings: [...gaps.map((g) => ({ message: g.reason })), ...result.findings],
        details: { ...result.details, incomplete: gaps },
      };
    },
  };
}

/**
 * Unscanned is not clean: a diff scan (secrets.diff, privacy.pii) that could not read some
 * file — GitHub sent no patch and its content was not read, the file is past GitHub's list,
 * a scanner budget cut it — fails (in its mode) naming each file, instead of passing on what
 * it saw. Findings already fail the control; this decides the otherwise clean result.
 */
export function unscannedIsNotClean(clean: ControlResult, notScanned: ReadonlyArray<{ path: string; reason: string }>, words: { reason: string; fix: string }): ControlResult {
  if (notScanned.length === 0 || clean.status !== "pass") return clean;
  return { ...clean, status: "fail", reason: words.reason, fix: words.fix, findings: notScanned.map((n) => ({ message: `not scanned: ${n.reason}`, path: n.path })) };
}
