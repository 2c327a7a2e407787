// Every rule pattern — ours and the ones users put in .github/soc2-guard.yml — runs on RE2,
// whose matching time is linear in the input: a line crafted in a fork's pull request
// cannot make a pattern backtrack for minutes. RE2 has no lookarounds, so the two
// boundary forms our rules use are rewritten into consuming groups:
//   (?<![set]) at the very start  →  (?:^|[^set])
//   (?![set])  at the very end    →  (?:[^set]|$)
// The value is the first capture group (or the whole match), located with match indices,
// so the consumed boundary character never becomes part of the reported value.

import RE2 from "re2";

export interface RegexMatch {
  /** Start of the whole match (boundary character included). */
  start: number;
  /** Span of the value: the first capture group, or the whole match without one. */
  valueStart: number;
  valueEnd: number;
  value: string;
}

export class UnsupportedPatternError extends Error {}

const LEADING_LOOKBEHIND = /^\(\?<!\[((?:\\.|[^\]\\])+)\]\)/;
const TRAILING_LOOKAHEAD = /\(\?!\[((?:\\.|[^\]\\])+)\]\)$/;

/** Rewrites the supported boundary lookarounds; any other lookaround is refused. */
export function toRe2Source(source: string): string {
  let body = source;
  let prefix = "";
  let suffix = "";
  const behind = LEADING_LOOKBEHIND.exec(body);
  if (behind) {
    prefix = `(?:^|[^${behind[1]}])`;
    body = body.slice(behind[0].length);
  }
  const ahead = TRAILING_LOOKAHEAD.exec(body);
  if (ahead) {
    suffix = `(?:[^${ahead[1]}]|$)`;
    body = body.slice(0, body.length - ahead[0].length);
  }
  if (/\(\?<?[=!]/.test(body)) {
    throw new UnsupportedPatternError("lookarounds are not supported (the linear-time engine has none); only a leading (?<![…]) and a trailing (?![…]) are accepted");
  }
  return prefix + body + suffix;
}

/** A compiled pattern that finds values in one line (or a few joined lines) at a time. */
export class LinearRegex {
  private readonly re: RE2;

  constructor(source: string, ignoreCase = false) {
    const translated = toRe2Source(source);
    try {
      this.re = new RE2(translated, ignoreCase ? "gdi" : "gd");
    } catch (error) {
      throw new UnsupportedPatternError((error as Error).message);
    }
  }

  /** Every non-overlapping value in text, left to right (a shared empty array when none). */
  findAll(text: string): readonly RegexMatch[] {
    return collectMatches(this.re as unknown as MatchingRegex, text);
  }
}

const NONE: readonly RegexMatch[] = Object.freeze([]);

/** What both engines offer: a global regex with match indices (the `d` flag). */
export interface MatchingRegex {
  lastIndex: number;
  exec(text: string): RegExpExecArray | null;
}

/** Every non-overlapping value a global `d`-flag regex finds in text (a shared empty array when none). */
export function collectMatches(re: MatchingRegex, text: string): readonly RegexMatch[] {
  re.lastIndex = 0;
  let found: RegexMatch[] | undefined;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const whole = m.indices![0]!;
    const group = m.length > 1 && m.indices![1] ? m.indices![1] : whole;
    const value = m.length > 1 && m[1] !== undefined ? m[1] : m[0];
    if (value.length > 0) (found ??= []).push({ start: whole[0], valueStart: group[0], valueEnd: group[1], value });
    // Resume right after the value, not after a consumed trailing boundary character,
    // so two tokens separated by one character are both found.
    const resume = Math.max(group[1], whole[0] + 1);
    if (resume > text.length) break;
    re.lastIndex = resume;
  }
  return found ?? NONE;
}
