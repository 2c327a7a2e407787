import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { GitHubIssueSink } from "../../src/github/evidence/evidence-issues.js";
import { directPushIssue } from "../../src/evidence/issue-bodies.js";
import { buildDirectPushRecord } from "../../src/evidence/record.js";
import type { GitHubClient } from "../../src/github/transport/client.js";

const API = "https://api.github.com";
const client = () => new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as GitHubClient;
const AFTER = "4".repeat(40);
const record = buildDirectPushRecord({
  push: { repository: "acme/api", ref: "refs/heads/main", before: "3".repeat(40), after: AFTER, forced: true, pusher: "mallory", commits: [{ id: AFTER, message: "hotfix | skip CI\n\nlong body", author: { username: "mallory" } }] },
  branchRules: null,
  configHash: "c".repeat(64),
  meta: { deliveryId: "delivery-1", appVersion: "0.1.0", collectedAt: "2026-11-02T12:00:00.000Z" },
});

afterEach(() => nock.cleanAll());

describe("direct-push justification issue in the archive repository", () => {
  it("opens one labelled issue per push and finds it again instead of opening a second", async () => {
    const sink = () => new GitHubIssueSink(client(), "acme", "compliance-evidence", async () => "soc2-guard[bot]");
    let created: { title: string; body: string; labels: string[] } | null = null;
    const scope = nock(API);
    scope.get("/repos/acme/compliance-evidence/issues").query({ state: "all", per_page: "100", labels: "soc2-guard:direct-push" }).reply(200, []);
    scope.post("/repos/acme/compliance-evidence/issues", (body) => ((created = body), true)).reply(201, { number: 7, html_url: "https://github.com/acme/compliance-evidence/issues/7" });
    const { url } = await sink().open(directPushIssue(record));
    expect(url).toBe("https://github.com/acme/compliance-evidence/issues/7");
    expect(created!.labels).toEqual(["soc2-guard:direct-push"]);
    expect(created!.title).toBe(`Unreviewed change: acme/api@4444444 pushed to main by mallory`);
    expect(created!.body).toContain("with a **force push**");
    expect(created!.body).toContain("| `4444444` | mallory | hotfix \\| skip CI |");
    expect(created!.body).toContain(`<!-- soc2-guard:key=acme/api@${AFTER} -->`);

    // Redelivered (another process, nothing in memory): the marker finds the issue; no POST.
    scope
      .get("/repos/acme/compliance-evidence/issues")
      .query({ state: "all", per_page: "100", labels: "soc2-guard:direct-push" })
      .reply(200, [{ number: 7, html_url: "https://github.com/acme/compliance-evidence/issues/7", title: created!.title, body: created!.body, state: "open", user: { login: "soc2-guard[bot]", type: "Bot" } }]);
    expect((await sink().open(directPushIssue(record))).url).toBe("https://github.com/acme/compliance-evidence/issues/7");
    expect(scope.isDone()).toBe(true);
  });
});
