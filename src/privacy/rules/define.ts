// Builders for the personal-data catalogue: most national identifiers are a fixed number
// of digits, a customary grouping, words that name them, and a check digit.

import type { PiiRule } from "../rule.js";
import { isDocumentedId } from "../test-data.js";

export interface NationalIdSpec {
  id: string;
  description: string;
  length: number;
  groupings: ReadonlyArray<readonly number[]>;
  context: readonly string[];
  validate(digits: string): boolean;
}

/** A checksummed national identifier that counts only next to a word that names it. */
export function nationalId(spec: NationalIdSpec): PiiRule {
  return {
    id: spec.id,
    description: spec.description,
    shape: "digits",
    lengths: [spec.length],
    groupings: spec.groupings,
    context: spec.context.map((w) => w.toLowerCase()),
    validate: spec.validate,
    isTestValue: isDocumentedId,
  };
}
