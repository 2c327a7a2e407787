// The built-in rules on V8's own regex engine. Their patterns are ours: reviewed to use
// only bounded quantifiers (no nested repetition), so a match costs at most a bounded
// amount of work per position, and the crafted-input tests hold them to it. Rules that
// users add run on RE2 (linear-regex.ts) — their patterns are not ours to vouch for.

import { collectMatches, type RegexMatch } from "./linear-regex.js";

export class VettedRegex {
  private readonly re: RegExp;

  constructor(source: string, ignoreCase = false) {
    this.re = new RegExp(source, ignoreCase ? "gdi" : "gd");
  }

  /** Same contract as LinearRegex.findAll. */
  findAll(text: string): readonly RegexMatch[] {
    return collectMatches(this.re, text);
  }
}
