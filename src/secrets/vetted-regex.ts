// The built-in rules on V8's own regex engine. Their patterns are ours: reviewed to use
// only bounded quantifiers (no nested repetition), so a match costs at most a bounded
// amount of work per position, and the crafted-input tests hold them to it. Rules that
// users add run on RE2 (linear-regex.ts) — their patterns are not ours to vouch for.

import type { RegexMatch } from "./linear-regex.js";

const NONE: readonly RegexMatch[] = Object.freeze([]);

export class VettedRegex {
  private readonly re: RegExp;

  constructor(source: string, ignoreCase = false) {
    this.re = new RegExp(source, ignoreCase ? "gdi" : "gd");
  }

  /** Same contract as LinearRegex.findAll. */
  findAll(text: string): readonly RegexMatch[] {
    const re = this.re;
    re.lastIndex = 0;
    let found: RegexMatch[] | undefined;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const whole = m.indices![0]!;
      const group = m.length > 1 && m.indices![1] ? m.indices![1] : whole;
      const value = m.length > 1 && m[1] !== undefined ? m[1] : m[0];
      if (value.length > 0) (found ??= []).push({ start: whole[0], valueStart: group[0], valueEnd: group[1], value });
      const resume = Math.max(group[1], whole[0] + 1);
      if (resume > text.length) break;
      re.lastIndex = resume;
    }
    return found ?? NONE;
  }
}
