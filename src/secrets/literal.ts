// Reading a value the way the file's language writes it: a quoted literal (closed, not
// concatenated, not a template) or a bare token, and the tests that tell a literal value
// from a reference to one kept elsewhere. Shared by the structural detectors
// (credential-context.ts, named-credential.ts). Every read is bounded.

import { isPlaceholderValue } from "./allowlist.js";

export interface Literal {
  start: number;
  end: number;
  quoted: boolean;
}

export const isBlank = (c: string | undefined): boolean => c === " " || c === "\t";

/** Values documentation and code use in place of a credential. */
export const STAND_INS = /^(?:password\d*|passw0rd|pass(?:word)?123|secret\d*|changeme|change_me|admin|root|test|guest|user|default|demo|example|sample|dummy|placeholder|redacted|hidden|masked|none|null|nil|undefined|true|false|string|required|optional|todo|tbd|fixme|empty|value|foo|bar|baz|qwerty|letmein|hunter2|[x*#.•-]+)$/i;
/** A reference to a value kept elsewhere: a lookup, a variable, a template, an environment read. */
export const REFERENCE = /\[["']|^\\?\$|^(?:%[\w]+%$|@|\{|#\{|<%|&)|\$\{|\{\{|\}\}|%\(|process\.env|os\.environ|getenv|ENV\[|secrets\.|vault:|env:|System\.getenv|Environment\./;
/** `y.declaration.readonlyToken`, `settings::Token`, `$this->key`, `cfg.get()` (identifiers are short; a JWT's segments are not). */
export const PROPERTY_PATH = /^[A-Za-z_$][\w$]{0,39}(?:(?:\.|\?\.|::|->)[A-Za-z_$][\w$]{0,39})+(?:\(\))?$/;
/** URLs, absolute and relative paths, routes, CSS selectors, array literals. */
export const LOCATION = /^(?:https?:|\/|\.\/|\.\.\/|#[a-z]|\.[a-z]|\[)/i;

/** A quoted literal starting at `at` (the quote), or null when it does not close or is concatenated. */
export function quotedAt(text: string, at: number, limitLength = 256): Literal | null {
  const quote = text[at];
  if (quote !== '"' && quote !== "'" && quote !== "`") return null;
  const limit = Math.min(text.length, at + limitLength);
  for (let i = at + 1; i < limit; i++) {
    if (text[i] === "\\") {
      i++;
      continue;
    }
    if (text[i] === quote) {
      let next = i + 1;
      while (isBlank(text[next])) next++;
      // `"app:" + appKey`, `"…".concat(x)`, `'…' . $x`, `"…" & x`: not one literal.
      if (text[next] === "+" || text[next] === "&" || (text[next] === "." && text[next + 1] !== "." && !/[\d\s]/.test(text[next + 1] ?? " "))) return null;
      if (quote === "`" && text.slice(at, i).includes("${")) return null;
      return { start: at + 1, end: i, quoted: true };
    }
  }
  return null;
}

/** An unquoted value: up to a blank, `;`, `,`, a quote, `<` or `&` (connection strings, INI, .netrc). */
export function bareAt(text: string, at: number, limitLength = 200): Literal | null {
  let end = at;
  const limit = Math.min(text.length, at + limitLength);
  while (end < limit && !/[\s;,"'<&)\]}]/.test(text[end]!)) end++;
  return end > at ? { start: at, end, quoted: false } : null;
}

/** True when the value is a reference, a location or a stand-in rather than a literal credential. */
export function isNotALiteralCredential(value: string): boolean {
  return STAND_INS.test(value) || isPlaceholderValue(value) || REFERENCE.test(value) || LOCATION.test(value) || value.includes("://") || isPropertyPath(value);
}

/** A property path names things; a segment with four or more digits is a token's, not an identifier's. */
export function isPropertyPath(value: string): boolean {
  return PROPERTY_PATH.test(value) && !value.split(/\.|::|->/).some((segment) => /(?:\d\D*){4}/.test(segment));
}
