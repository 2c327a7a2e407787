// Provider keys recognised by a name nearby rather than a prefix: `BETTERSTACK_TOKEN=…`,
// `mixpanel secret: …`, `Unseal Key 1: …`, `aws_secret = …` without the word aws. Instead of
// one regex per provider, it reads the structure around a credential word (key, secret,
// token, access, private, pat, auth, login): the whole name the word belongs to and the
// word before it, how a value is attached (assignment, config key, call argument, XML
// element, blanks in a config or log line, glued with `-`/`.` in a bare token), and whether
// the value is a literal at all. A name that carries a provider's word ("mixpanel",
// "stream", "unseal") is strong evidence: the value need only look like a token. A bare
// `token = …` needs a value that looks random. Linear: one bounded read per word occurrence.

import type { RegexMatch } from "./linear-regex.js";
import type { FileFormat } from "./credential-context.js";
import { bareAt, isBlank, isNotALiteralCredential, quotedAt, type Literal } from "./literal.js";
import { shannonEntropy } from "./entropy.js";
import { PROVIDER_NAMES } from "./provider-names.js";

/** Words that say a name holds a credential (compounds written as one word included). */
const WORD_LIST = ["key", "secret", "token", "access", "private", "pat", "auth", "login", "crumb", "api"];
/** What selects a line for the detector: the words, but `pat` only as a name part (not path, pattern, patch). */
export const NAMED_CREDENTIAL_KEYWORDS = [...WORD_LIST.filter((w) => w !== "pat" && w !== "api"), "_pat", "pat_", "-pat", "pat=", "pat:", "pat ", "pat\"", "pat'", "api=", "api:", "api =", "api\"", "api'"];
/** `apikey`, `secretkey`, `accesstoken`: prefixes that make one word with a credential word. */
const COMPOUND_PREFIXES = ["api", "access", "secret", "private", "auth", "client", "app"];
const CREDENTIAL_WORDS = [...WORD_LIST, ...COMPOUND_PREFIXES.flatMap((p) => WORD_LIST.map((w) => p + w))];
/** One pass over the line finds every credential word (an optional compound prefix in group 1). */
const WORDS = new RegExp(`(${COMPOUND_PREFIXES.join("|")})?(?:${WORD_LIST.join("|")})`, "gi");
const CREDENTIAL = new Set(CREDENTIAL_WORDS);
/** Words that may follow a credential word inside the same name (`SECRET_KEY_BASE`, `api_key_value`). */
const SUFFIXES = new Set([...CREDENTIAL_WORDS, "value", "string", "str", "base", "b64", "base64", "hex", "code", "api", "v1", "v2", "v3"]);
/** Name parts that say the value is not a credential at all. */
const NOT_SECRET = new Set(["public", "publishable", "pub", "cache", "sort", "primary", "foreign", "partition", "row", "idempotency", "storage", "i18n", "translation", "route", "query", "next", "page", "continuation", "cursor", "csrf", "xsrf", "cancellation", "cancel", "lexer", "parser", "syntax", "object", "index", "lookup", "prop", "field", "group", "unique", "registry", "event", "message", "label", "metadata", "hot", "sample", "example", "dummy", "fake", "mock", "test", "placeholder", "your", "my", "license", "react", "vue", "map", "dict", "hash", "lock", "mutex", "symbol", "type", "kind", "name"]);
/** Name parts that say nothing about whose credential it is: language words and generic nouns. */
const GENERIC = new Set(["const", "let", "var", "val", "def", "export", "private", "protected", "static", "final", "readonly", "string", "int", "return", "set", "get", "self", "this", "new", "local", "our", "global", "declare", "interface", "if", "else", "and", "or", "not", "in", "of", "for", "with", "from", "import", "as", "is", "to", "the", "function", "func", "class", "struct", "enum", "data", "default", "env", "echo", "print", "puts", "console", "log", "debug", "info", "warn", "error", "api", "app", "application", "client", "user", "service", "server", "account", "admin", "master", "main", "prod", "production", "dev", "development", "staging", "live", "sandbox", "config", "conf", "cfg", "settings", "options", "opts", "params", "args", "http", "https", "header", "headers", "request", "req", "res", "response", "ctx", "context", "bearer", "oauth", "oauth2", "jwt", "session", "refresh", "id", "value", "values", "system", "web", "site", "base", "root", "old", "temp", "tmp", "secure", "encrypted", "signing", "encryption", "shared", "access", "secret", "auth", "token", "key", "private", "pat", "login", "export", "setenv", "define", "const"]);

