// The context-aware password detector. Instead of one more regex, it reads the structure
// around a credential name: the key it belongs to (`DB_PASSWORD`, `AdminPassword`,
// `spring.datasource.password`), how the value is attached (assignment, call argument,
// XML element, command-line flag, `.netrc`/Gradle `password value`, connection string),
// and whether the value is a literal at all. Only literals count: a property lookup, a
// `$variable`, a `${…}`/`{{…}}` template, an environment read, a concatenation, a URL path
// or a placeholder is not a credential. Linear: one pass per name occurrence, bounded reads.

import type { RegexMatch } from "./linear-regex.js";
import { bareAt, isBlank, isNotALiteralCredential, quotedAt, type Literal } from "./literal.js";

export type FileFormat = "code" | "config" | "markup" | "shell" | "unknown";

const FORMATS: Array<[RegExp, FileFormat]> = [
  [/(?:^|\/)(?:\.env[\w.-]*|\.netrc|_netrc|\.npmrc|\.pypirc|\.pgpass|\.my\.cnf|gradle\.properties|[\w.-]*\.(?:ini|cfg|conf|cnf|properties|toml|ya?ml|env|json|jsonc|tfvars|hcl|sql|sessions?|rdp|ftpconfig))$/i, "config"],
  [/\.(?:xml|config|csproj|vbproj|props|targets|html?|xaml|plist|jsp|aspx)$/i, "markup"],
  [/\.(?:sh|bash|zsh|ps1|psm1|bat|cmd)$|(?:^|\/)Dockerfile$/i, "shell"],
  [/\.(?:[cm]?[jt]sx?|py|rb|java|kt|kts|scala|cs|vb|go|rs|php|swift|m|c|cc|cpp|h|hpp|dart|groovy|gradle|lua|pl|r|ex|exs|erl|clj)$/i, "code"],
];

export function fileFormatOf(path: string): FileFormat {
  for (const [pattern, format] of FORMATS) if (pattern.test(path)) return format;
  return "unknown";
}

// Names whose last word says the value is a password.
const PASSWORD_WORDS = new Set(["password", "passwd", "passphrase", "pwd", "pass", "pw", "passwort", "contrasena", "motdepasse", "senha"]);
const NAME_HINTS = ["pass", "pwd", "senha", "contrasena", "motdepasse"];
const ENDS_LIKE_PASSWORD = /(?:password|passwd|passphrase|pwd|pass|passwort|contrasena|motdepasse|senha)\d*$/;
/** The keywords that select the detector (see scanner.ts): its names and the other forms' markers. */
export const PASSWORD_KEYWORDS = [...NAME_HINTS, "identified by", " -u ", "-u ", " --user", "basic ", "convertto-securestring", "networkcredential("];
const isKeyChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46;

/** The last word of an identifier: `DB_PASSWORD` → password, `AdminPassword` → password, `db.pass2` → pass. */
function lastWord(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").split(/[\s_.\-]+/).filter(Boolean);
  return (words[words.length - 1] ?? "").toLowerCase().replace(/\d+$/, "");
}

