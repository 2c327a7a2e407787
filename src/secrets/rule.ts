// A secret-detection rule: a regular expression that finds a credential, the keywords
// that must appear on the line for it to run at all, and the checks that tell a real
// credential from a placeholder.

import { LinearRegex, type RegexMatch } from "./linear-regex.js";
import type { FileFormat } from "./credential-context.js";
import { VettedRegex } from "./vetted-regex.js";

export interface SecretRule {
  id: string;
  description: string;
  /** Regex source (RE2 syntax; see linear-regex.ts for the two lookarounds allowed). The first capture group is the secret; without groups, the whole match. */
  regex: string;
  /** Lowercase literals; the rule runs only on a line that contains one of them. */
  keywords: string[];
  /** Minimum Shannon entropy (bits per character) of the secret. */
  entropy?: number;
  /** Extra check on the captured value (e.g. a token's embedded checksum). */
  validate?: (secret: string) => boolean;
  /** Case-insensitive matching. */
  ignoreCase?: boolean;
  /** The rule is the generic "secret-looking name = high-entropy value" rule: skipped in lock files. */
  generic?: boolean;
  /** How many following lines the match may span (PEM blocks). */
  spanLines?: number;
  /** A structural detector that finds the values itself (the regex then only selects lines for the RE2 set pass). */
  finder?: (text: string, format: FileFormat) => RegexMatch[];
}

export interface CompiledRule extends SecretRule {
  pattern: { findAll: LinearRegex["findAll"] };
}

/** Throws UnsupportedPatternError when the pattern cannot run on the linear-time engine. */
export function compileRule(rule: SecretRule, vetted = false): CompiledRule {
  // Every pattern must be RE2-compatible (the prefilter runs them as one RE2 set), even when
  // a vetted built-in then extracts its values with V8's engine.
  const linear = new LinearRegex(rule.regex, rule.ignoreCase);
  return { ...rule, keywords: rule.keywords.map((k) => k.toLowerCase()), pattern: vetted ? new VettedRegex(rule.regex, rule.ignoreCase) : linear };
}
