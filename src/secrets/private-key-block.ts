// Multi-line private-key assembly. A PEM block is rarely a clean file in a diff: it sits in
// a string literal with `\n` escapes, is split across concatenated strings ("…" +), is
// JSON-escaped twice (`\\n`), or is dumped into a log. From a `-----BEGIN … PRIVATE KEY-----`
// armour line this reads on through the following lines, skipping the syntax around the
// body (quotes, `+`, `.`, `&`, commas, escape sequences, `Proc-Type:`-style headers), and
// reassembles the base64 body (a log's repeated line prefix is stripped); a block is a
// finding when the body is long enough to be a key and is not a placeholder. Bounded: at
// most MAX_READ characters from the armour line.

import type { RegexMatch } from "./linear-regex.js";
import { isPlaceholderValue } from "./allowlist.js";
import { shannonEntropy } from "./entropy.js";

const MAX_READ = 8_192;
/** Characters of body that make a key (the shortest real private key, Ed25519, has ~64). */
const MIN_BODY = 40;
const ARMOUR = /-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY(?: BLOCK)?-----/g;

const isBase64 = (c: string): boolean => (c >= "A" && c <= "Z") || (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c === "/" || c === "=";
const isNoise = (c: string): boolean => c === " " || c === "\t" || c === "\n" || c === "\r" || c === '"' || c === "'" || c === "`" || c === "," || c === "&" || c === ";" || c === "(" || c === ")" || c === "[" || c === "]";

/** Private-key blocks in text (a line joined with the lines after it). */
export function findPrivateKeyBlocks(text: string): RegexMatch[] {
  const found: RegexMatch[] = [];
  ARMOUR.lastIndex = 0;
  for (let m = ARMOUR.exec(text); m !== null; m = ARMOUR.exec(text)) {
    const lineStart = text.lastIndexOf("\n", m.index) + 1;
    const body = assembleBody(text, m.index + m[0].length, logPrefixShape(text.slice(lineStart, m.index)));
    if (body === null) continue;
    found.push({ start: m.index, valueStart: body.start, valueEnd: body.start + body.value.length, value: body.value });
    ARMOUR.lastIndex = Math.max(ARMOUR.lastIndex, body.stop);
  }
  return found;
}

/** The base64 body after an armour line: its characters joined, where it starts, and where reading stopped. */
/**
 * A log line's prefix before the armour (`2026-11-30 10:00:01 INFO `) as a shape — digits as
 * 9, letters as a — so the same prefix on the following lines (other times, same layout) can
 * be stripped; null when the armour starts its line or follows code (`key = "`).
 */
function logPrefixShape(prefix: string): string | null {
  if (prefix.length < 8 || !/\d/.test(prefix) || /["'`=(]/.test(prefix)) return null;
  return shapeOf(prefix);
}

const shapeOf = (text: string): string => text.replace(/\d/g, "9").replace(/[A-Za-z]/g, "a");

function assembleBody(text: string, from: number, logPrefix: string | null): { value: string; start: number; stop: number } | null {
  const limit = Math.min(text.length, from + MAX_READ);
  let body = "";
  let start = -1;
  let i = from;
  // Whether the syntax since the last run broke a line or a string (a newline, an escape, a
  // quote): body chunks are; words of a sentence after the armour are separated by blanks only.
  let broke = false;
  while (i < limit) {
    const c = text[i]!;
    if (c === "\\") {
      // `\n`, `\r\n`, `\\n` (escaped twice), a line-continuation backslash.
      while (text[i] === "\\") i++;
      if (text[i] === "n" || text[i] === "r" || text[i] === "t") i++;
      broke = true;
      continue;
    }
    if (c === "\n" && logPrefix !== null && shapeOf(text.slice(i + 1, i + 1 + logPrefix.length)) === logPrefix) {
      // The next log line carries the same prefix: the body goes on after it.
      i += 1 + logPrefix.length;
      broke = true;
      continue;
    }
    if (isNoise(c) || ((c === "+" || c === ".") && !isBase64(text[i - 1] ?? " "))) {
      if (c !== " " && c !== "\t" && c !== "." && c !== ",") broke = true;
      i++;
      continue;
    }
    if (c === "-" && text.startsWith("-----", i)) break; // the END armour (or the next block)
    if (!isBase64(c) && c !== "+") break; // code after the block
    let j = i + 1;
    while (j < limit && (isBase64(text[j]!) || (text[j] === "+" && isBase64(text[j + 1] ?? " ")))) j++;
    if (text[j] === ":" || (text[j] === "-" && text[j + 1] !== "-")) {
      // A header (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`, `Comment: …`): skip its line.
      const eol = text.indexOf("\n", j);
      const escaped = text.indexOf("\\n", j);
      const next = [eol, escaped].filter((x) => x >= 0);
      if (next.length === 0) break;
      i = Math.min(...next);
      continue;
    }
    // A short run after blanks alone is a word of prose (`'…KEY-----'. If you are …`).
    if (!broke && j - i < 20) break;
    broke = false;
    if (start < 0) start = i;
    body += text.slice(i, j);
    i = j;
  }
  if (body.length < MIN_BODY || start < 0) return null;
  if (isPlaceholderValue(body) || shannonEntropy(body) < 3.5) return null;
  return { value: body, start, stop: i };
}
