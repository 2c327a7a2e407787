// The delivery-log adapter against GitHub's contract (nock + the OpenAPI hook): cursor
// paging of GET /app/hook/deliveries, the stop at the retention window, and the redelivery
// request.

import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { hookDeliveriesSince, requestRedelivery } from "../../src/github/transport/hook-deliveries.js";
import type { GitHubClient } from "../../src/github/transport/client.js";
import { contractViolations } from "../setup/github-contract.js";

const API = "https://api.github.com";
const client = () => new ProbotOctokit({ auth: { token: "jwt" }, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as GitHubClient;
const item = (id: number, guid: string, at: string, status: number) => ({ id, guid, delivered_at: at, redelivery: false, duration: 0.1, status: status === 200 ? "OK" : "Timed out", status_code: status, event: "pull_request", action: "opened", installation_id: 7, repository_id: 9, throttled_at: null });

afterEach(() => nock.cleanAll());

describe("GitHub's delivery log", () => {
  it("follows the cursor from page to page and stops at the first attempt older than the window", async () => {
    const scope = nock(API)
      .get("/app/hook/deliveries")
      .query({ per_page: "100" })
      .reply(200, [item(3, "c", "2026-12-01T10:00:00Z", 200), item(2, "b", "2026-11-30T10:00:00Z", 0)], { link: `<${API}/app/hook/deliveries?per_page=100&cursor=v1_2>; rel="next"` })
      .get("/app/hook/deliveries")
      .query({ per_page: "100", cursor: "v1_2" })
      .reply(200, [item(1, "a", "2026-11-29T10:00:00Z", 0), item(0, "z", "2026-11-20T10:00:00Z", 0)], { link: `<${API}/app/hook/deliveries?per_page=100&cursor=v1_0>; rel="next"` });
    const pages = [];
    for await (const page of hookDeliveriesSince(client(), new Date("2026-11-28T00:00:00Z"))) pages.push(page.map((a) => [a.id, a.guid, a.statusCode]));
    expect(pages).toEqual([[[3, "c", 200], [2, "b", 0]], [[1, "a", 0]]]);
    expect(scope.isDone()).toBe(true); // the third page (older than the window) was never asked for
    expect(contractViolations()).toEqual([]);
  });

  it("asks for a redelivery of one attempt", async () => {
    const scope = nock(API).post("/app/hook/deliveries/12345/attempts").reply(202, {});
    await requestRedelivery(client(), 12345);
    expect(scope.isDone()).toBe(true);
    expect(contractViolations()).toEqual([]);
  });
});
