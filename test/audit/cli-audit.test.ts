import { afterEach, beforeEach, describe, expect, it } from "vitest";
import nock from "nock";
import { auditCommand } from "../../src/cli/audit.js";
import type { CliIO } from "../../src/cli/io.js";
import { mockOrg } from "./fixture-org.js";

function io(env: Record<string, string> = { GITHUB_TOKEN: "ghp_test" }) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIO = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), readStdin: async () => "", env, cwd: "/" };
  return { value, out, err };
}

beforeEach(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("soc2-guard audit", () => {
  it("prints a table and exits 1 when a repository drifts", async () => {
    mockOrg({ login: "acme", repos: [{ name: "api", classic: { approvals: 1, dismissStale: true, checks: ["soc2-guard"] } }, { name: "web", visibility: "public" }] });
    const t = io();
    expect(await auditCommand(["--org", "acme"], t.value)).toBe(1);
    const text = t.out.join("");
    expect(text).toMatch(/^REPOSITORY\s+repo\.branch-rules/);
    expect(text).toMatch(/acme\/api\s+pass\s+pass\s+pass\s+pass\s+pass/);
    expect(text).toContain("acme/web");
    expect(text).toContain("2 repositories: 1 pass, 1 fail, 0 skipped");
  });

  it("prints CSV and needs a token", async () => {
    mockOrg({ login: "acme", repos: [{ name: "api", classic: { approvals: 1, dismissStale: true, checks: ["soc2-guard"] } }] });
    const t = io();
    expect(await auditCommand(["--org", "acme", "--format", "csv"], t.value)).toBe(0);
    expect(t.out.join("").split("\n")).toContain("acme/api,org.two-factor,CC6.1,pass,acme requires 2FA,");
    const noToken = io({});
    expect(await auditCommand(["--org", "acme"], noToken.value)).toBe(2);
    expect(noToken.err.join("")).toContain("GITHUB_TOKEN");
  });
});