const isLetter = (c: string | undefined): boolean => c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));
const isUpper = (c: string | undefined): boolean => c !== undefined && c >= "A" && c <= "Z";
const isLower = (c: string | undefined): boolean => c !== undefined && c >= "a" && c <= "z";
const isNameChar = (c: string | undefined): boolean => c !== undefined && (isLetter(c) || (c >= "0" && c <= "9") || c === "_" || c === "." || c === "-");

/** The parts of an identifier: `betterstackAPI_token` → betterstack, api, token. */
function partsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[\s_.\-]+/)
    .filter(Boolean)
    .map((p) => p.toLowerCase());
}

const IDENTIFIER_SHAPES = [
  /^[A-Z]?[a-z]+(?:[A-Z][a-z]+)+\d{0,3}$/, // camelCase / PascalCase words
  /^[a-z]+(?:[_.\-:][a-z][a-z0-9]{0,11})+$/, // snake, kebab, dotted or namespaced lowercase words
  /^[A-Z]+(?:[_.\-:][A-Z][A-Z0-9]{0,11})+$/, // SCREAMING_SNAKE constants
  /^(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,6}$/, // a host or a file name
  /^v?\d+(?:\.\d+)+(?:[-+][0-9A-Za-z.]{0,24})?$/, // a version
  /^[A-Za-z]+\/[A-Za-z.+-]+$/, // a MIME type
  /@.*\./, // an e-mail address
];

/** Letters only: random letters, or words? Random text has few vowels, words about two in five. */
function randomLetters(run: string): boolean {
  if (run.length < 16) return false;
  const vowels = run.replace(/[^aeiouAEIOU]/g, "").length;
  if (vowels / run.length < 0.3) return true;
  let changes = 0;
  for (let i = 1; i < run.length; i++) if (isUpper(run[i]) !== isUpper(run[i - 1])) changes++;
  return changes >= 6;
}

