// ignorePaths without a backtracking regex: the same answers as minimatch (dot: true) on the
// globs people write, and bounded work on a crafted pattern × file name where minimatch's
// compiled regex backtracks.

import { describe, expect, it } from "vitest";
import { minimatch } from "minimatch";
import { expandBraces, pathMatcher } from "../../src/secrets/path-glob.js";
import { SecretScanner, linesOfText } from "../../src/secrets/scanner.js";
import { builtinRules } from "../../src/secrets/rules/index.js";

const globs = ["fixtures/**", "**/*.min.js", "*.svg", "**/yarn.lock", "src/*.ts", "docs/**/*.md", "**/.env*", "a/**/b", "{a,b}/*.ts", "test/fixtures/**", "**", "[abc].txt", "[!a]?.md", "vendor/**/dist/*.{js,map}", "**/__snapshots__/**", "data/*-dump-*.sql"];
const paths = ["fixtures", "fixtures/a/b.json", "a.min.js", "x/y/a.min.js", "a/b.svg", "b.svg", "yarn.lock", "pkg/yarn.lock", "src/a.ts", "src/a/b.ts", "docs/a.md", "docs/x/y/a.md", "x/.env.local", ".env", "a/b", "a/x/y/b", "b/x.ts", "c/x.ts", "test/fixtures/", "test/fixtures/k.pem", "b.txt", "d.txt", "ba.md", "aa.md", "vendor/x/dist/a.js", "vendor/dist/a.map", "vendor/x/dist/a.css", "src/__snapshots__/a.snap", "data/prod-dump-2024.sql", "data/prod.sql"];

describe("path globs (ignorePaths)", () => {
  it.each(globs)("answers %s as minimatch does on every sample path", (glob) => {
    const ours = pathMatcher([glob]);
    for (const path of paths) expect(ours(path), `${glob} ~ ${path}`).toBe(minimatch(path, glob, { dot: true }));
  });

  it("expands alternatives, and leaves an unbalanced brace as written", () => {
    expect(expandBraces("x.{js,ts}")).toEqual(["x.js", "x.ts"]);
    expect(expandBraces("{a,{b,c}}/d")).toEqual(["a/d", "b/d", "c/d"]);
    expect(expandBraces("x.{js")).toEqual(["x.{js"]);
  });

  it("stays bounded on a many-star pattern against a crafted 4,000-character file name (minimatch takes over a second at 30 characters)", () => {
    const pattern = `**/${"*a".repeat(12)}*b`;
    const path = `src/${"a".repeat(4_000)}.txt`;
    const started = performance.now();
    expect(pathMatcher([pattern])(path)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("is what the scanner's ignorePaths uses: an ignored file is not scanned, another is", () => {
    const scanner = new SecretScanner(builtinRules, { key: new Uint8Array(32), ignorePaths: ["fixtures/**"] });
    const line = `password = "Xk9#mQ2vLp7Tz"`;
    const scanned = scanner.scan([
      { path: "fixtures/users.ini", lines: linesOfText(line) },
      { path: "config/app.ini", lines: linesOfText(line) },
    ]);
    expect(scanned.findings.map((f) => f.path)).toEqual(["config/app.ini"]);
  });
});
