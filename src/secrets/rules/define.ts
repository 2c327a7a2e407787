// Small builders for the rule catalogue: most credentials are either a distinctive
// prefix plus a fixed alphabet, or an unremarkable value next to the provider's name.

import type { SecretRule } from "../rule.js";

/** Not preceded / followed by a token character: the token stands alone. */
export const START = "(?<![A-Za-z0-9_-])";
export const END = "(?![A-Za-z0-9_-])";

/**
 * Between a name and its value: `=`, `:`, `=>`, `:=` with optional blanks, or blanks alone.
 * Written so that no two neighbouring repetitions can match the same blank: the older
 * `\s*(?:[:=]|\s)\s*` split a run of n blanks in n² ways, and a line of a keyword and
 * 4,000 spaces cost a backtracking engine ~60 ms.
 */
export const ASSIGN = "(?:\\s{0,32}(?:=>|:=|[:=])\\s{0,32}|\\s{1,32})";

/** A token with a distinctive prefix. `body` is the regex after the prefix. */
export function prefixed(id: string, description: string, prefix: string, body: string, extra: Partial<SecretRule> = {}): SecretRule {
  const literal = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return { id, description, regex: `${START}(${literal}${body})${END}`, keywords: [prefix.toLowerCase()], ...extra };
}

/** A value that only means something next to the provider's name, e.g. `DATADOG_API_KEY=…`. */
export function named(id: string, description: string, names: string[], value: string, extra: Partial<SecretRule> = {}): SecretRule {
  const alternatives = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  return {
    id,
    description,
    regex: `(?:${alternatives})[\\w.-]{0,30}?["'\\])]?${ASSIGN}["'\`]?(${value})${END}`,
    keywords: names.map((n) => n.toLowerCase()),
    ignoreCase: true,
    entropy: extra.entropy ?? 3,
    ...extra,
  };
}

export const HEX = (n: number | string) => `[a-fA-F0-9]{${n}}`;
export const ALNUM = (n: number | string) => `[A-Za-z0-9]{${n}}`;
export const URLSAFE = (n: number | string) => `[A-Za-z0-9_-]{${n}}`;
export const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
