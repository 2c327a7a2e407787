// A personal-data rule: which candidate values it looks at (digit groups or IBAN-shaped
// tokens, of which lengths and groupings), the words that must be nearby, the checksum
// that tells an issued identifier from any number, and the published test values.

export interface PiiCandidate {
  /** The value as written (separators included). */
  raw: string;
  /** Digits, or for IBAN-shaped tokens uppercase letters and digits, separators removed. */
  compact: string;
  /** Lengths of the groups between separators, e.g. [3, 2, 4] for 123-45-6789. */
  groups: number[];
}

export interface PiiRule {
  /** `pii.<kind>`: the prefix sets these apart from secret rules in every output. */
  id: string;
  description: string;
  shape: "digits" | "iban";
  /** Accepted compact lengths. */
  lengths: readonly number[];
  /** Accepted groupings when the value is written with separators (a compact value is always accepted); none: any grouping. */
  groupings?: ReadonlyArray<readonly number[]>;
  /** Lowercase words of which one must occur on the line, the two lines before it, or a data file's header. */
  context?: readonly string[];
  /** Structure and check digits. */
  validate(compact: string): boolean;
  /** Published test values and placeholders: never a finding. */
  isTestValue(compact: string): boolean;
}
