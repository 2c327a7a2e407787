// Path globs for the scanners' ignore lists (`secrets.diff.ignorePaths`, `privacy.pii.ignorePaths`,
// lock files and bundles), matched without a backtracking regex. The path is the pull
// request author's to choose, the pattern the config's: minimatch compiles `*a*a*a*b` to a
// regex that backtracks polynomially in the length of a crafted file name. Here `*` and `**`
// are matched with the greedy two-pointer algorithm (last star and its resume point), at
// most O(|path| × |pattern|) steps for any input. Semantics as minimatch with `dot: true`:
// `*` within a segment, `**` any number of segments (at least one when it ends the pattern),
// `?`, `[…]` classes (`!`/`^` negation, ranges), `{a,b}` alternatives, `\` escapes.

type Token = { kind: "char"; char: string } | { kind: "any" } | { kind: "star" } | { kind: "class"; negated: boolean; ranges: Array<[string, string]> };
type Segment = Token[] | "globstar" | "one";

const MAX_ALTERNATIVES = 256;

/** One matcher for a list of globs: true when any matches the path. */
export function pathMatcher(globs: readonly string[]): (path: string) => boolean {
  const compiled = globs.flatMap((g) => expandBraces(g)).map(compileGlob);
  if (compiled.length === 0) return () => false;
  return (path) => {
    const segments = path.split("/");
    return compiled.some((pattern) => matchSegments(pattern, segments));
  };
}

/** `{a,b}/x.{js,ts}` → its alternatives (left as written past MAX_ALTERNATIVES, or unbalanced). */
export function expandBraces(glob: string): string[] {
  const open = findUnescaped(glob, "{", 0);
  if (open < 0) return [glob];
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      close = i;
      break;
    } else if (c === "," && depth === 1) commas.push(i);
  }
  if (close < 0 || commas.length === 0) return [glob];
  const head = glob.slice(0, open);
  const tail = glob.slice(close + 1);
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    for (const alternative of expandBraces(head + glob.slice(bounds[k]! + 1, bounds[k + 1]) + tail)) {
      out.push(alternative);
      if (out.length > MAX_ALTERNATIVES) return [glob];
    }
  }
  return out;
}

function findUnescaped(text: string, char: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === char) return i;
  }
  return -1;
}

function compileGlob(glob: string): Segment[] {
  const segments: Segment[] = glob.split("/").map((s) => (s === "**" ? "globstar" : tokens(s)));
  // A trailing `**` needs at least one segment (`fixtures/**` does not match `fixtures`).
  if (segments.length > 1 && segments[segments.length - 1] === "globstar") segments.splice(segments.length - 1, 1, "one", "globstar");
  return segments;
}

function tokens(segment: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "\\" && i + 1 < segment.length) out.push({ kind: "char", char: segment[++i]! });
    else if (c === "*") {
      if (out[out.length - 1]?.kind !== "star") out.push({ kind: "star" }); // `**` inside a segment is `*`
    } else if (c === "?") out.push({ kind: "any" });
    else if (c === "[") {
      const close = segment.indexOf("]", i + 2);
      if (close < 0) {
        out.push({ kind: "char", char: c });
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negated = body[0] === "!" || body[0] === "^";
      if (negated) body = body.slice(1);
      const ranges: Array<[string, string]> = [];
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === "-" && j + 2 < body.length) {
          ranges.push([body[j]!, body[j + 2]!]);
          j += 2;
        } else ranges.push([body[j]!, body[j]!]);
      }
      out.push({ kind: "class", negated, ranges });
      i = close;
    } else out.push({ kind: "char", char: c });
  }
  return out;
}

function matchesChar(token: Token, c: string): boolean {
  if (token.kind === "any") return true;
  if (token.kind === "char") return token.char === c;
  if (token.kind === "class") return token.ranges.some(([from, to]) => c >= from && c <= to) !== token.negated;
  return false;
}

/**
 * The greedy wildcard algorithm over any sequence: on a mismatch, resume just after the last
 * star with it covering one more element. Each element is compared at most |pattern| times.
 */
function greedyMatch<P, T>(pattern: readonly P[], text: ArrayLike<T>, isStar: (p: P) => boolean, matches: (p: P, t: T) => boolean): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const element = pattern[p];
    if (element !== undefined && isStar(element)) {
      star = p++;
      resume = t;
    } else if (element !== undefined && matches(element, text[t]!)) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else return false;
  }
  while (p < pattern.length && isStar(pattern[p]!)) p++;
  return p === pattern.length;
}

const isStarToken = (token: Token): boolean => token.kind === "star";
const isGlobstar = (segment: Segment): boolean => segment === "globstar";

/** One segment (`*.min.js`) against a path segment, then the path's segments with `**` as the star. */
function matchSegments(pattern: Segment[], path: string[]): boolean {
  return greedyMatch(pattern, path, isGlobstar, (segment, text) => segment === "one" || (segment !== "globstar" && greedyMatch(segment, text, isStarToken, matchesChar)));
}
