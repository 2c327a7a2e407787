import { describe, expect, it } from "vitest";
import { compileCodeOwners, ownersOf, parseCodeOwners } from "../../src/controls/codeowners.js";
import { reviewApproval } from "../../src/controls/review-approval.js";
import { configWith, env, makeFacts, review } from "../helpers/facts.js";
import type { Facts } from "../../src/facts.js";

describe("CODEOWNERS matching, as GitHub reads it", () => {
  const file = [
    "*       @everyone",
    "*.js    @js-owner",
    "docs/*  docs@example.com",
    "apps/   @apps",
    "/build/logs/ @logs",
    "**/secrets @sec",
    "/infra/**/*.tf @acme/platform",
    "/lib/core @core",
    "/apps/github",
  ].join("\n");
  const codeOwners = compileCodeOwners(file);

  it.each([
    ["the last matching line wins over an earlier one", "src/a.js", ["js-owner"]],
    ["`*` owns every path nobody else owns", "README.md", ["everyone"]],
    ["`docs/*` owns a file directly in docs/", "docs/getting-started.md", ["docs@example.com"]],
    ["`docs/*` does not own nested files", "docs/build-app/troubleshooting.md", ["everyone"]],
    ["`docs/*` is anchored at the root (a middle slash anchors, as in gitignore)", "x/docs/a.md", ["everyone"]],
    ["`apps/` owns an apps directory anywhere", "x/apps/y.ts", ["apps"]],
    ["an anchored directory owns what is below it", "build/logs/deep/a.txt", ["logs"]],
    ["an anchored directory does not match deeper down", "x/build/logs/a.txt", ["everyone"]],
    ["`**/name` owns a directory of that name anywhere, and its contents", "a/b/secrets/key.pem", ["sec"]],
    ["`**` spans directories", "infra/prod/eu/main.tf", ["acme/platform"]],
    ["`**` also matches zero directories", "infra/main.tf", ["acme/platform"]],
    ["a name without a slash at the end owns the directory of that name", "lib/core/x/y.c", ["core"]],
    ["a line with no owners un-owns its paths", "apps/github/a.ts", []],
  ])("%s", (_name, path, owners) => {
    expect(ownersOf(codeOwners, path)).toEqual(owners);
  });

  it.each([
    ["negation", "!docs/ @a", /negation/],
    ["character ranges", "[abc].txt @a", /character ranges/],
    ["an owner that is no handle or email", "docs/ alice", /`alice` is not an owner/],
    ["escapes", "\\#file @a", /escapes/],
  ])("ignores and reports a line GitHub treats as invalid: %s", (_name, line, problem) => {
    const parsed = compileCodeOwners(`* @everyone\n${line}\n`);
    expect(parsed.invalid).toEqual([{ line: 2, problem: expect.stringMatching(problem) }]);
    expect(ownersOf(parsed, "docs/x.txt")).toEqual(["everyone"]);
    expect(ownersOf(parsed, "a.txt")).toEqual(["everyone"]);
  });

  it("treats '#' as a comment at the start of a line or after whitespace only", () => {
    const parsed = compileCodeOwners("# all\n*.md @docs # the writers\nfile#1 @hash\n");
    expect(ownersOf(parsed, "a.md")).toEqual(["docs"]);
    expect(ownersOf(parsed, "file#1")).toEqual(["hash"]);
  });

  it("compiles a file once and keeps it for the evaluation", () => {
    expect(parseCodeOwners(file)).toBe(parseCodeOwners(file));
  });

  it("is bounded on an adversarial file: 2,000 wildcard rules × 1,000 paths stay linear", () => {
    const rules = Array.from({ length: 2000 }, (_, i) => `**/*a${i}*b*c*d*e*/** @team${i}`).join("\n");
    const paths = Array.from({ length: 1000 }, (_, i) => `src/${"ab".repeat(40)}/a${i % 2000}bbbcccdddeee/f${i}.ts`);
    const compiled = compileCodeOwners(rules);
    const started = process.cpuUsage();
    const owners = paths.map((p) => ownersOf(compiled, p));
    const cpu = process.cpuUsage(started);
    expect(owners[5]).toEqual(["team5"]);
    // Generous bound for a shared CI core; the figure itself is measured in `npm run bench`.
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(10_000);
  });
});

describe("review.approval with CODEOWNERS", () => {
  const config = configWith((c) => (c.controls["review.approval"].requireCodeOwners = true));
  const evaluate = (text: string, access: Facts["access"], reviews = [review("bob", "APPROVED", 1)], changedPaths = ["db/001.sql"]) =>
    reviewApproval.evaluate(makeFacts({ pr: { reviews, changedPaths }, codeOwners: { path: ".github/CODEOWNERS", text }, access }), config, env);

  it("never lets @other-org/team match a team of this organization with the same slug", () => {
    const access = { permissions: { bob: "write" } as const, teams: { dba: ["bob"] } };
    expect(evaluate("/db/ @acme/dba\n", access).status).toBe("pass");
    const other = evaluate("/db/ @evil-org/dba\n", access);
    expect(other.status).toBe("fail");
    expect(other.reason).toContain("@evil-org/dba is not a team of acme");
  });

  it("counts an email owner's approval through the account the email resolves to", () => {
    const access = { permissions: { bob: "write" } as const, teams: {}, emails: { "bob@acme.example": "bob" } };
    expect(evaluate("/db/ bob@acme.example\n", access).status).toBe("pass");
  });

  it("fails with the reason when an email owner resolves to no account", () => {
    const access = { permissions: { bob: "write" } as const, teams: {}, emails: { "dba@acme.example": null } };
    const result = evaluate("/db/ dba@acme.example\n", access);
    expect(result.status).toBe("fail");
    expect(result.reason).toContain("dba@acme.example could not be resolved to a GitHub account");
  });

  it("reports invalid lines with their line numbers", () => {
    const access = { permissions: { bob: "write" } as const, teams: {} };
    const result = evaluate("* @bob\n!db/ @bob\n", access);
    expect(result.status).toBe("pass");
    expect(result.findings).toContainEqual({ message: expect.stringMatching(/^CODEOWNERS line 2 is ignored, as GitHub ignores it: negation/), path: ".github/CODEOWNERS", line: 2 });
  });
});
