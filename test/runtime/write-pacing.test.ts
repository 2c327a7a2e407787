import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Probot, ProbotOctokit } from "probot";
import { isWriteRequest, paceWrites } from "../../src/github/write-pacing.js";

describe("write pacing", () => {
  it.each([
    ["a REST read is not", { method: "GET", url: "/repos/o/r/pulls" }, false],
    ["a check-run create is", { method: "POST", url: "/repos/o/r/check-runs" }, true],
    ["a check-run update is", { method: "PATCH", url: "/repos/o/r/check-runs/1" }, true],
    ["a GraphQL query is not", { method: "POST", url: "/graphql", query: "query($owner: String!) { repository { id } }" }, false],
    ["a GraphQL mutation is", { method: "POST", url: "/graphql", query: " mutation { createCommitOnBranch { commit { oid } } }" }, true],
    ["an installation token is not", { method: "POST", url: "/app/installations/7/access_tokens" }, false],
  ])("%s a write", (_name, options, write) => {
    expect(isWriteRequest(options)).toBe(write);
  });

  it("paces writes per installation, not across installations, and leaves queries alone", async () => {
    const seen: Array<{ installation: string; method: string; path: string; at: number }> = [];
    const fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      const path = new URL(request.url).pathname;
      if (path.endsWith("/access_tokens")) return Response.json({ token: `ghs_${path.split("/")[3]}`, expires_at: "2099-01-01T00:00:00Z" }, { status: 201 });
      seen.push({ installation: (request.headers.get("authorization") ?? "").replace(/.*ghs_/, ""), method: request.method, path, at: performance.now() });
      return Response.json(path === "/graphql" ? { data: {} } : { id: 1 });
    };
    const probot = new Probot({
      appId: 1,
      privateKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      Octokit: paceWrites(ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, request: { ...(o.request as object), fetch } })), 10),
      logLevel: "fatal",
    });
    const [one, two] = await Promise.all([probot.auth(1), probot.auth(2)]);
    // Tokens first: a write waiting for its installation's first token would bunch with the next.
    await Promise.all([one!.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" }), two!.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" })]);
    const writes = (gh: typeof one) => Array.from({ length: 3 }, () => gh.request("POST /repos/{owner}/{repo}/check-runs", { owner: "o", repo: "r", name: "soc2-guard", head_sha: "a".repeat(40) }));
    const queries = (gh: typeof one) => Array.from({ length: 3 }, () => gh.graphql("query { viewer { login } }"));
    await Promise.all([...writes(one!), ...writes(two!), ...queries(one!)]);
    const span = (installation: string) => {
      const at = seen.filter((s) => s.installation === installation && s.path.endsWith("/check-runs")).map((s) => s.at);
      return at.at(-1)! - at[0]!;
    };
    // 10 writes/s: three writes of one installation span 200 ms (less the event-loop delay of the first; unpaced, a few ms)…
    expect(span("1")).toBeGreaterThanOrEqual(150);
    expect(span("2")).toBeGreaterThanOrEqual(150);
    // …while the other installation's writes and the queries do not wait for them.
    const firstOf = (installation: string) => seen.find((s) => s.installation === installation && s.path.endsWith("/check-runs"))!.at;
    expect(Math.abs(firstOf("1") - firstOf("2"))).toBeLessThan(90);
    const graphql = seen.filter((s) => s.path === "/graphql").map((s) => s.at);
    expect(Math.max(...graphql) - Math.min(...graphql)).toBeLessThan(90);
  });
});
