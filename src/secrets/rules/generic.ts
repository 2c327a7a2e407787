// The generic rules: credentials without a provider's prefix, found by structure. Each
// reads how a value is attached to a name that says it is a credential and accepts only
// literals (credential-context.ts for passwords, named-credential.ts for keys and tokens,
// saved-logins.ts for exported login lists); specific rules run first and claim their spans.

import type { SecretRule } from "../rule.js";
import { PASSWORD_KEYWORDS, findPasswordLiterals } from "../credential-context.js";
import { NAMED_CREDENTIAL_KEYWORDS, findNamedCredentials, findProviderNamedValues } from "../named-credential.js";
import { PROVIDER_NAMES } from "../provider-names.js";

// Documentation and test stand-ins: "secret123", "password1!", "admin2024".
const COMMON_PASSWORDS = /^(?:password|passw0rd|pass|secret|changeme|admin|root|letmein|qwerty|guest|user|default|test|example|demo|hunter|welcome|foobar|abc)[0-9!@#$]*$|^[0-9]+$/i;

export const genericRules: SecretRule[] = [
  {
    // A quoted literal only: `password: "…"`, `DB_PASS = '…'`.
    id: "generic-password",
    description: "Password assigned in code or config",
    regex: `(?:passw(?:or)?d|passwd|pwd|_pass|pass)["'\\]]?\\s*(?:=|:|:=|=>)\\s*["'\`]([^"'\`\\s]{8,64})["'\`]`,
    keywords: ["password", "passwd", "pwd", "pass"],
    ignoreCase: true,
    entropy: 2.5,
    validate: (v) => !COMMON_PASSWORDS.test(v) && /[0-9!@#$%^&*+=?~]/.test(v) && /[A-Za-z]/.test(v) && !/^[a-z]+(?:[A-Z][a-z]+)+$/.test(v),
    generic: true,
  },
  {
    // Structure, not a pattern: see credential-context.ts. The regex only tells the RE2 set pass which lines may hold one.
    id: "generic-password-literal",
    description: "Password literal (assignment, argument, XML element, flag, .netrc or connection string)",
    regex: "(?:pass|pwd|senha|contrasena|motdepasse|identified by|-u | --user|basic |convertto-securestring|networkcredential\\()",
    keywords: PASSWORD_KEYWORDS,
    ignoreCase: true,
    finder: findPasswordLiterals,
    generic: true,
  },
  {
    // Structure, not a pattern: see named-credential.ts (a key or token next to a name that says so, a literal only).
    id: "named-credential",
    description: "Credential literal next to a name that says so (key, secret, token, access, private)",
    regex: "(?:key|secret|token|access|private|pat|auth|login|crumb|api)",
    keywords: NAMED_CREDENTIAL_KEYWORDS,
    ignoreCase: true,
    // The next line too: a YAML value indented below its name, an HCL variable's default.
    spanLines: 1,
    finder: findNamedCredentials,
    generic: true,
  },
  {
    // A provider's name alone next to a token-shaped literal (named-credential.ts, provider-names.ts).
    id: "provider-named-credential",
    description: "Token-shaped literal next to an API provider's name",
    regex: `(?:${PROVIDER_NAMES.join("|")})`,
    keywords: [...PROVIDER_NAMES],
    ignoreCase: true,
    finder: findProviderNamedValues,
    generic: true,
  },
];
