import { afterEach, beforeEach, describe, expect, it } from "vitest";
import nock from "nock";
import { API, APP_SLUG, createTestApp, mockEvaluationReads, mockInstallationToken, type Scenario, mockMergeQueue } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";

const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const OLDER = "34c5c7793cb3b279e22454cb6750c80560547b3a";
const base: Scenario = { owner: "Codertocat", repo: "Hello-World", number: 2, commits: [{ sha: HEAD, author: "Codertocat" }] };

interface CheckRunBody {
  name?: string;
  head_sha?: string;
  status?: string;
  conclusion?: string;
  output?: { title: string; summary: string; annotations?: Array<{ path: string; start_line: number; annotation_level: string; message: string }> };
}

/** Records every check-run write the app makes. */
function recordCheckRuns(scope: nock.Scope, firstId = 555, repo = "Codertocat/Hello-World") {
  const writes: Array<{ method: "POST" | "PATCH"; id: number; body: CheckRunBody }> = [];
  let nextId = firstId;
  scope
    .post(`/repos/${repo}/check-runs`)
    .times(20)
    .optionally()
    .reply(201, (_uri, body) => {
      const id = nextId++;
      writes.push({ method: "POST", id, body: body as CheckRunBody });
      return { id, head_sha: (body as CheckRunBody).head_sha, name: "soc2-guard" };
    });
  scope
    .patch(new RegExp(`/repos/${repo}/check-runs/\\d+$`))
    .times(20)
    .optionally()
    .reply(200, (uri, body) => {
      const id = Number(uri.split("/").pop());
      writes.push({ method: "PATCH", id, body: body as CheckRunBody });
      return { id, name: "soc2-guard" };
    });
  return writes;
}

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

