// The generic rule: a high-entropy value assigned to a name that says it is a secret.
// It catches providers without a rule of their own; specific rules run first and claim
// their matches.

import type { SecretRule } from "../rule.js";
import { PASSWORD_KEYWORDS, findPasswordLiterals } from "../credential-context.js";
import { NAMED_CREDENTIAL_KEYWORDS, findNamedCredentials, findProviderNamedValues } from "../named-credential.js";
import { PROVIDER_NAMES } from "../provider-names.js";

const SECRET_NAME = "(?:secret|token|passw(?:or)?d|passwd|pwd|api[_.-]?key|apikey|access[_.-]?key|private[_.-]?key|auth[_.-]?key|client[_.-]?secret|credentials?|signing[_.-]?key|encryption[_.-]?key|app[_.-]?key|master[_.-]?key|session[_.-]?key|bearer)";
const KEYWORDS = ["secret", "token", "password", "passwd", "pwd", "api_key", "apikey", "api-key", "api.key", "access_key", "accesskey", "access-key", "private_key", "privatekey", "auth_key", "authkey", "client_secret", "credential", "signing_key", "encryption_key", "app_key", "appkey", "master_key", "session_key", "bearer"];

/** A secret has letters and digits (or symbols); words, paths and identifiers do not. */
function looksRandom(value: string): boolean {
  // Longer runs are blobs (data URLs, hashes of bundles), not credentials.
  if (value.length > 512) return false;
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  if (/^[a-z]+(?:[A-Z][a-z]+)+\d*$/.test(value)) return false; // camelCaseIdentifier
  if (/^(?:[a-z]+[_.-])+[a-z0-9]+$/.test(value)) return false; // snake.or-kebab.words
  if (/^v?\d+(?:\.\d+)+/.test(value)) return false; // versions
  return true;
}

const PROVIDER_WORD = "(?:key|secret|token|access|private|api|auth)";
const PROVIDER_KEYWORDS = ["key", "secret", "token", "access", "private", "api", "auth"];
// Documentation and test stand-ins: "secret123", "password1!", "admin2024".
const COMMON_PASSWORDS = /^(?:password|passw0rd|pass|secret|changeme|admin|root|letmein|qwerty|guest|user|default|test|example|demo|hunter|welcome|foobar|abc)[0-9!@#$]*$|^[0-9]+$/i;

export const genericRules: SecretRule[] = [
  {
    id: "generic-secret-assignment",
    description: "High-entropy value assigned to a secret-looking name",
    regex: `${SECRET_NAME}[A-Za-z0-9_.-]{0,20}["'\\]]?\\s*(?:=|:|:=|=>|\\?=)\\s*["'\`]?([A-Za-z0-9+/=_\\-.~!@#$%^&*]{12,})`,
    keywords: KEYWORDS,
    ignoreCase: true,
    entropy: 3.2,
    validate: looksRandom,
    generic: true,
  },
  {
    // `<provider> KEY <value>`, `providerSECRET=<value>`, `provider-apikey-<value>`.
    id: "generic-provider-credential",
    description: "High-entropy value after a credential word (key, secret, token, access, private)",
    regex: `${PROVIDER_WORD}(?:[_.-]?(?:key|id|token|secret))?["'\\]]?(?:\\s*(?:=|:|:=|=>)\\s*|[ \\t]+|-)["'\`]?([A-Za-z0-9+/=_\\-.]{16,})`,
    keywords: PROVIDER_KEYWORDS,
    ignoreCase: true,
    entropy: 3.3,
    validate: looksRandom,
    generic: true,
  },
  {
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
    id: "generic-secret-spaced",
    description: "High-entropy value written after a secret-looking name",
    regex: `${SECRET_NAME}["']?[ \\t]+["'\`]?([A-Za-z0-9+/=_\\-.]{20,})`,
    keywords: KEYWORDS,
    ignoreCase: true,
    entropy: 3.5,
    validate: looksRandom,
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
    // Structure, not a pattern: see named-credential.ts (a provider's key next to its name, a literal only).
    id: "named-credential",
    description: "Credential literal next to a name that says so (key, secret, token, access, private)",
    regex: "(?:key|secret|token|access|private|pat|auth|login|crumb)",
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
