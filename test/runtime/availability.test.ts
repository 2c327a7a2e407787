// The embedded runtime end to end over HTTP (no Redis): the ingress answers 202 from the
// queue, a restart resumes accepted work, and deliveries GitHub failed to make while the
// app was down are asked for again — once per failed attempt, never for one already
// queued. Every request the app sends the sandbox is checked against GitHub's contract.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FULL, GitHubSandbox, seedOrganization, settle, startAppServer, type RunningApp } from "../../src/sandbox/index.js";
import { registerGitHubBase } from "../setup/github-contract.js";

const dirs: string[] = [];
const running: Array<{ stop: () => Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), "soc2-guard-avail-"));
  dirs.push(dir);
  const sandbox = await new GitHubSandbox().start();
  running.push(sandbox);
  registerGitHubBase(sandbox.apiUrl, sandbox.graphqlUrl);
  seedOrganization(sandbox);
  const options = { archiveDir: join(dir, "archive"), spoolDir: join(dir, "spool"), stateDir: join(dir, "state"), retryBaseMs: 5, jobRetryBaseMs: 20 };
  return { sandbox, options };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Moves every attempt in GitHub's log a minute into the past: old enough for a recovery pass to judge. */
const age = (sandbox: GitHubSandbox) => {
  for (const a of sandbox.hookAttempts) a.deliveredAt = new Date(Date.parse(a.deliveredAt) - 60_000).toISOString();
};
const ownRuns = (sandbox: GitHubSandbox, sha: string) => sandbox.state.mustRepo(FULL).checkRuns.filter((r) => r.app.slug === "soc2-guard" && r.headSha === sha);

