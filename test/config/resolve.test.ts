import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { resolveConfig, type ConfigLayerInput } from "../../src/config/resolve.js";
import { safeDefaults } from "../../src/config/defaults.js";
import { configSchema } from "../../src/config/schema.js";

const FILE = ".github/soc2-guard.yml";
const org = (text: string | null): ConfigLayerInput => ({ source: "acme/.github", file: FILE, text, isOrgLayer: true });
const repo = (text: string | null): ConfigLayerInput => ({ source: "acme/api", file: FILE, text, isOrgLayer: false });

describe("config resolution", () => {
  it("uses the safe defaults when no file exists anywhere", () => {
    const resolved = resolveConfig([org(null), repo(null)]);
    expect(resolved.problems).toEqual([]);
    expect(resolved.sources).toEqual(["built-in safe defaults"]);
    const c = resolved.config.controls;
    expect(c["review.approval"]).toMatchObject({ mode: "enforce", approvals: 1, allowContributors: false });
    expect(c["ci.passing"].mode).toBe("enforce");
    expect(c["branch.protection"].mode).toBe("advisory");
    expect(c["change.ticket"].mode).toBe("advisory");
  });

  it("layers the repository file over the org file", () => {
    const resolved = resolveConfig([
      org("controls:\n  review.approval: { approvals: 2 }\n  change.ticket: { mode: enforce }\n"),
      repo("controls:\n  review.approval: { approvals: 3, paths: [ { pattern: 'infra/**', teams: [platform] } ] }\n"),
    ]);
    expect(resolved.problems).toEqual([]);
    expect(resolved.config.controls["review.approval"].approvals).toBe(3);
    expect(resolved.config.controls["review.approval"].paths).toEqual([{ pattern: "infra/**", teams: ["platform"], users: [] }]);
    expect(resolved.config.controls["change.ticket"].mode).toBe("enforce");
    expect(resolved.sources).toEqual(["acme/.github:.github/soc2-guard.yml", "acme/api:.github/soc2-guard.yml"]);
  });

  it("lets a repository raise but never lower the org's minimums", () => {
    const orgFile = [
      "minimums:",
      "  controls:",
      "    review.approval: { mode: enforce, approvals: 2, allowContributors: false }",
      "    ci.passing: { checks: [build] }",
    ].join("\n");
    const lowered = resolveConfig([
      org(orgFile),
      repo("controls:\n  review.approval: { mode: advisory, approvals: 1, allowContributors: true }\n  ci.passing: { checks: [lint] }\n"),
    ]).config.controls;
    expect(lowered["review.approval"]).toMatchObject({ mode: "enforce", approvals: 2, allowContributors: false });
    expect(lowered["ci.passing"].checks).toEqual(["lint", "build"]);
    const raised = resolveConfig([org(orgFile), repo("controls:\n  review.approval: { approvals: 4 }\n")]).config.controls;
    expect(raised["review.approval"].approvals).toBe(4);
  });

  it("ignores minimums declared in a repository file and says so", () => {
    const resolved = resolveConfig([repo("minimums:\n  controls:\n    review.approval: { approvals: 0 }\n")]);
    expect(resolved.problems).toHaveLength(1);
    expect(resolved.problems[0]!.message).toMatch(/only honoured in the organization/);
  });

  it("locates a wrong type at its line and names the key", () => {
    const text = "archive:\n  repository: evidence\ncontrols:\n  review.approval:\n    approvals: two\n";
    const resolved = resolveConfig([repo(text)]);
    expect(resolved.problems).toEqual([
      expect.objectContaining({ file: FILE, source: "acme/api", line: 5, key: "controls.review.approval.approvals", message: "must be integer" }),
    ]);
    // The broken file contributes nothing: the safe defaults stay in force.
    expect(resolved.config).toEqual(safeDefaults());
  });

  it("locates an unknown key and an invalid mode", () => {
    const text = "controls:\n  ci.passing:\n    mode: enforced\n    cheks: [build]\n";
    const problems = resolveConfig([repo(text)]).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 3, key: "controls.ci.passing.mode", message: expect.stringContaining('"enforce", "advisory", "off"') }),
        expect.objectContaining({ line: 4, key: "controls.ci.passing.cheks", message: 'unknown key "cheks" under controls.ci.passing' }),
      ]),
    );
  });

  it("reports YAML syntax errors with their line", () => {
    const problems = resolveConfig([repo("controls:\n  review.approval: { approvals: 2\n  ci.passing: {}\n")]).problems;
    expect(problems[0]).toMatchObject({ file: FILE, message: expect.stringMatching(/^YAML syntax error/) });
    expect(problems[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it("rejects a ticket pattern that is not a regular expression", () => {
    const problems = resolveConfig([repo("controls:\n  change.ticket:\n    patterns:\n      - 'ABC-(\\d+'\n")]).problems;
    expect(problems).toEqual([expect.objectContaining({ line: 4, key: "controls.change.ticket.patterns.0" })]);
  });

  it("refuses a secret rule the linear-time engine cannot run, at its line", () => {
    const text = "controls:\n  secrets.diff:\n    rules:\n      - id: acme\n        regex: 'acme_(?=[a-z]{8})'\n        keywords: [acme_]\n";
    const problems = resolveConfig([repo(text)]).problems;
    expect(problems).toEqual([expect.objectContaining({ line: 5, key: "controls.secrets.diff.rules.0.regex", message: expect.stringMatching(/not a valid regular expression: lookarounds are not supported/) })]);
  });

  it("keeps the org layer when only the repository file is broken", () => {
    const resolved = resolveConfig([org("controls:\n  review.approval: { approvals: 2 }\n"), repo("controls: [oops]\n")]);
    expect(resolved.config.controls["review.approval"].approvals).toBe(2);
    expect(resolved.problems[0]!.source).toBe("acme/api");
  });

  it("hashes the effective config stably", () => {
    const a = resolveConfig([repo("controls:\n  ci.passing: { checks: [a, b] }\n")]);
    const b = resolveConfig([repo("controls: { ci.passing: { checks: [a, b] } }\n")]);
    const c = resolveConfig([repo("controls: { ci.passing: { checks: [b, a] } }\n")]);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(c.hash);
  });

  it("publishes the schema file that matches the code", () => {
    const published = JSON.parse(readFileSync(new URL("../../schema/soc2-guard-config.schema.json", import.meta.url), "utf8"));
    expect(published).toEqual(JSON.parse(JSON.stringify(configSchema)));
  });

  it("accepts the example org config shipped in .github/", () => {
    const text = readFileSync(new URL("../../.github/soc2-guard.yml", import.meta.url), "utf8");
    expect(resolveConfig([org(text)]).problems).toEqual([]);
  });
});
