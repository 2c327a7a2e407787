// CODEOWNERS as GitHub reads it: gitignore-style patterns without negation or character
// ranges, the last matching line wins, a line with no owners un-owns its paths, `docs/*`
// owns only the files directly in docs/, and a line GitHub would reject is skipped and
// reported. Owners are `@login`, `@org/team` or an email address.
//
// The file is PR-base text that anyone with write access can shape, and a change can touch
// thousands of paths, so matching is bounded by construction: every pattern becomes an RE2
// expression (linear time, no backtracking), grouped into small RE2 sets that answer
// "which lines match this path" in one pass each. Rules anchored at a literal top-level
// directory are only tried on paths under it. A file is compiled once and kept (by text)
// for the rest of the evaluation.

import RE2 from "re2";

type RuleSet = InstanceType<typeof RE2.Set>;

export type CodeOwner =
  | { kind: "user"; login: string }
  | { kind: "team"; org: string; slug: string }
  | { kind: "email"; email: string };

export interface CodeOwnersRule {
  pattern: string;
  /** Owners as written without the `@`: `login`, `org/team`, or an email address. */
  owners: string[];
  parsed: CodeOwner[];
  line: number;
}

export interface InvalidCodeOwnersLine {
  line: number;
  problem: string;
}

export interface CodeOwners {
  rules: CodeOwnersRule[];
  /** Lines GitHub treats as invalid: skipped, as GitHub does, and reported. */
  invalid: InvalidCodeOwnersLine[];
  /** The last rule matching `path`, or null when no line matches it. */
  ruleFor(path: string): CodeOwnersRule | null;
}

/** Rules per RE2 set: small sets keep RE2's automaton small enough to stay fast. */
const RULES_PER_SET = 50;
const MAX_OWNERS_PER_LINE = 100;

const USER = /^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const TEAM = /^@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9][A-Za-z0-9_.-]{0,99})$/;
const EMAIL = /^[^@\s]{1,200}@[^@\s]{1,200}$/;

export function parseOwner(token: string): CodeOwner | null {
  if (USER.test(token)) return { kind: "user", login: token.slice(1) };
  const team = TEAM.exec(token);
  if (team) return { kind: "team", org: team[1]!, slug: team[2]! };
  if (!token.startsWith("@") && EMAIL.test(token) && token.slice(token.indexOf("@") + 1).includes(".")) return { kind: "email", email: token };
  return null;
}

export function ownerName(owner: CodeOwner): string {
  return owner.kind === "user" ? owner.login : owner.kind === "team" ? `${owner.org}/${owner.slug}` : owner.email;
}

/** One pattern as an anchored RE2 expression over the whole path, or the reason GitHub rejects it. */
export function patternSource(pattern: string): { source: string; literalRoot: string | null } | { problem: string } {
  if (pattern.startsWith("!")) return { problem: "negation (!) is not supported in CODEOWNERS" };
  if (/[[\]]/.test(pattern)) return { problem: "character ranges ([ ]) are not supported in CODEOWNERS" };
  if (pattern.includes("\\")) return { problem: "escapes (\\) are not supported in CODEOWNERS" };
  const anchored = pattern.startsWith("/") || pattern.slice(0, -1).includes("/");
  const dirOnly = pattern.endsWith("/");
  const body = pattern.replace(/^\/+/, "").replace(/\/+$/, "");
  if (body === "") return pattern.startsWith("/") ? { source: ".*", literalRoot: null } : { problem: "empty pattern" };
  const segments = body.split("/");
  if (segments.some((s) => s === "")) return { problem: "empty path segment (//)" };
  let source = anchored ? "" : "(?:.*/)?";
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === "**") source += last ? ".*" : "(?:.*/)?";
    else source += segmentSource(segment) + (last ? "" : "/");
  });
  const lastSegment = segments[segments.length - 1]!;
  // A trailing slash owns what is below; a name owns itself and what is below; `dir/*` owns
  // only the files directly in dir (GitHub's documented exception to gitignore).
  if (dirOnly && lastSegment !== "**") source += "/.*";
  else if (!dirOnly && lastSegment !== "**" && lastSegment !== "*") source += "(?:/.*)?";
  const first = segments[0]!;
  return { source, literalRoot: anchored && !/[*?]/.test(first) ? first : null };
}

function segmentSource(segment: string): string {
  let out = "";
  for (const ch of segment) {
    if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else out += /[.^$|+(){}]/.test(ch) ? `\\${ch}` : ch;
  }
  // Consecutive stars are one star: keeps the expression small.
  return out.replace(/(?:\[\^\/\]\*){2,}/g, "[^/]*");
}