describe("the embedded runtime", () => {
  it("answers a signed delivery 202 from the queue and works it there; the same id again is not worked twice", async () => {
    const { sandbox, options } = await setup();
    const app = await startAppServer(sandbox, options);
    running.push(app);
    const s = sandbox.state;
    s.createBranch(FULL, "f");
    const head = s.commit(FULL, "f", { files: { "a.ts": "1\n" }, message: "PAY-1 a", author: "alice" });
    s.openPullRequest(FULL, { title: "PAY-1 a", author: "alice", head: "f" });
    await settle(sandbox, app);
    const opened = sandbox.deliveries.find((d) => d.event === "pull_request" && d.action === "opened")!;
    expect(opened.status).toBe(202);
    expect(ownRuns(sandbox, head)).toHaveLength(1);
    const before = sandbox.requests.length;
    const again = await sandbox.send("pull_request", sandbox.hookAttempts.find((a) => a.guid === opened.id)!.payload, { id: opened.id });
    await settle(sandbox, app);
    expect(again.status).toBe(202);
    expect(sandbox.requests.length).toBe(before);
    const metrics = await (await fetch(app.webhookUrl.replace("/api/github/webhooks", "/metrics"))).text();
    expect(metrics).toMatch(/soc2_guard_deliveries_duplicate_total\{event="pull_request"\} 1/);
    expect(metrics).toMatch(/soc2_guard_event_to_check_run_seconds_count \d+/);
  });

  it("resumes after a restart the work it accepted before it stopped", async () => {
    const { sandbox, options } = await setup();
    const first = await startAppServer(sandbox, options);
    // GitHub is down: every API answer fails, so the accepted job waits in its retries.
    sandbox.faults.add({ kind: "error", path: /^\/(?!app\b)/, rate: 1, status: 502 });
    const s = sandbox.state;
    s.createBranch(FULL, "g");
    const head = s.commit(FULL, "g", { files: { "b.ts": "2\n" }, message: "PAY-2 b", author: "alice" });
    s.openPullRequest(FULL, { title: "PAY-2 b", author: "alice", head: "g" });
    await sandbox.idle();
    expect(sandbox.deliveries.every((d) => d.status === 202)).toBe(true);
    await first.kill(0); // a deploy: the process goes away with the job unfinished
    sandbox.faults.clear();
    expect(ownRuns(sandbox, head)).toHaveLength(0);

    const second = await startAppServer(sandbox, options);
    running.push(second);
    await settle(sandbox, second);
    expect(ownRuns(sandbox, head).at(-1)?.status).toBe("completed");
  });

  it("asks GitHub to redeliver what failed while it was down, once per delivery, never one it already has", async () => {
    const { sandbox, options } = await setup();
    const s = sandbox.state;
    const first = await startAppServer(sandbox, options);
    s.createBranch(FULL, "known");
    s.openPullRequest(FULL, { title: "PAY-3 known", author: "alice", head: "known" });
    await settle(sandbox, first);
    const known = sandbox.hookAttempts.at(-1)!;
    await first.kill(0);
    // GitHub saw a timeout on a delivery the app had in fact queued: not to be asked for again.
    sandbox.hookAttempts.push({ ...known, id: sandbox.hookAttempts.length + 1, statusCode: 0, deliveredAt: new Date(Date.now() - 60_000).toISOString() });

    // While the app is down, GitHub's deliveries fail (connection refused).
    s.createBranch(FULL, "down");
    const head = s.commit(FULL, "down", { files: { "c.ts": "3\n" }, message: "PAY-4 c", author: "alice" });
    s.openPullRequest(FULL, { title: "PAY-4 c", author: "alice", head: "down" });
    await sandbox.idle();
    const missed = sandbox.hookAttempts.filter((a) => a.statusCode === 0 && a.guid !== known.guid);
    expect(missed.length).toBeGreaterThan(0);
    // Old enough for the recovery pass to judge them.
    for (const a of sandbox.hookAttempts) a.deliveredAt = new Date(Date.parse(a.deliveredAt) - 60_000).toISOString();

    const second: RunningApp = await startAppServer(sandbox, { ...options, recoverySeconds: 1 });
    running.push(second);
    const deadline = Date.now() + 10_000;
    while (ownRuns(sandbox, head).at(-1)?.status !== "completed" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1_500)); // a second recovery pass
    await settle(sandbox, second);
    expect(ownRuns(sandbox, head).at(-1)?.status).toBe("completed");
    expect([...sandbox.redeliveryRequests].sort()).toEqual(missed.map((a) => a.guid).sort());
    expect(sandbox.redeliveryRequests).not.toContain(known.guid);
  });

  it("runs the recovery at start by default, as production does", async () => {
    const { sandbox, options } = await setup();
    const s = sandbox.state;
    // GitHub delivered while no app listened (a fresh install, a long outage).
    sandbox.setWebhookUrl("http://127.0.0.1:9/api/github/webhooks");
    s.createBranch(FULL, "early");
    const head = s.commit(FULL, "early", { files: { "d.ts": "4\n" }, message: "PAY-5 d", author: "alice" });
    s.openPullRequest(FULL, { title: "PAY-5 d", author: "alice", head: "early" });
    await sandbox.idle();
    const missed = [...new Set(sandbox.hookAttempts.filter((a) => a.statusCode === 0).map((a) => a.guid))];
    expect(missed.length).toBeGreaterThan(0);
    age(sandbox);

    const app = await startAppServer(sandbox, options);
    running.push(app);
    const deadline = Date.now() + 10_000;
    while (ownRuns(sandbox, head).at(-1)?.status !== "completed" && Date.now() < deadline) await sleep(50);
    await settle(sandbox, app);
    expect(ownRuns(sandbox, head).at(-1)?.status).toBe("completed");
    expect([...sandbox.redeliveryRequests].sort()).toEqual(missed.sort());
  });

  it("asks again for a delivery whose redelivery found no server because the app was shutting down", async () => {
    const { sandbox, options } = await setup();
    const s = sandbox.state;
    sandbox.setWebhookUrl("http://127.0.0.1:9/api/github/webhooks");
    s.createBranch(FULL, "twice");
    const head = s.commit(FULL, "twice", { files: { "e.ts": "5\n" }, message: "PAY-6 e", author: "alice" });
    s.openPullRequest(FULL, { title: "PAY-6 e", author: "alice", head: "twice" });
    await sandbox.idle();
    const missed = [...new Set(sandbox.hookAttempts.filter((a) => a.statusCode === 0).map((a) => a.guid))].sort();
    age(sandbox);

    // This replica asks for the redeliveries, but by the time GitHub sends them it has closed its listener.
    const send = sandbox.send.bind(sandbox);
    let listening = false;
    sandbox.send = (event, payload, o = {}) => send(event, payload, o.id && !listening ? { ...o, url: "http://127.0.0.1:9/api/github/webhooks" } : o);
    const closing = await startAppServer(sandbox, options);
    const deadline = Date.now() + 10_000;
    while (sandbox.redeliveryRequests.length < missed.length && Date.now() < deadline) await sleep(50);
    await sandbox.idle();
    await closing.kill(0);
    expect([...sandbox.redeliveryRequests].sort()).toEqual(missed);
    expect(ownRuns(sandbox, head)).toHaveLength(0);
    age(sandbox);

    listening = true;
    const next = await startAppServer(sandbox, options);
    running.push(next);
    const until = Date.now() + 10_000;
    while (ownRuns(sandbox, head).at(-1)?.status !== "completed" && Date.now() < until) await sleep(50);
    await settle(sandbox, next);
    expect(ownRuns(sandbox, head).at(-1)?.status).toBe("completed");
    // Once per failed attempt: the first failure and the failed redelivery, nothing more.
    expect([...sandbox.redeliveryRequests].sort()).toEqual([...missed, ...missed].sort());
  });
});
