import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Probot, ProbotOctokit } from "probot";
import { isWriteRequest, LocalWriteSlots, paceWrites } from "../../src/github/transport/write-pacing.js";

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

  it("gives one installation's writes slots an interval apart, and another installation its own", async () => {
    const slots = new LocalWriteSlots(100);
    const started = performance.now();
    const at: Record<string, number[]> = { "1": [], "2": [] };
    await Promise.all(["1", "1", "1", "2", "2"].map(async (key) => {
      await slots.wait(key);
      at[key]!.push(performance.now() - started);
    }));
    expect(at["1"]![2]!).toBeGreaterThanOrEqual(199); // timers never fire early
    expect(at["2"]![1]!).toBeGreaterThanOrEqual(99);
    expect(at["2"]![0]!).toBeLessThan(at["1"]![1]!); // installation 2 did not queue behind 1
  });

  it("sends each installation's writes — and only writes — through its installation's slots", async () => {
    const waited: string[] = [];
    const slots = { wait: async (key: string) => void waited.push(key) };
    const fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      const path = new URL(request.url).pathname;
      if (path.endsWith("/access_tokens")) return Response.json({ token: `ghs_${path.split("/")[3]}`, expires_at: "2099-01-01T00:00:00Z" }, { status: 201 });
      return Response.json(path === "/graphql" ? { data: {} } : { id: 1 });
    };
    const probot = new Probot({
      appId: 1,
      privateKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      Octokit: paceWrites(ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, request: { ...(o.request as object), fetch } })), 10, slots),
      logLevel: "fatal",
    });
    const [one, two] = await Promise.all([probot.auth(1), probot.auth(2)]);
    const write = (gh: typeof one) => gh!.request("POST /repos/{owner}/{repo}/check-runs", { owner: "o", repo: "r", name: "soc2-guard", head_sha: "a".repeat(40) });
    await Promise.all([write(one), write(one), write(two), one!.graphql("query { viewer { login } }"), two!.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" })]);
    expect(waited.sort()).toEqual(["1", "1", "2"]);
  });
});
