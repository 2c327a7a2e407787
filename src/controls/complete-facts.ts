// A control decided on a partial list is not decided: this wrapper fails a control (in its
// mode) when a fact it reads is known to be incomplete — GitHub stopped listing commits at
// 250 or changed files at 3,000 — with GitHub's limit as the reason. The control itself
// stays unaware; the catalogue says which facts each one needs.

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
