// CODEOWNERS parsing and matching, as GitHub does it: gitignore-style patterns,
// the last matching line wins, and a line with no owners un-owns its paths.

import { minimatch } from "minimatch";

export interface CodeOwnersRule {
  pattern: string;
  owners: string[];
  line: number;
}

export function parseCodeOwners(text: string): CodeOwnersRule[] {
  const rules: CodeOwnersRule[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (!line) return;
    const [pattern, ...owners] = line.split(/\s+/);
    if (!pattern) return;
    rules.push({ pattern, owners: owners.filter((o) => o.startsWith("@")).map((o) => o.slice(1)), line: index + 1 });
  });
  return rules;
}

/** The owners of a path (`login` or `org/team`), or [] when nobody owns it. */
export function ownersOf(rules: CodeOwnersRule[], path: string): string[] {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i]!;
    if (matchesCodeOwnersPattern(rule.pattern, path)) return rule.owners;
  }
  return [];
}

export function matchesCodeOwnersPattern(pattern: string, path: string): boolean {
  let glob = pattern;
  const anchored = glob.startsWith("/") || glob.slice(0, -1).includes("/");
  if (glob.startsWith("/")) glob = glob.slice(1);
  if (glob.endsWith("/")) glob = `${glob}**`;
  if (!anchored) glob = `**/${glob}`;
  const options = { dot: true, nocomment: true, nonegate: true };
  // A pattern that names a directory owns everything below it.
  return minimatch(path, glob, options) || minimatch(path, `${glob}/**`, options);
}
