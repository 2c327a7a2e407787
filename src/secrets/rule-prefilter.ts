// Several rules selected for the same line are first run together as one RE2 set: a
// single pass over the line says which of them match at all, and only those run again
// to extract their values. Lines in real code rarely match any, so this halves the work.

import RE2 from "re2";
import { toRe2Source } from "./linear-regex.js";
import type { CompiledRule } from "./rule.js";

const EVERY = { has: () => true };

export class RulePrefilter {
  private readonly set: ReturnType<typeof RE2.Set> | null;

  constructor(rules: CompiledRule[]) {
    // A rule that spans lines sees more than this line: it always runs.
    if (rules.some((r) => r.spanLines)) {
      this.set = null;
      return;
    }
    try {
      this.set = new RE2.Set(rules.map((r) => (r.ignoreCase ? "(?i)" : "") + toRe2Source(r.regex)), "u");
    } catch {
      // Too large for RE2's set memory budget: run the rules one by one.
      this.set = null;
    }
  }

  /** Positions (in the rule list) of the rules that match somewhere in text. */
  which(text: string): { has(index: number): boolean } {
    if (this.set === null) return EVERY;
    return new Set(this.set.match(text));
  }
}
