// Issue 10 item 1: one commit, several pull requests. GitHub shows a commit's check run on
// every open PR whose head it is, so the run passes only if every one of them passes, and
// its summary lists each PR's verdict. A merge group's run stands for every PR in the
// group and is written on the group's commit only.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import nock from "nock";
import { API, createTestApp, mockEvaluationReads, mockInstallationToken, mockMergeQueue, type Scenario } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";
import { lastOn, recordCheckRuns } from "../helpers/check-runs.js";

const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const CI_OK = { name: "build", status: "COMPLETED" as const, conclusion: "SUCCESS" };
const sharing = [{ number: 2, baseRef: "main" }, { number: 3, baseRef: "develop" }];
// #2 into main: unapproved. #3 into develop, same branch, same head: approved.
const intoMain: Scenario = { owner: "Codertocat", repo: "Hello-World", number: 2, baseRef: "main", commits: [{ sha: HEAD, author: "Codertocat" }], sharedHead: sharing, checks: [CI_OK] };
const intoDevelop: Scenario = { ...intoMain, number: 3, baseRef: "develop", reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }] };

beforeEach(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

function reviewOn(number: number) {
  const review = webhookPayload("pull_request_review", "submitted");
  const pr = review.pull_request as { number: number; head: { sha: string } };
  pr.number = number;
  pr.head.sha = HEAD;
  return review;
}

describe("one commit, several pull requests (issue 10 item 1)", () => {
  it("an approved PR into a weaker base does not overwrite the failing run of a PR into main", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, intoMain);
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "opened"));

    // The review on #3 re-evaluates #3 and, because they share the head, #2 as well.
    mockEvaluationReads(scope, intoDevelop, { permissions: { "octo-reviewer": "write" } });
    mockEvaluationReads(scope, intoMain);
    await app.receive("pull_request_review", reviewOn(3));

    const last = lastOn(writes, HEAD)!;
    expect(last.body.conclusion).toBe("failure");
    expect(last.body.output!.title).toBe("1 of 2 pull requests blocked: #2 (1 blocking problem: review.approval)");
    const summary = last.body.output!.summary;
    expect(summary).toContain("Commit `ec26c3e` is the head of 2 open pull requests; this check passes only if every one of them passes.");
    expect(summary).toContain("| ❌ | #2 into `main` | 1 blocking problem: review.approval |");
    expect(summary).toContain("| ✅ | #3 into `develop` | All enforced controls pass (1 advisory warning) |");
    expect(writes.filter((w) => w.sha !== HEAD)).toEqual([]);
  });

  it("passes once every PR sharing the head passes", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    const approvedMain = { ...intoMain, reviews: intoDevelop.reviews };
    mockEvaluationReads(scope, approvedMain, { permissions: { "octo-reviewer": "write" } });
    mockEvaluationReads(scope, intoDevelop, { permissions: { "octo-reviewer": "write" } });
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request_review", reviewOn(2));
    const last = lastOn(writes, HEAD)!;
    expect(last.body.conclusion).toBe("success");
    expect(last.body.output!.title).toBe("All 2 pull requests pass");
  });

  it("a PR sharing the head that cannot be evaluated keeps the run failing", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, intoDevelop, { permissions: { "octo-reviewer": "write" } });
    scope.post("/graphql").reply(502, { message: "Server Error" });
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request_review", reviewOn(3));
    const last = lastOn(writes, HEAD)!;
    expect(last.body.conclusion).toBe("failure");
    expect(last.body.output!.summary).toMatch(/\| ❌ \| #2 \| could not evaluate: GitHub answered HTTP 502 .*evaluation `[0-9a-f-]{36}`/);
  });

  it("a merge group's run stands for every PR in the group and leaves the PRs' runs alone", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    const group = webhookPayload("merge_group", "checks_requested");
    const mg = group.merge_group as { head_sha: string; head_ref: string };
    const groupHead = mg.head_sha;
    const repo = { owner: "octo-org", repo: "octo-repo" };
    const approvedPr = { ...repo, number: 104, checks: [CI_OK], commits: [{ sha: HEAD, author: "Codertocat" }], reviews: [{ id: 81, login: "octo-reviewer", state: "APPROVED" as const, commit: HEAD }] };
    const unapprovedPr = { ...repo, number: 105, commits: [{ sha: "34c5c7793cb3b279e22454cb6750c80560547b3a", author: "Codertocat" }] };
    // #105 is ahead in the queue: the group of #104 (the one its branch names) carries #105's change too.
    mockMergeQueue(scope, [{ number: 105, headSha: "1".repeat(40) }, { number: 104, headSha: groupHead }, { number: 106, headSha: "2".repeat(40) }]);
    mockEvaluationReads(scope, unapprovedPr);
    mockEvaluationReads(scope, approvedPr, { permissions: { "octo-reviewer": "write" } });
    const writes = recordCheckRuns(scope, 555, "octo-org/octo-repo");
    await app.receive("merge_group", group);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((w) => w.sha === groupHead)).toBe(true);
    const last = lastOn(writes, groupHead)!;
    expect(last.body.conclusion).toBe("failure");
    expect(last.body.output!.summary).toContain("This merge group's commit");
    expect(last.body.output!.summary).toContain("| ❌ | #105 into `main` |");
    expect(last.body.output!.summary).toContain("| ✅ | #104 into `main` |");
    // #106 is behind the group: not in its commit, not evaluated.
    expect(last.body.output!.summary).not.toContain("#106");
  });

  it("fails a merge group closed when the queue no longer lists it", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    const group = webhookPayload("merge_group", "checks_requested");
    const groupHead = (group.merge_group as { head_sha: string }).head_sha;
    mockMergeQueue(scope, [{ number: 103, headSha: "3".repeat(40) }]);
    const writes = recordCheckRuns(scope, 555, "octo-org/octo-repo");
    await app.receive("merge_group", group);
    const last = lastOn(writes, groupHead)!;
    expect(last.body.conclusion).toBe("failure");
    expect(last.body.output!.summary).toContain("could not tell which pull requests this merge group holds: the merge queue no longer lists this group");
  });
});