describe("pull request gate", () => {
  it("creates the check in progress when the evaluation is slow, then fails an unapproved PR with the fix", async () => {
    const app = createTestApp({ inProgressAfterMs: 0 });
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, base);
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "opened"));

    expect(writes.map((w) => [w.method, w.body.status])).toEqual([
      ["POST", "in_progress"],
      ["PATCH", "completed"],
    ]);
    expect(writes[0]!.body).toMatchObject({ name: "soc2-guard", head_sha: HEAD });
    const done = writes[1]!.body;
    expect(done.conclusion).toBe("failure");
    expect(done.output!.title).toBe("1 blocking problem: review.approval");
    expect(done.output!.summary).toContain("Ask 1 more reviewer with write access who did not author or push to this PR to approve ec26c3e");
    expect(scope.pendingMocks().filter((m) => !m.includes("access_tokens") && !m.includes("/files"))).toEqual([]);
  });

  it("passes once an independent reviewer approves, updating the same check run", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, base);
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "opened"));

    const approved: Scenario = {
      ...base,
      reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }],
      checks: [{ name: "soc2-guard", app: APP_SLUG, status: "COMPLETED", conclusion: "FAILURE", id: 555 }, { name: "build", status: "COMPLETED", conclusion: "SUCCESS" }],
    };
    mockEvaluationReads(scope, approved, { permissions: { "octo-reviewer": "write" } });
    await app.receive("pull_request_review", webhookPayload("pull_request_review", "submitted"));

    expect(writes.filter((w) => w.method === "POST")).toHaveLength(1);
    const last = writes[writes.length - 1]!;
    expect(last).toMatchObject({ method: "PATCH", id: 555 });
    expect(last.body.conclusion).toBe("success");
    expect(last.body.output!.summary).toContain("| ✅ | `review.approval` | enforce | 1 independent approval on the head commit (@octo-reviewer; 1 required)");
  });

  it("does not count an approval on an older commit after a push", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    const pushed: Scenario = {
      ...base,
      commits: [{ sha: OLDER, author: "Codertocat" }, { sha: HEAD, author: "Codertocat" }],
      reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: OLDER }],
    };
    mockEvaluationReads(scope, pushed, { permissions: { "octo-reviewer": "write" } });
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "synchronize"));
    const done = writes[writes.length - 1]!.body;
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("@octo-reviewer's approval does not count: approved 34c5c77; 1 commit pushed since (ec26c3e)");
  });

  it("goes pending → in progress → success as CI completes", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    const config = "controls:\n  ci.passing: { checks: [build] }\n";
    const approved = { ...base, repoConfig: config, reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED" as const, commit: HEAD }] };
    mockEvaluationReads(scope, { ...approved, checks: [{ name: "build", status: "IN_PROGRESS" }] }, { permissions: { "octo-reviewer": "write" } });
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "opened"));
    expect(writes[writes.length - 1]!.body).toMatchObject({ status: "in_progress" });
    expect(writes[writes.length - 1]!.body.output!.title).toBe("Waiting for ci.passing");

    mockEvaluationReads(scope, { ...approved, checks: [{ name: "build", status: "COMPLETED", conclusion: "SUCCESS" }] }, { permissions: { "octo-reviewer": "write" } });
    const suite = webhookPayload("check_suite", "completed");
    (suite.check_suite as Record<string, unknown>).head_sha = HEAD;
    ((suite.check_suite as { pull_requests: Array<{ number: number; head: { sha: string } }> }).pull_requests[0]!).number = 2;
    ((suite.check_suite as { pull_requests: Array<{ number: number; head: { sha: string } }> }).pull_requests[0]!).head.sha = HEAD;
    await app.receive("check_suite", suite);
    const last = writes[writes.length - 1]!;
    expect(last.body).toMatchObject({ status: "completed", conclusion: "success" });
    expect(writes.filter((w) => w.method === "POST")).toHaveLength(1);
  });

  it("finds a fork PR for a completed check suite through the API", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    const suite = webhookPayload("check_suite", "completed");
    const cs = suite.check_suite as Record<string, unknown>;
    cs.head_sha = HEAD;
    cs.pull_requests = []; // GitHub sends none for fork PRs
    scope.get(`/repos/Codertocat/Hello-World/commits/${HEAD}/pulls`).query(true).reply(200, []);
    scope
      .get("/search/issues")
      .query((q) => String(q.q).includes(`sha:${HEAD}`))
      .reply(200, { total_count: 1, incomplete_results: false, items: [{ number: 2 }] });
    mockEvaluationReads(scope, { ...base, isFork: true });
    const writes = recordCheckRuns(scope);
    await app.receive("check_suite", suite);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.body).toMatchObject({ head_sha: HEAD, conclusion: "failure" });
  });

  it("ignores its own check run completing", async () => {
    const app = createTestApp();
    const scope = nock(API);
    const run = webhookPayload("check_run", "completed");
    (run.check_run as { app: { slug: string } }).app.slug = APP_SLUG;
    await app.receive("check_run", run);
    expect(scope.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("creates the check run already completed, in one write, when the evaluation is quick", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, base);
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "opened"));
    expect(writes.map((w) => [w.method, w.body.status, w.body.conclusion])).toEqual([["POST", "completed", "failure"]]);
    expect(writes[0]!.body).toMatchObject({ name: "soc2-guard", head_sha: HEAD });
  });

  it("does not rewrite a check run whose verdict did not change", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, base);
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "opened"));
    mockEvaluationReads(scope, base);
    await app.receive("pull_request", { ...webhookPayload("pull_request", "labeled"), action: "edited" });
    expect(writes.map((w) => w.method)).toEqual(["POST"]);
  });

  it("re-evaluates on a re-run request with a fresh check run", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    const rerun = webhookPayload("check_run", "rerequested");
    const cr = rerun.check_run as Record<string, unknown> & { app: { slug: string }; pull_requests: Array<{ number: number; head: { sha: string } }> };
    cr.app.slug = APP_SLUG;
    cr.head_sha = HEAD;
    cr.pull_requests = [{ number: 2, head: { sha: HEAD }, base: { repo: { name: "hello-world" } } } as never];
    mockEvaluationReads(scope, { ...base, owner: "github", repo: "hello-world" });
    const writes = recordCheckRuns(scope, 555, "github/hello-world");
    await app.receive("check_run", rerun);
    expect(writes.map((w) => [w.method, w.body.status ?? w.body.conclusion])).toEqual([["POST", "completed"]]);
  });

  it("reports a merge group's verdict on the group's head commit", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    const group = webhookPayload("merge_group", "checks_requested");
    const groupHead = (group.merge_group as { head_sha: string }).head_sha;
    const scenario = { ...base, owner: "octo-org", repo: "octo-repo", number: 104, reviews: [{ id: 81, login: "octo-reviewer", state: "APPROVED" as const, commit: HEAD }], checks: [{ name: "build", status: "COMPLETED" as const, conclusion: "SUCCESS" }] };
    mockMergeQueue(scope, [{ number: 104, headSha: groupHead }]);
    mockEvaluationReads(scope, scenario, { permissions: { "octo-reviewer": "write" } });
    const writes = recordCheckRuns(scope, 555, "octo-org/octo-repo");
    await app.receive("merge_group", group);
    expect(writes[0]!.body).toMatchObject({ head_sha: groupHead });
    expect(writes[writes.length - 1]!.body).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("fails the check with the file and line when the config is invalid", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, { ...base, repoConfig: "controls:\n  review.approval:\n    approvals: lots\n" });
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "opened"));
    const done = writes[writes.length - 1]!.body;
    expect(done.conclusion).toBe("failure");
    expect(done.output!.annotations).toEqual([
      expect.objectContaining({ path: ".github/soc2-guard.yml", start_line: 3, annotation_level: "failure", message: expect.stringContaining("controls.review.approval.approvals: must be integer") }),
    ]);
    expect(done.output!.summary).toContain("`Codertocat/Hello-World` `.github/soc2-guard.yml` line 3");
  });

  it("retries a GitHub 502 and then fails the check clearly — never a silent pass", async () => {
    const app = createTestApp({}, { retries: 2 });
    const scope = mockInstallationToken(nock(API));
    scope.post("/graphql").times(3).reply(502, { message: "Server Error" });
    const writes = recordCheckRuns(scope);
    await expect(app.receive("pull_request", webhookPayload("pull_request", "opened"))).rejects.toThrow();
    expect(scope.pendingMocks().filter((m) => m.includes("graphql"))).toEqual([]);
    const last = writes[writes.length - 1]!.body;
    expect(last).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(last.output!.title).toBe("soc2-guard could not evaluate this commit");
    expect(last.output!.summary).toContain("HTTP 502");
  });

  it("logs and skips an unexpected payload without calling GitHub", async () => {
    const app = createTestApp();
    const payload = webhookPayload("pull_request", "opened");
    delete (payload.pull_request as Record<string, unknown>).head;
    await app.receive("pull_request", payload);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("spends few counted requests per event and none for unchanged rules and permissions", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    const approved: Scenario = { ...base, reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }] };
    mockEvaluationReads(scope, approved, { permissions: { "octo-reviewer": "write" } });
    recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "opened"));
    const first = app.services.counter.counted;

    // Second event: rules and permission answer 304 (free).
    scope.post("/graphql").reply(200, (await import("../helpers/github-mock.js")).factsResponse(approved));
    scope.get("/repos/Codertocat/Hello-World/rules/branches/main").query(true).matchHeader("if-none-match", '"rules-v1"').reply(304);
    scope.get("/repos/Codertocat/Hello-World/collaborators/octo-reviewer/permission").matchHeader("if-none-match", '"perm-octo-reviewer-write"').reply(304);
    scope.get("/repos/Codertocat/Hello-World/pulls/2/files").query(true).matchHeader("if-none-match", '"files-v1"').reply(304);
    scope.get("/repos/Codertocat/Hello-World").matchHeader("if-none-match", '"repo-v1"').reply(304);
    scope.get("/repos/Codertocat/Hello-World/secret-scanning/alerts").query(true).matchHeader("if-none-match", '"alerts-v1"').reply(304);
    await app.receive("pull_request", { ...webhookPayload("pull_request", "labeled"), action: "edited" });
    const second = app.services.counter.counted - first;
    expect(second).toBe(1); // the facts query; the unchanged verdict is not rewritten
    expect(app.services.counter.notModified).toBe(5);
  });
});
