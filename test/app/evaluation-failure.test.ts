// Issue 10 item 7: a failed evaluation never leaves a stale success. When the facts
// cannot be gathered after retries — after any event, not only a push — the run on the
// current head becomes a failure that says so and names the evaluation.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import nock from "nock";
import { API, createTestApp, mockEvaluationReads, mockInstallationToken, type Scenario } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";
import { lastOn, recordCheckRuns } from "../helpers/check-runs.js";

const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const base: Scenario = { owner: "Codertocat", repo: "Hello-World", number: 2, commits: [{ sha: HEAD, author: "Codertocat" }] };
const approved: Scenario = { ...base, checks: [{ name: "build", status: "COMPLETED", conclusion: "SUCCESS" }], reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }] };

beforeEach(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

/** An approved PR whose run on HEAD is ✅ (run 555). */
async function approvedPullRequest() {
  const app = createTestApp({}, { retries: 2 });
  const scope = mockInstallationToken(nock(API));
  mockEvaluationReads(scope, approved, { permissions: { "octo-reviewer": "write" } });
  const writes = recordCheckRuns(scope);
  await app.receive("pull_request", webhookPayload("pull_request", "opened"));
  expect(lastOn(writes, HEAD)!.body.conclusion).toBe("success");
  return { app, scope, writes };
}

function expectCouldNotEvaluate(write: ReturnType<typeof lastOn>) {
  expect(write!.body).toMatchObject({ status: "completed", conclusion: "failure" });
  expect(write!.body.output!.title).toBe("soc2-guard could not evaluate this commit");
  expect(write!.body.output!.summary).toMatch(/HTTP 502 while soc2-guard gathered the facts \(evaluation `[0-9a-f-]{36}`\), after retries/);
}

describe("a failed evaluation never leaves a stale success (issue 10 item 7)", () => {
  it("dismissing the approval during a GitHub outage turns the ✅ on the head into a failure", async () => {
    const { app, scope, writes } = await approvedPullRequest();
    scope.post("/graphql").times(3).reply(502, { message: "Server Error" });
    scope.get("/repos/Codertocat/Hello-World/pulls/2").reply(502, { message: "Server Error" }).get("/repos/Codertocat/Hello-World/pulls/2").times(2).optionally().reply(502, { message: "Server Error" });
    const dismissed = webhookPayload("pull_request_review", "dismissed");
    (dismissed.pull_request as { head: { sha: string } }).head.sha = HEAD;
    await expect(app.receive("pull_request_review", dismissed)).rejects.toThrow();
    const last = lastOn(writes, HEAD)!;
    expect(last).toMatchObject({ method: "PATCH", id: 555 });
    expectCouldNotEvaluate(last);
  });

  it("fails the run on the PR's current head, not only the commit the event named", async () => {
    const { app, scope, writes } = await approvedPullRequest();
    const NEWER = "2f0a0e4c1b8d7a6f5e4d3c2b1a09f8e7d6c5b4a3";
    scope.post("/graphql").times(3).reply(502, { message: "Server Error" });
    // The pull request's REST answer still works and names a newer head.
    const pr = webhookPayload("pull_request", "opened").pull_request as Record<string, unknown> & { head: { sha: string } };
    pr.head.sha = NEWER;
    scope.get("/repos/Codertocat/Hello-World/pulls/2").reply(200, pr);
    const edited: Record<string, unknown> = { ...webhookPayload("pull_request", "labeled"), action: "edited" };
    (edited.pull_request as { head: { sha: string } }).head.sha = HEAD;
    await expect(app.receive("pull_request", edited)).rejects.toThrow();
    expectCouldNotEvaluate(lastOn(writes, HEAD));
    expectCouldNotEvaluate(lastOn(writes, NEWER));
  });

  it("a check suite completing during an outage fails the run instead of leaving it", async () => {
    const { app, scope, writes } = await approvedPullRequest();
    scope.post("/graphql").times(3).reply(502, { message: "Server Error" });
    scope.get("/repos/Codertocat/Hello-World/pulls/2").times(3).reply(502, { message: "Server Error" });
    const suite = webhookPayload("check_suite", "completed");
    const cs = suite.check_suite as { head_sha: string; pull_requests: Array<{ number: number; head: { sha: string } }> };
    cs.head_sha = HEAD;
    cs.pull_requests[0]!.number = 2;
    cs.pull_requests[0]!.head.sha = HEAD;
    await expect(app.receive("check_suite", suite)).rejects.toThrow();
    expectCouldNotEvaluate(lastOn(writes, HEAD));
  });

  it("a control that throws fails the run rather than leaving the last verdict", async () => {
    const exploding = { id: "change.ticket" as const, criteria: ["CC8.1"], title: "boom", evaluate: () => { throw new Error("control bug"); } };
    const app = createTestApp({ controls: [exploding] });
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, approved, { permissions: { "octo-reviewer": "write" } });
    const writes = recordCheckRuns(scope);
    const review = webhookPayload("pull_request_review", "submitted");
    (review.pull_request as { head: { sha: string } }).head.sha = HEAD;
    await expect(app.receive("pull_request_review", review)).rejects.toThrow(/control bug/);
    const last = lastOn(writes, HEAD)!;
    expect(last.body).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(last.body.output!.title).toBe("soc2-guard could not evaluate this commit");
    expect(last.body.output!.summary).toMatch(/evaluation `[0-9a-f-]{36}`/);
  });
});