/** Whether a value in a password's place is a literal password (not a reference, a stand-in, a label or a sentence). */
export function acceptable(value: string, quoted: boolean): boolean {
  if (value.length < 6 || value.length > 128) return false;
  if (isNotALiteralCredential(value)) return false; // lookups, `$variables`, templates, URLs, routes, CSS selectors, stand-ins
  if (!quoted && /^[A-Za-z_$][\w$]*\(/.test(value)) return false; // a call
  if (/\s/.test(value) && value.trim().split(/\s+/).length > 2) return false; // a sentence: a label or a message
  if (/password|passwd|\bpass\b|secret|your|enter|must|invalid|required|confirm/i.test(value) && /[\s_-]/.test(value)) return false;
  if (/^(\S)\1+$/.test(value)) return false;
  return true;
}

/** Password literals on one line (or a few joined lines), with the file's format deciding whether bare values count. */
export function findPasswordLiterals(text: string, format: FileFormat): RegexMatch[] {
  const lower = text.toLowerCase();
  const found: RegexMatch[] = [];
  const seen = new Set<number>();
  const push = (lit: Literal | null, from: number): void => {
    if (!lit || seen.has(lit.start)) return;
    const value = text.slice(lit.start, lit.end);
    if (!acceptable(value, lit.quoted)) return;
    seen.add(lit.start);
    found.push({ start: from, valueStart: lit.start, valueEnd: lit.end, value });
  };
  for (const hint of NAME_HINTS) {
    for (let at = lower.indexOf(hint); at >= 0; at = lower.indexOf(hint, at + hint.length)) {
      // The whole key this name belongs to.
      let ks = at;
      while (ks > 0 && isKeyChar(text.charCodeAt(ks - 1))) ks--;
      let ke = at + hint.length;
      while (ke < text.length && isKeyChar(text.charCodeAt(ke))) ke++;
      // Most occurrences are words like "passed" or "bypass": one cheap test before splitting the key.
      if (!ENDS_LIKE_PASSWORD.test(lower.slice(Math.max(ks, ke - 12), ke))) continue;
      const key = text.slice(ks, ke).replace(/^-+/, "");
      if (!PASSWORD_WORDS.has(lastWord(key))) continue;
      const flag = text[ks] === "-";
      const before = text[ks - 1];
      const quotedKey = before === '"' || before === "'";
      let i = ke;
      if (quotedKey && text[i] === before) i++;
      if (text[i] === "]") i++;
      const afterKey = i;
      while (isBlank(text[i])) i++;
      const c = text[i];
      const c2 = text[i + 1];
      if (c === "=" || c === ":" || (c === "?" && c2 === "=") || (c === "|" && c2 === "|" && text[i + 2] === "=")) {
        // Assignment, config key, attribute, connection-string pair: `= x`, `: x`, `:= x`, `=> x`, `?= x`.
        i += c === "=" || c === ":" ? 1 : c === "|" ? 3 : 2;
        if (text[i] === "=" || text[i] === ">") i++;
        if (c === ":" && text[i] === ":") continue; // `Foo::Password`
        while (isBlank(text[i])) i++;
        const q = quotedAt(text, i);
        if (q) push(q, ks);
        // A bare value is a literal in config, markup and shell, and inside a connection string
        // (`Server=…;Password=x;`, libpq's `host=db01 user=app password=x`) anywhere; in code it is an expression.
        else if (format !== "code" || /;\s*$/.test(text.slice(Math.max(0, ks - 8), ks)) || /(?:^|["'\s])(?:host|user|dbname|server|port)=[^\s=]+\s+$/.test(text.slice(Math.max(0, ks - 80), ks))) push(bareAt(text, i), ks);
      } else if (c === "," && quotedKey && /\(\s*$/.test(text.slice(Math.max(0, ks - 8), ks - 1))) {
        // `define('DB_PASSWORD', 'x')`, `buildConfigField 'String', 'PASSWORD', '"x"'`, `NetworkCredential("user", "x")`.
        i++;
        while (isBlank(text[i])) i++;
        let q = quotedAt(text, i);
        if (q && (text[q.start] === '"' || text[q.start] === "'") && text[q.end - 1] === text[q.start]) q = { start: q.start + 1, end: q.end - 1, quoted: true };
        push(q, ks);
      } else if (c === "(" && !quotedKey) {
        // `setPassword("x")`, `.password('x')`, `WithPassword("x")`.
        i++;
        while (isBlank(text[i])) i++;
        push(quotedAt(text, i), ks);
      } else if (c === ">" && before === "<") {
        // `<password>x</password>`, `<add key="…" />` is handled as an attribute above.
        const close = text.indexOf("<", i + 1);
        if (close > i + 1 && close - i < 200) push({ start: i + 1, end: close, quoted: true }, ks);
      } else if (before === "<" && i > afterKey) {
        // An element with attributes, as saved-session files write it: FileZilla's
        // `<Pass encoding="base64">…</Pass>` (base64 is an encoding, not a protection).
        const tagEnd = text.indexOf(">", i);
        const close = tagEnd > 0 ? text.indexOf("<", tagEnd + 1) : -1;
        if (tagEnd > 0 && tagEnd - i < 120 && text[tagEnd - 1] !== "/" && close > tagEnd + 1 && close - tagEnd < 200) push({ start: tagEnd + 1, end: close, quoted: true }, ks);
      } else if (i > afterKey && c !== undefined && (flag || format === "config" || format === "unknown" || format === "shell" || /^\s*$/.test(text.slice(0, ks)) || /\b(?:login|machine|username|user)\b/i.test(text.slice(0, ks)))) {
        // `--password x`, `-Password x`, `.netrc`'s `login u password x`, Gradle's `password 'x'`.
        if (!flag && format === "code" && !/^\s*$/.test(text.slice(0, ks))) continue;
        const q = quotedAt(text, i);
        push(q ?? (format === "code" && !flag ? null : bareAt(text, i)), ks);
      }
    }
  }
  for (const m of otherForms(text, lower)) push(m.lit, m.from);
  return found.sort((a, b) => a.valueStart - b.valueStart);
}

/** Forms without a password-named key: SQL `IDENTIFIED BY`, `curl -u user:pass`, HTTP Basic, `ConvertTo-SecureString "x" -AsPlainText`. */
function otherForms(text: string, lower: string): Array<{ lit: Literal | null; from: number }> {
  const out: Array<{ lit: Literal | null; from: number }> = [];
  for (let at = lower.indexOf("identified by"); at >= 0; at = lower.indexOf("identified by", at + 1)) {
    let i = at + 13;
    while (isBlank(text[i])) i++;
    out.push({ lit: quotedAt(text, i), from: at });
  }
  // A continued command line (`curl … \` then `-u id:secret`) starts with the flag.
  const leading = /^[ \t]*-u /.exec(lower);
  for (const flag of [" -u ", " --user ", " --user="]) {
    const places: number[] = flag === " -u " && leading ? [leading[0].length - 4] : [];
    for (let at = lower.indexOf(flag); at >= 0; at = lower.indexOf(flag, at + 1)) places.push(at);
    for (const at of places) {
      let i = at + flag.length;
      while (isBlank(text[i])) i++;
      const quoted = quotedAt(text, i);
      const token = quoted ?? bareAt(text, i);
      if (!token) continue;
      const colon = text.indexOf(":", token.start);
      if (colon > token.start && colon < token.end - 1) out.push({ lit: { start: colon + 1, end: token.end, quoted: true }, from: Math.max(0, at) });
      // `psexec \\host -u admin -p secret`, `mysql -u root -p pass`: the password flag after the user.
      let p = token.end + (quoted ? 1 : 0);
      while (isBlank(text[p])) p++;
      if (text[p] === "-" && text[p + 1] === "p" && isBlank(text[p + 2])) {
        p += 2;
        while (isBlank(text[p])) p++;
        out.push({ lit: quotedAt(text, p) ?? bareAt(text, p), from: Math.max(0, at) });
      }
    }
  }
  for (let at = lower.indexOf("basic "); at >= 0; at = lower.indexOf("basic ", at + 1)) {
    if (!/authorization|auth|header/i.test(text.slice(Math.max(0, at - 40), at))) continue;
    const token = bareAt(text, at + 6);
    if (!token || token.end - token.start < 8) continue;
    const decoded = Buffer.from(text.slice(token.start, token.end), "base64").toString("latin1");
    if (/^[\x20-\x7e]+:[\x20-\x7e]{4,}$/.test(decoded)) out.push({ lit: { ...token, quoted: true }, from: at });
  }
  for (let at = lower.indexOf("networkcredential("); at >= 0; at = lower.indexOf("networkcredential(", at + 1)) {
    // new NetworkCredential("user", "password"[, "domain"]): the second argument.
    let i = at + 18;
    while (isBlank(text[i])) i++;
    const user = quotedAt(text, i);
    if (!user) continue;
    i = user.end + 1;
    while (isBlank(text[i])) i++;
    if (text[i] !== ",") continue;
    i++;
    while (isBlank(text[i])) i++;
    out.push({ lit: quotedAt(text, i), from: at });
  }
  for (let at = lower.indexOf("convertto-securestring"); at >= 0; at = lower.indexOf("convertto-securestring", at + 1)) {
    let i = at + 22;
    while (isBlank(text[i])) i++;
    if (lower.slice(i, i + 8) === "-string ") i += 8;
    if (/-asplaintext/.test(lower.slice(i))) out.push({ lit: quotedAt(text, i), from: at });
  }
  return out;
}

