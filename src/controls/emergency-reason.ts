// The reason of an emergency change: the PR body's first `Emergency: …` (or `Reason: …`)
// line. Read line by line with string operations, so the work is linear in the body
// whatever the author put in it (a regex with `\s*` across lines was quadratic on a
// body of newlines).

const KEYWORDS = ["emergency", "reason"];
const BLANK = new Set([" ", "\t", "\r", "\f", "\v", "\u00a0"]);

function skipBlanks(line: string, from: number): number {
  let i = from;
  while (i < line.length && BLANK.has(line[i]!)) i++;
  return i;
}

export function emergencyReasonFrom(body: string): string | null {
  let start = 0;
  while (start <= body.length) {
    const newline = body.indexOf("\n", start);
    const end = newline === -1 ? body.length : newline;
    const reason = reasonOnLine(body.slice(start, end));
    if (reason !== null) return reason;
    if (newline === -1) break;
    start = newline + 1;
  }
  return null;
}

function reasonOnLine(line: string): string | null {
  const at = skipBlanks(line, 0);
  const head = line.slice(at, at + 9).toLowerCase();
  const keyword = KEYWORDS.find((k) => head.startsWith(k));
  if (!keyword) return null;
  const colon = skipBlanks(line, at + keyword.length);
  if (line[colon] !== ":") return null;
  const reason = line.slice(colon + 1).trim();
  return reason.length > 0 ? reason : null;
}
