// One evaluation: facts + config → every control's result → the verdict. No I/O.

import type { Facts } from "../facts.js";
import type { ResolvedConfig } from "../config/types.js";
import type { Control, ControlEnv } from "../controls/types.js";
import { catalogue } from "../controls/index.js";
import { evaluateException } from "../controls/exception.js";
import { decideVerdict } from "./verdict.js";
import type { Verdict } from "./types.js";

export function evaluate(
  facts: Facts,
  resolved: ResolvedConfig,
  env: ControlEnv,
  evaluationId: string,
  controls: Control[] = catalogue,
): Verdict {
  const results = controls.map((control) => control.evaluate(facts, resolved.config, env));
  return decideVerdict({
    results,
    exception: evaluateException(facts, resolved.config.exceptions),
    configProblems: resolved.problems,
    configSources: resolved.sources,
    configHash: resolved.hash,
    headSha: facts.pr.headSha,
    evaluationId,
  });
}
