import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { checkCommand, parsePullRef } from "../../src/cli/check.js";
import type { CliIO } from "../../src/cli/io.js";
import { mockEvaluationReads } from "../helpers/github-mock.js";

function captureIO(env: Record<string, string> = {}): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), readStdin: async () => "", env, cwd: process.cwd() };
}

afterEach(() => nock.cleanAll());

describe("soc2-guard check", () => {
  it("parses OWNER/REPO#N and pull request URLs", () => {
    expect(parsePullRef("acme/api#42")).toEqual({ owner: "acme", repo: "api", number: 42 });
    expect(parsePullRef("https://github.com/acme/api.js/pull/7")).toEqual({ owner: "acme", repo: "api.js", number: 7 });
    expect(parsePullRef("acme/api")).toBeNull();
  });

  it("prints the verdict and summary, posts nothing, exits 1 on failure", async () => {
    const scope = nock("https://api.github.com");
    mockEvaluationReads(scope, { owner: "acme", repo: "api", number: 42, commits: [{ sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", author: "dev" }] });
    const io = captureIO({ GITHUB_TOKEN: "t0ken" });
    const code = await checkCommand(["acme/api#42"], io);
    expect(code).toBe(1);
    const text = io.out.join("");
    expect(text).toContain("acme/api#42: failure — 1 blocking problem: review.approval");
    expect(text).toContain("| ❌ | `review.approval` | enforce |");
    expect(text).toMatch(/\(\d requests to GitHub; nothing was posted\)/);
    // No check-run writes were intercepted or attempted.
    expect(scope.pendingMocks().filter((m) => m.includes("check-runs"))).toEqual([]);
  });

  it("talks to GitHub Enterprise with --api-url and prints JSON", async () => {
    // GitHub Enterprise serves REST under /api/v3 and GraphQL at /api/graphql.
    const scope = nock("https://ghe.example.com");
    mockEvaluationReads(scope, { owner: "acme", repo: "api", number: 1, commits: [{ sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", author: "dev" }], reviews: [{ id: 1, login: "rev", state: "APPROVED", commit: "ec26c3e57ca3a959ca5aad62de7213c562f8c821" }], checks: [{ name: "build", status: "COMPLETED", conclusion: "SUCCESS" }] }, { permissions: { rev: "write" }, restPrefix: "/api/v3", graphqlPath: "/api/graphql" });
    const io = captureIO({ GITHUB_TOKEN: "t0ken" });
    const code = await checkCommand(["acme/api#1", "--api-url", "https://ghe.example.com/api/v3", "--format", "json"], io);
    expect(code).toBe(0);
    const json = JSON.parse(io.out.join(""));
    expect(json.conclusion).toBe("success");
    expect(json.results.map((r: { id: string }) => r.id)).toEqual(["review.approval", "ci.passing", "branch.protection", "secrets.diff", "secrets.repository", "change.ticket", "privacy.pii"]);
  });

  it("explains what it needs when the token or reference is missing", async () => {
    const noToken = captureIO();
    expect(await checkCommand(["acme/api#1"], noToken)).toBe(2);
    expect(noToken.err.join("")).toMatch(/GITHUB_TOKEN/);
    const badRef = captureIO({ GITHUB_TOKEN: "x" });
    expect(await checkCommand(["acme"], badRef)).toBe(2);
    expect(badRef.err.join("")).toMatch(/^usage: soc2-guard check/);
  });

  it("reports a GitHub error without a stack trace", async () => {
    nock("https://api.github.com").post("/graphql").reply(401, { message: "Bad credentials" });
    const io = captureIO({ GITHUB_TOKEN: "wrong" });
    expect(await checkCommand(["acme/api#1"], io)).toBe(2);
    expect(io.err.join("")).toBe("soc2-guard check failed: HTTP 401: Bad credentials\n");
  });
});
