import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { installSecondaryRateLimitRetry } from "../../src/github/transport/secondary-rate-limit.js";
import type { GitHubClient } from "../../src/github/transport/client.js";

const client = () => new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as GitHubClient;

afterEach(() => nock.cleanAll());

describe("secondary rate limits", () => {
  it("waits for retry-after and retries", async () => {
    const waits: number[] = [];
    const gh = client();
    installSecondaryRateLimitRetry(gh, { sleep: async (ms) => void waits.push(ms) });
    nock("https://api.github.com")
      .get("/repos/acme/api").reply(403, { message: "You have exceeded a secondary rate limit." }, { "retry-after": "2" })
      .get("/repos/acme/api").reply(429, { message: "Too many requests" }, { "retry-after": "1" })
      .get("/repos/acme/api").reply(200, { id: 1, name: "api" });
    const { data } = await gh.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "api" });
    expect(data.name).toBe("api");
    expect(waits.map((w) => Math.floor(w / 1000))).toEqual([2, 1]);
  });

  it("does not retry an ordinary 403", async () => {
    const gh = client();
    installSecondaryRateLimitRetry(gh, { sleep: async () => {} });
    nock("https://api.github.com").get("/repos/acme/api").reply(403, { message: "Resource not accessible by integration" });
    await expect(gh.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "api" })).rejects.toMatchObject({ status: 403 });
  });
});