/** Whether a literal value has a token's shape; `qualified`: a provider's word is in the name. */
export function credentialValue(value: string, qualified: boolean): boolean {
  if (value.length < (qualified ? 10 : 12) || value.length > 1024) return false;
  if (!/^[A-Za-z0-9+/=_\-.~!@#$%^&*:]+$/.test(value)) return false; // blanks, quotes, brackets, non-ASCII: text or code, not a token
  if (isNotALiteralCredential(value)) return false;
  if (IDENTIFIER_SHAPES.some((shape) => shape.test(value))) return false;
  const hasDigit = /\d/.test(value);
  const hasLetter = /[A-Za-z]/.test(value);
  if (!qualified) return hasDigit && hasLetter && value.length >= 12 && shannonEntropy(value) >= 3.2;
  if (!hasLetter) return /^\d{12,}$/.test(value) && !/^(\d)\1+$/.test(value);
  if (!hasDigit) return value.split(/[^A-Za-z]+/).some(randomLetters);
  // Letters and digits: an identifier with a number ("item2Cache") is still words.
  return !/^[a-z]+(?:[A-Z][a-z]+)*\d{1,4}$/.test(value) && shannonEntropy(value) >= 2.5;
}

interface Name {
  start: number;
  end: number;
}

/** Extends the credential word at [at, at+len) over the name it belongs to: back to the name's start, on over further credential words and suffixes. */
function nameAround(text: string, at: number, len: number): Name {
  let start = at;
  while (start > 0 && at - start < 64 && isNameChar(text[start - 1])) start--;
  while (start < at && !isLetter(text[start])) start++;
  let end = at + len;
  // Further credential words and suffixes belong to the name; anything else ends it or is a glued value.
  for (;;) {
    let i = end;
    if (text[i] === "_" || text[i] === "." || text[i] === "-") i++;
    let j = i;
    while (isLetter(text[j]) && j - i < 12) j++;
    const word = text.slice(i, j).toLowerCase();
    if (j > i && SUFFIXES.has(word) && !isLetter(text[j])) end = j;
    else break;
  }
  while (text[end] !== undefined && text[end]! >= "0" && text[end]! <= "9" && end - at < 80) end++;
  return { start, end };
}

/** A name that is part of a host, a path or an address (`api.heroku.com/apps/…`, `/token/refresh`). */
function insideLocation(text: string, start: number): boolean {
  const before = text[start - 1];
  const comment = before === "/" && text[start - 2] === "/" && (start === 2 || isBlank(text[start - 3]));
  return (before === "/" && !comment) || before === "@" || (before === "." && isNameChar(text[start - 2])) || (before === ":" && text[start - 2] === "/");
}

/** The word before the name on the same line when only blanks separate them (`betterstack SECRET=…`). */
function wordBefore(text: string, start: number): string | null {
  let i = start;
  while (i > 0 && isBlank(text[i - 1]) && start - i < 8) i--;
  if (i === start) return null;
  let j = i;
  while (j > 0 && i - j < 40 && isNameChar(text[j - 1])) j--;
  return j < i ? text.slice(j, i) : null;
}

// Words that end in a credential word without being one.
const ENDS_LIKE_A_CREDENTIAL = new Set(["monkey", "turkey", "donkey", "hockey", "jockey", "whiskey", "lackey", "passkey", "hotkey", "turnkey"]);

/** `uclassifykey=…`, `podiotoken`: a provider's name and a credential word written as one lowercase word. */
function endsOneWordName(text: string, at: number, len: number): boolean {
  const word = text.slice(at, at + len);
  const lower = word === word.toLowerCase();
  if ((!lower && word !== word.toUpperCase()) || isLetter(text[at + len]) || !/^(?:key|token|secret|access|api)$/i.test(word)) return false;
  const sameCase = lower ? isLower : isUpper;
  let start = at;
  while (start > 0 && at - start < 24 && sameCase(text[start - 1])) start--;
  // `uclassifykey`, `APISECRET`, `geoapifyXYZSECRET` (an uppercase run after a lowercase hump).
  const bounded = !isLetter(text[start - 1]) || (!lower && isLower(text[start - 1]));
  return at - start >= 3 && bounded && !ENDS_LIKE_A_CREDENTIAL.has(text.slice(start, at + len).toLowerCase());
}

/** A word occurrence is a whole word or a camel/SCREAMING part of an identifier. */
function isWordAt(text: string, at: number, len: number): boolean {
  const first = text[at];
  const before = text[at - 1];
  const startsWord = !isLetter(before) || (isUpper(first) && isLower(before));
  if (!startsWord) return false;
  const last = text[at + len - 1];
  const after = text[at + len];
  if (!isLetter(after)) return true;
  return isLower(last) ? isUpper(after) : isLower(after);
}

function readValue(text: string, at: number, format: FileFormat, allowBare: boolean): Literal | null {
  if (text[at] === "\\" && (text[at + 1] === '"' || text[at + 1] === "'")) {
    // An escaped literal inside another string: `\"3lyT…\"` ends at the next escaped quote.
    const close = text.indexOf(`\\${text[at + 1]}`, at + 2);
    return close > at + 2 && close - at < 1_100 ? { start: at + 2, end: close, quoted: true } : null;
  }
  const quoted = quotedAt(text, at, 1_100);
  if (quoted) {
    // `'"951bc…"'`: a value quoted twice (Gradle's buildConfigField).
    const inner = text[quoted.start];
    if ((inner === '"' || inner === "'") && text[quoted.end - 1] === inner && quoted.end - quoted.start > 2) return { start: quoted.start + 1, end: quoted.end - 1, quoted: true };
    return quoted;
  }
  if (text[at] === '"' || text[at] === "'" || text[at] === "`") return null; // unclosed or concatenated
  if (!allowBare || format === "code") return null;
  const bare = bareAt(text, at, 1_100);
  // A bare token ends at an escape (`AccountKey=…==\"` inside a quoted string).
  const escape = bare ? text.indexOf("\\", bare.start) : -1;
  if (bare && escape >= 0 && escape < bare.end) bare.end = escape;
  // `SECRET bar 1f3…`, `key = rebrandly 8Hk…`: one short word between the name and the value.
  if (bare && bare.end - bare.start <= 10 && /^[a-z]+$/.test(text.slice(bare.start, bare.end)) && isBlank(text[bare.end])) {
    let next = bare.end;
    while (isBlank(text[next])) next++;
    return bareAt(text, next, 1_100) ?? bare;
  }
  return bare;
}

/** Credential values attached to a name that says so, on one line (or window). */
export function findNamedCredentials(text: string, format: FileFormat): RegexMatch[] {
  let found: RegexMatch[] | null = null;
  let lastNameEnd = -1;
  // The text may go on with the next line (a YAML or HCL value below its name): names are this line's.
  const newline = text.indexOf("\n");
  const lineEnd = newline < 0 ? text.length : newline;
  WORDS.lastIndex = 0;
  for (let m = WORDS.exec(text); m !== null && m.index < lineEnd; m = WORDS.exec(text)) {
    if (/^auth$/i.test(m[0]) && /^orization\b/i.test(text.slice(m.index + 4, m.index + 14))) {
      const header = authorizationHeader(text, m.index, format);
      if (header) (found ??= []).push(header);
      continue;
    }
    // `apikey`, `accesstoken`: a compound written as one word; else the credential word alone.
    let wordAt = m.index;
    let len = m[0].length;
    if (!isWordAt(text, wordAt, len)) {
      const base = m[1] === undefined ? 0 : m[1].length;
      if (base > 0 && isWordAt(text, wordAt + base, len - base)) {
        wordAt += base;
        len -= base;
      } else if (!endsOneWordName(text, wordAt, len)) continue;
    }
    // Most occurrences have no literal attached (`obj.key)`, `token;`): cheapest test first.
    const name = nameAround(text, wordAt, len);
    if (name.end <= lastNameEnd || insideLocation(text, name.start)) continue;
    lastNameEnd = name.end;
    const attached = literalOf(text, name, format, WORDS, 10);
    if (!attached) continue;
    const { value, parts } = attached;
    const before = wordBefore(text, name.start);
    const beforeParts = before ? partsOf(before) : [];
    if (beforeParts.some((p) => NOT_SECRET.has(p))) continue;
    const qualified = [...parts, ...beforeParts].some((p) => p.length >= 3 && /[a-z]/.test(p) && !GENERIC.has(p) && !CREDENTIAL.has(p));
    const literal = text.slice(value.start, value.end);
    // `netcore_api = …`: "api" alone is weak evidence — a provider's name and a token with digits.
    const apiOnly = !parts.some((p) => p !== "api" && CREDENTIAL.has(p)) && /api$/i.test(text.slice(name.start, name.end));
    if (apiOnly && (!qualified || literal.length < 16 || !/\d/.test(literal))) continue;
    if (!credentialValue(literal, qualified)) continue;
    (found ??= []).push({ start: name.start, valueStart: value.start, valueEnd: value.end, value: literal });
  }
  return found === null ? NONE : found.sort((a, b) => a.valueStart - b.valueStart);
}

const NONE: RegexMatch[] = [];

/**
 * The value attached to a name and the name's parts; null when nothing is attached, the value
 * is shorter than `minLength`, or the name says it is not a secret (`publicKey`, `cacheKey`).
 * Words inside a long value are the value's: the search reads on after it, so no stretch of
 * the line is read more than a bounded number of times (a short value may be a name's glued
 * tail, `X-Auth-User-Service-Key`, whose later word is the real name).
 */
function literalOf(text: string, name: Name, format: FileFormat, words: RegExp, minLength: number): { value: Literal; parts: string[] } | null {
  const value = attachedValue(text, name, format);
  if (!value) return null;
  if (value.end - value.start > 64 && value.end > words.lastIndex) words.lastIndex = value.end;
  if (value.end - value.start < minLength) return null;
  const parts = partsOf(text.slice(name.start, name.end));
  return parts.some((p) => NOT_SECRET.has(p)) ? null : { value, parts };
}

const SCHEME = /^(?:Bearer|Token|SSWS|ApiKey|Api-Key|Key|OAuth|JWT|Digest|token|bearer)\s+/;

/** `Authorization: Bearer …`, `"Authorization": "SSWS …"`, `-H 'authorization: token …'`: the credential after the scheme (Basic is credential-context's). */
function authorizationHeader(text: string, at: number, format: FileFormat): RegexMatch | null {
  const name = { start: at, end: at + "authorization".length };
  let i = name.end;
  if (text[i] === '"' || text[i] === "'") i++;
  const afterName = i;
  while (isBlank(text[i])) i++;
  // `Authorization: Bearer …`, `Authorization = …`, or blanks alone (`-H "Authorization Bearer …"`).
  if (text[i] === ":" || text[i] === "=") i++;
  else if (i === afterName) return null;
  while (isBlank(text[i])) i++;
  let quoteEnd = -1;
  if (text[i] === '"' || text[i] === "'" || text[i] === "`") {
    const literal = quotedAt(text, i, 1_100);
    if (!literal) return null;
    quoteEnd = literal.end;
    i++;
  } else if (format === "code") return null;
  const scheme = SCHEME.exec(text.slice(i, i + 16));
  if (!scheme) return null;
  const start = i + scheme[0].length;
  let end = start;
  const limit = quoteEnd >= 0 ? quoteEnd : Math.min(text.length, start + 1_100);
  while (end < limit && !/[\s"'`,;]/.test(text[end]!)) end++;
  const value = text.slice(start, end);
  return credentialValue(value, true) ? { start: at, valueStart: start, valueEnd: end, value } : null;
}

/** How a value hangs off the name: `= v`, `: v`, `=> v`, `(v)`, `, v` after a quoted name, `<k>v</k>`, `k v`, `k-v`. */
function attachedValue(text: string, name: Name, format: FileFormat): Literal | null {
  const opener = text[name.start - 1];
  const quotedName = opener === '"' || opener === "'";
  let i = name.end;
  if (quotedName && text[i] === opener) i++;
  else if (quotedName && text[i] === "\\" && text[i + 1] === opener) i += 2; // JSON inside a string: `\"apiKey\":\"…\"`
  if (text[i] === "]") i++;
  const afterName = i;
  while (isBlank(text[i]) && i - afterName < 32) i++;
  // `Unseal Key 1: …`, `key2 = …`: an index after the name.
  if (i > afterName && /\d/.test(text[i] ?? "") && /^\d{1,2}\s*[:=]/.test(text.slice(i, i + 6))) while (/[\d\s]/.test(text[i] ?? "")) i++;
  const c = text[i];
  const c2 = text[i + 1];
  if (c === "=" || c === ":" || (c === "?" && c2 === "=") || (c === "|" && c2 === "|" && text[i + 2] === "=")) {
    i += c === "=" || c === ":" ? 1 : c === "|" ? 3 : 2;
    if (c === ":" && text[i] === ":") return null; // `Foo::Token`
    if (text[i] === "=" || text[i] === ">") i++;
    while (isBlank(text[i]) && i - afterName < 64) i++;
    // YAML: `mapboxApiKey:` at the end of its line, the value indented on the next.
    if (c === ":" && text[i] === "\n" && format !== "code") {
      i++;
      while (isBlank(text[i]) && i - afterName < 96) i++;
    }
    return readValue(text, i, format, true);
  }
  if (c === "{" && quotedName && text[i + 1] === "\n") {
    // HCL: `variable "okta_api_token" {` and `  default = "…"` on the next line.
    const next = /^\n[ \t]{0,16}default[ \t]{0,8}=[ \t]{0,8}/.exec(text.slice(i + 1, i + 48));
    return next ? readValue(text, i + 1 + next[0].length, "config", false) : null;
  }
  if (c === "(" && !quotedName && i === afterName) {
    i++;
    while (isBlank(text[i])) i++;
    return readValue(text, i, format, false);
  }
  if (c === "," && quotedName) {
    i++;
    while (isBlank(text[i])) i++;
    const argument = readValue(text, i, format, false);
    // JSON-RPC: `"method": "auth.login_with_api_key", "params": ["…"]`: the first parameter.
    if (argument && /^(?:params|args|arguments)$/.test(text.slice(argument.start, argument.end))) {
      const list = /^["']\s*:\s*\[\s*/.exec(text.slice(argument.end, argument.end + 16));
      return list ? readValue(text, argument.end + list[0].length, format, false) : null;
    }
    return argument;
  }
  if (c === ">" && opener === "<") {
    const close = text.indexOf("<", i + 1);
    return close > i + 1 && close - i < 1_100 ? { start: i + 1, end: close, quoted: true } : null;
  }
  if (format === "code") return null; // in code a bare word after a name is an expression or a comment
  if (i > afterName && c !== undefined) {
    // `betterstack SECRET key abc…`: one or two more name words, then the value.
    for (let words = 0; words < 2; words++) {
      let j = i;
      while (isLetter(text[j]) && j - i < 12) j++;
      if (j === i || (!isBlank(text[j]) && text[j] !== "\n") || !SUFFIXES.has(text.slice(i, j).toLowerCase())) break;
      i = j;
      while (isBlank(text[i])) i++;
    }
    if (text[i] === "=" || text[i] === ":") {
      i++;
      while (isBlank(text[i])) i++;
    }
    // `eventbrite private access key` closing its line, the key alone on the next line.
    if (text[i] === "\n") {
      const next = bareAt(text, i + 1, 1_100);
      return next && (text[next.end] === undefined || text[next.end] === "\n") ? next : null;
    }
    return readValue(text, i, format, true);
  }
  if (i === afterName && (c === "-" || c === "." || c === "_") && !quotedName) {
    // A value glued to the name in a bare token (`holisticTOKEN-8f3…`): token characters and
    // digits only, ending the token (not a file name, a version, a host or a path).
    let end = i + 1;
    while (end < text.length && end - i < 1_100 && /[A-Za-z0-9_.-]/.test(text[end]!)) end++;
    if (end - (i + 1) < 16 || isNameChar(text[end]) || /[/#:@]/.test(text[end] ?? "") || !/\d/.test(text.slice(i + 1, end))) return null;
    return { start: i + 1, end, quoted: false };
  }
  return null;
}

const PROVIDER_WORDS = new RegExp(`(?:${[...PROVIDER_NAMES].sort((a, b) => b.length - a.length).join("|")})`, "gi");

/**
 * A provider's name alone as the name of a value (`posthog = phx_…`, `cloudsmith 1f3…`,
 * `pyowm = '…'`): weaker evidence than a credential word, so the value must have letters
 * and digits and at least 16 characters. Names with a credential word are
 * findNamedCredentials' (the scanner keeps the first finding of a span).
 */
export function findProviderNamedValues(text: string, format: FileFormat): RegexMatch[] {
  let found: RegexMatch[] | null = null;
  PROVIDER_WORDS.lastIndex = 0;
  for (let m = PROVIDER_WORDS.exec(text); m !== null; m = PROVIDER_WORDS.exec(text)) {
    if (!isWordAt(text, m.index, m[0].length)) continue;
    const name = nameAround(text, m.index, m[0].length);
    if (insideLocation(text, name.start)) continue;
    const attached = literalOf(text, name, format, PROVIDER_WORDS, 16);
    if (!attached) continue;
    const { value } = attached;
    const literal = text.slice(value.start, value.end);
    if (!/[A-Za-z]/.test(literal) || (!/\d/.test(literal) && literal.length < 20) || !credentialValue(literal, true)) continue;
    (found ??= []).push({ start: name.start, valueStart: value.start, valueEnd: value.end, value: literal });
  }
  return found ?? NONE;
}
