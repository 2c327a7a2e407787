// Values that have the shape of a credential but are not one: placeholders, variable
// references, documentation examples and test fixtures.

const PLACEHOLDER_WORDS = /example|sample|dummy|placeholder|changeme|change_me|redacted|your[_-]?|insert[_-]?|replace[_-]?me|fake|xxxx|\*\*\*\*|<[^>]*>|\btest(?:ing)?[_-]|[_-]test\b|not[_-]?a[_-]?(?:real|secret)/i;
const VARIABLE_REFERENCE = /\$\{[^}]*\}|\$\(|\{\{[^}]*\}\}|%\([^)]*\)s|\bprocess\.env\.|\bos\.environ|\bgetenv\(|\bENV\[|\bsecrets\.[A-Z_]+|\bvars\.[A-Z_]+/;

/** True when the captured value is a placeholder or a reference to a secret kept elsewhere. */
export function isPlaceholderValue(value: string): boolean {
  if (PLACEHOLDER_WORDS.test(value) || VARIABLE_REFERENCE.test(value)) return true;
  // One character repeated, or a short pattern repeated: "aaaaaaaa", "abcabcabc".
  if (/^(.{1,4})\1{4,}$/.test(value)) return true;
  return false;
}

/** Inline opt-out, recorded as a suppressed finding. */
export const INLINE_ALLOW = "soc2-guard:allow";
