// Bench: a scripted pull-request lifecycle through the real app (Probot + handlers),
// with GitHub answered in-process by a fake fetch (ETags honoured, 304s free) so the
// figures are the app's own: counted requests per event and handler CPU per event.

import { generateKeyPairSync } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../src/app.js";
import { createServices, MemoryCheckRunStore } from "../src/triggers/services.js";
import { factsResponse, type Scenario } from "../test/helpers/github-mock.js";
import { webhookPayload } from "../test/helpers/payload.js";

export interface PullRequestBench {
  requestsPerEvent: { median: number; p95: number; max: number };
  handlerMs: { median: number; p95: number };
  rows: Array<{ event: string; requests: number; notModified: number; cpuMs: number }>;
}

const ROUNDS = 5;
const OWNER = "Codertocat";
const REPO = "Hello-World";
const HEAD1 = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const HEAD2 = "b7e1b1d2c3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8";

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export async function benchPullRequest(): Promise<PullRequestBench> {
  let scenario: Scenario = { owner: OWNER, repo: REPO, number: 2, commits: [{ sha: HEAD1, author: "Codertocat" }], checks: [{ name: "build", status: "IN_PROGRESS" }], repoConfig: "controls:\n  ci.passing: { checks: [build] }\n" };
  let checkRunId = 0;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(status === 304 ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
  const etagged = (request: Request, etag: string, body: unknown) => (request.headers.get("if-none-match") === etag ? json(304, null, { etag }) : json(200, body, { etag }));

  // CPU spent playing GitHub is network time, not handler time: measured and subtracted.
  let fakeGitHubMicros = 0;
  const fakeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const started = process.cpuUsage();
    try {
      return await answer(new Request(input, init));
    } finally {
      const used = process.cpuUsage(started);
      fakeGitHubMicros += used.user + used.system;
    }
  };
  const answer = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname;
    if (request.method === "POST" && path.endsWith("/access_tokens")) return json(201, { token: "ghs_bench", expires_at: "2099-01-01T00:00:00Z" });
    if (request.method === "POST" && path === "/graphql") return json(200, factsResponse(scenario));
    if (path.endsWith("/rules/branches/main")) return etagged(request, '"rules"', []);
    if (path === "/repos/Codertocat/Hello-World") return etagged(request, '"repo"', { id: 1, name: REPO, full_name: `${OWNER}/${REPO}`, security_and_analysis: { secret_scanning: { status: "enabled" }, secret_scanning_push_protection: { status: "enabled" } } });
    if (path.endsWith("/secret-scanning/alerts")) return etagged(request, '"alerts"', []);
    if (path.includes("/collaborators/")) return etagged(request, '"perm"', { permission: "write", role_name: "write", user: { login: "reviewer" } });
    if (path.endsWith("/pulls/2/files")) {
      const head = scenario.commits[scenario.commits.length - 1]!.sha;
      return etagged(request, `"files-${head}"`, [{ sha: "0".repeat(40), filename: "README.md", status: "modified", additions: 1, deletions: 0, changes: 1, patch: "@@ -1 +1,2 @@\n Hello\n+World" }]);
    }
    if (request.method === "POST" && path.endsWith("/check-runs")) return json(201, { id: ++checkRunId });
    if (request.method === "PATCH" && path.includes("/check-runs/")) return json(200, { id: checkRunId });
    return json(404, { message: `bench fake GitHub has no ${request.method} ${path}` });
  };

  const services = createServices({ appSlug: async () => "soc2-guard", fingerprintKey: new Uint8Array(32) });
  const probot = new Probot({
    appId: 1,
    privateKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      retry: { enabled: false },
      throttle: { ...(o.throttle as object), enabled: false },
      request: { ...(o.request as object), fetch: fakeFetch },
    })),
    logLevel: "fatal",
  });
  await probot.load(createApp({ services, background: false }));

  const withHead = (payload: Record<string, unknown>, sha: string) => {
    (payload.pull_request as { head: { sha: string } }).head.sha = sha;
    return payload;
  };
  const suiteFor = (sha: string) => {
    const p = webhookPayload("check_suite", "completed");
    const cs = p.check_suite as { head_sha: string; pull_requests: Array<{ number: number; head: { sha: string } }> };
    cs.head_sha = sha;
    cs.pull_requests[0]!.number = 2;
    cs.pull_requests[0]!.head.sha = sha;
    return p;
  };
  const approve = (sha: string) => ({ id: 80, login: "octo-reviewer", state: "APPROVED" as const, commit: sha });
  const rerun = () => {
    const p: Record<string, unknown> = { ...webhookPayload("check_run", "rerequested"), repository: webhookPayload("pull_request", "opened").repository };
    const cr = p.check_run as { app: { slug: string }; head_sha: string; pull_requests: unknown[] };
    cr.app.slug = "soc2-guard";
    cr.head_sha = HEAD2;
    cr.pull_requests = [{ number: 2, head: { sha: HEAD2 }, base: { repo: { name: (p.repository as { name: string }).name } } }];
    return p;
  };

  const steps: Array<{ event: string; name: string; payload: () => Record<string, unknown>; before?: () => void }> = [
    { event: "pull_request.opened", name: "pull_request", payload: () => withHead(webhookPayload("pull_request", "opened"), HEAD1) },
    { event: "check_suite.completed (build ok)", name: "check_suite", payload: () => suiteFor(HEAD1), before: () => (scenario = { ...scenario, checks: [{ name: "build", status: "COMPLETED", conclusion: "SUCCESS" }] }) },
    { event: "pull_request_review.submitted (approve)", name: "pull_request_review", payload: () => webhookPayload("pull_request_review", "submitted"), before: () => (scenario = { ...scenario, reviews: [approve(HEAD1)] }) },
    {
      event: "pull_request.synchronize (push)",
      name: "pull_request",
      payload: () => withHead(webhookPayload("pull_request", "synchronize"), HEAD2),
      before: () => (scenario = { ...scenario, commits: [...scenario.commits, { sha: HEAD2, author: "Codertocat" }], checks: [{ name: "build", status: "IN_PROGRESS" }] }),
    },
    { event: "check_suite.completed (build ok)", name: "check_suite", payload: () => suiteFor(HEAD2), before: () => (scenario = { ...scenario, checks: [{ name: "build", status: "COMPLETED", conclusion: "SUCCESS" }] }) },
    { event: "pull_request_review.submitted (re-approve)", name: "pull_request_review", payload: () => webhookPayload("pull_request_review", "submitted"), before: () => (scenario = { ...scenario, reviews: [approve(HEAD1), approve(HEAD2)] }) },
    { event: "pull_request.labeled", name: "pull_request", payload: () => withHead(webhookPayload("pull_request", "labeled"), HEAD2) },
    { event: "check_run.rerequested", name: "check_run", payload: rerun },
    {
      event: "pull_request.edited",
      name: "pull_request",
      payload: () => ({ ...withHead(webhookPayload("pull_request", "labeled"), HEAD2), action: "edited" }),
    },
  ];

  const rows: PullRequestBench["rows"] = [];
  const all: PullRequestBench["rows"] = [];
  // Warm up once so JIT and the installation token do not count against the first event.
  await probot.receive({ id: "warm", name: "pull_request", payload: { installation: { id: 1 }, ...withHead(webhookPayload("pull_request", "opened"), HEAD1) } as never });
  services.knownCheckRuns = new MemoryCheckRunStore();
  const initial = scenario;
  for (let round = 0; round < ROUNDS; round++) {
  scenario = initial;
  services.knownCheckRuns = new MemoryCheckRunStore();
  for (const step of steps) {
    step.before?.();
    const before = { ...services.counter.snapshot() };
    fakeGitHubMicros = 0;
    const cpu = process.cpuUsage();
    await probot.receive({ id: `bench-${rows.length}`, name: step.name as never, payload: { installation: { id: 1 }, ...step.payload() } as never });
    const used = process.cpuUsage(cpu);
    const after = services.counter.snapshot();
    const row = { event: step.event, requests: after.counted - before.counted, notModified: after.notModified - before.notModified, cpuMs: Number(((used.user + used.system - fakeGitHubMicros) / 1000).toFixed(2)) };
    all.push(row);
    if (round === ROUNDS - 1) rows.push(row);
  }
  }
  // Medians over every round: the first round also pays for cold caches, as a new server would.
  const requests = all.map((r) => r.requests);
  const cpu = all.map((r) => r.cpuMs);
  return {
    requestsPerEvent: { median: percentile(requests, 50), p95: percentile(requests, 95), max: Math.max(...requests) },
    handlerMs: { median: Number(percentile(cpu, 50).toFixed(2)), p95: Number(percentile(cpu, 95).toFixed(2)) },
    rows,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchPullRequest();
  console.table(result.rows);
  console.log(JSON.stringify({ requestsPerEvent: result.requestsPerEvent, handlerMs: result.handlerMs }));
}