export function parseCodeOwnersLines(text: string): { rules: CodeOwnersRule[]; invalid: InvalidCodeOwnersLine[]; sources: Array<{ source: string; literalRoot: string | null }> } {
  const rules: CodeOwnersRule[] = [];
  const invalid: InvalidCodeOwnersLine[] = [];
  const sources: Array<{ source: string; literalRoot: string | null }> = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const hash = raw.indexOf("#");
    const content = (hash === 0 || (hash > 0 && /\s/.test(raw[hash - 1]!)) ? raw.slice(0, hash) : raw).trim();
    if (!content) continue;
    const [pattern, ...tokens] = content.split(/\s+/);
    const line = index + 1;
    const compiled = patternSource(pattern!);
    if ("problem" in compiled) {
      invalid.push({ line, problem: `${compiled.problem}: \`${pattern!.slice(0, 100)}\`` });
      continue;
    }
    if (tokens.length > MAX_OWNERS_PER_LINE) {
      invalid.push({ line, problem: `more than ${MAX_OWNERS_PER_LINE} owners` });
      continue;
    }
    const parsed = tokens.map(parseOwner);
    const bad = tokens.find((_, i) => parsed[i] === null);
    if (bad !== undefined) {
      invalid.push({ line, problem: `\`${bad.slice(0, 100)}\` is not an owner (@login, @org/team or an email address)` });
      continue;
    }
    const owners = parsed as CodeOwner[];
    rules.push({ pattern: pattern!, owners: owners.map(ownerName), parsed: owners, line });
    sources.push(compiled);
  }
  return { rules, invalid, sources };
}

interface RuleGroup {
  /** Rule indices, ascending; the set's match indices point into this list. */
  indices: number[];
  sets: RuleSet[];
}

function group(indices: number[], sources: Array<{ source: string }>): RuleGroup {
  const sets: RuleSet[] = [];
  for (let i = 0; i < indices.length; i += RULES_PER_SET) {
    sets.push(new RE2.Set(indices.slice(i, i + RULES_PER_SET).map((r) => sources[r]!.source), { anchor: "both" }));
  }
  return { indices, sets };
}

function bestMatch(path: Buffer, g: RuleGroup | undefined): number {
  if (!g || g.sets.length === 0) return -1;
  for (let s = g.sets.length - 1; s >= 0; s--) {
    const hits = g.sets[s]!.match(path);
    // Sets are in rule order: the first set (from the end) with a hit holds the last match.
    if (hits.length > 0) return g.indices[s * RULES_PER_SET + Math.max(...hits)]!;
  }
  return -1;
}

export function compileCodeOwners(text: string): CodeOwners {
  const { rules, invalid, sources } = parseCodeOwnersLines(text);
  const floating: number[] = [];
  const byRoot = new Map<string, number[]>();
  sources.forEach((s, i) => {
    if (s.literalRoot === null) floating.push(i);
    else byRoot.set(s.literalRoot, [...(byRoot.get(s.literalRoot) ?? []), i]);
  });
  const floatingGroup = group(floating, sources);
  const rootGroups = new Map([...byRoot].map(([root, indices]) => [root, group(indices, sources)]));
  return {
    rules,
    invalid,
    ruleFor(path) {
      const slash = path.indexOf("/");
      const root = slash < 0 ? path : path.slice(0, slash);
      // One UTF-8 conversion per path, not one per set.
      const bytes = Buffer.from(path, "utf8");
      const best = Math.max(bestMatch(bytes, floatingGroup), bestMatch(bytes, rootGroups.get(root)));
      return best < 0 ? null : rules[best]!;
    },
  };
}

const compiled = new Map<string, CodeOwners>();
const COMPILED_KEPT = 8;

/** The compiled file, compiled once per text (the loader and the control share it). */
export function parseCodeOwners(text: string): CodeOwners {
  const hit = compiled.get(text);
  if (hit) return hit;
  const result = compileCodeOwners(text);
  if (compiled.size >= COMPILED_KEPT) compiled.delete(compiled.keys().next().value!);
  compiled.set(text, result);
  return result;
}

/** The owners of a path (`login`, `org/team` or an email), or [] when nobody owns it. */
export function ownersOf(codeOwners: CodeOwners, path: string): string[] {
  return codeOwners.ruleFor(path)?.owners ?? [];
}
