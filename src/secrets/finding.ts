// What a diff scanner reports for one value (secrets and personal data alike): where it is,
// which rule found it, a masked preview and a keyed fingerprint — never the value.

export interface ScanFinding {
  rule: string;
  description: string;
  path: string;
  line: number;
  /** 1-based column of the value's first character. */
  column: number;
  /** 0 for a finding about a whole file (bulk personal data). */
  length: number;
  preview: string;
  fingerprint: string;
  /** Marked `soc2-guard:allow` on its line: recorded, not failing. */
  suppressed: boolean;
}
