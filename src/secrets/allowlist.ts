// Values that have the shape of a credential but are not one: placeholders, variable
// references, documentation examples and test fixtures.

const PLACEHOLDER_WORDS = /example|sample|dummy|placeholder|changeme|change_me|redacted|your[_-]?|insert[_-]?|replace[_-]?me|fake|xxxx|\*\*\*\*|<[^>]*>|\btest(?:ing)?[_-]|[_-]test\b|not[_-]?a[_-]?(?:real|secret)/i;
const VARIABLE_REFERENCE = /\$\{[^}]*\}|\$\(|\{\{[^}]*\}\}|%\([^)]*\)s|\bprocess\.env\.|\bos\.environ|\bgetenv\(|\bENV\[|\bsecrets\.[A-Z_]+|\bvars\.[A-Z_]+/;

// A provider's test-mode key (`test_8Jk2…`, `sk_test_…`, `scp-test-…`) is a credential for its
// test environment, not a placeholder: a mode word followed by a long random tail.
const TEST_MODE_KEY = /(?:^|[_-])(?:test|live)[_-](?=[A-Za-z0-9]{16,})(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]+$/;
// The whole value is a variable: `$password`, `%DB_PASS%`.
const WHOLE_VARIABLE = /^(?:\$[A-Za-z_]\w*|%[A-Za-z_]\w*%)$/;

/** True when the captured value is a placeholder or a reference to a secret kept elsewhere. */
export function isPlaceholderValue(value: string): boolean {
  if (VARIABLE_REFERENCE.test(value) || WHOLE_VARIABLE.test(value)) return true;
  if (PLACEHOLDER_WORDS.test(TEST_MODE_KEY.test(value) ? value.replace(/(?:^|[_-])(?:test|live)[_-]/, "_") : value)) return true;
  // One character repeated, or a short pattern repeated: "aaaaaaaa", "abcabcabc".
  if (/^(.{1,4})\1{4,}$/.test(value)) return true;
  return false;
}

/** Inline opt-out, recorded as a suppressed finding. */
export const INLINE_ALLOW = "soc2-guard:allow";
