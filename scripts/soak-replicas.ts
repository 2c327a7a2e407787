// npm run soak -- --replicas 3 — availability soak: N app replicas (child processes, the
// production server) on one Redis behind a round-robin delivery front, against the
// sandbox: 100 pull requests spread over a minute, ~1,000 signed deliveries (10 %
// redelivered), 5 % of GitHub's answers failing, ref conflicts on the archive. During the
// run one replica is killed with SIGKILL and restarted, then every replica is stopped for
// 30 s while the sandbox keeps delivering (recorded as failed deliveries, which the
// recovery job asks GitHub to redeliver). A monthly export fires every few seconds on every
// replica. Afterwards: every PR's final check run is right, one record per merge, one
// check run per commit, no duplicate issue, one export per period. One JSON line last.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSign } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { GitHubSandbox, seedOrganization, freePort, ORG, ARCHIVE_REPO, INSTALLATION_ID } from "../src/sandbox/index.js";
import type { SandboxEvent } from "../src/sandbox/state.js";
import { GitHubRepositoryArchive } from "../src/github/evidence/archive-repository.js";
import { verifyChain } from "../src/evidence/verify.js";
import type { GitHubClient } from "../src/github/transport/client.js";
import { startRedisServer } from "../test/helpers/redis-server.js";
import { generateSigningKey } from "../src/trust/signing-key.js";

const argv = process.argv.slice(2);
const REPLICAS = Number(argv[argv.indexOf("--replicas") + 1] ?? 3);
const PRS = Number(process.env.SOAK_PRS ?? 100);
const SPREAD_MS = Number(process.env.SOAK_SPREAD_S ?? 60) * 1000;
const DOWN_MS = Number(process.env.SOAK_DOWN_S ?? 30) * 1000;
const TIMEOUT_MS = Number(process.env.SOAK_TIMEOUT_S ?? 420) * 1000;
const REPOS = ["payments", "ledger", "billing", "accounts", "gateway"];
const REDELIVER = 0.1;
const FAIL_RATE = 0.05;
const CONCURRENT_DELIVERIES = 32;

let seed = Number(process.env.SOAK_SEED ?? 20261201);
const random = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (text: string) => process.stderr.write(`soak: ${text}\n`);

interface Replica {
  index: number;
  port: number;
  child: ChildProcess | null;
}

async function main(): Promise<number> {
  const started = Date.now();
  const deadline = started + TIMEOUT_MS;
  const dir = mkdtempSync(join(tmpdir(), "soc2-guard-soak-replicas-"));
  const redis = await startRedisServer();
  const sandbox = await new GitHubSandbox({ autoDeliver: false, random }).start();
  seedOrganization(sandbox, { repos: REPOS.slice(1) });
  const api = /^\/(?!app\b)/;
  sandbox.faults
    .add({ kind: "error", path: api, rate: FAIL_RATE / 2, status: 502 })
    .add({ kind: "secondary-rate-limit", path: api, rate: FAIL_RATE / 4, status: 403, retryAfter: 1 })
    .add({ kind: "secondary-rate-limit", path: api, rate: FAIL_RATE / 4, status: 429, retryAfter: 1 })
    .add({ kind: "ref-conflict", path: "/graphql", rate: 0.33 });
  const s = sandbox.state;

  // ── replicas ──
  // Every replica signs with the same key (as in production: one key, its fingerprint pinned).
  const signingKey = generateSigningKey().privatePem;
  const replicas: Replica[] = [];
  for (let i = 0; i < REPLICAS; i++) replicas.push({ index: i, port: await freePort(), child: null });
  const startReplica = async (r: Replica) => {
    const spool = join(dir, `replica-${r.index}`, "spool");
    mkdirSync(spool, { recursive: true });
    const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "soak-replica.ts")], {
      env: {
        ...process.env,
        APP_ID: String(sandbox.appId),
        PRIVATE_KEY: sandbox.privateKey,
        WEBHOOK_SECRET: sandbox.webhookSecret,
        GHE_HOST: sandbox.host,
        PORT: String(r.port),
        REDIS_URL: redis.url,
        SOC2_GUARD_SPOOL_DIR: spool,
        SOC2_GUARD_FINGERPRINT_KEY: "0f".repeat(32),
        SOC2_GUARD_SIGNING_KEY: signingKey,
        SOC2_GUARD_DAILY: "on",
        SOC2_GUARD_DAILY_HOUR_UTC: "3",
        SOC2_GUARD_EXPORT_EVERY_SECONDS: "20",
        SOC2_GUARD_EXPORT_RETRY_BASE_MS: "2000",
        SOC2_GUARD_RECOVERY_MINUTES: String(5 / 60),
        SOC2_GUARD_RETRY_BASE_MS: "200",
        SOC2_GUARD_RETRY_CAP_MS: "5000",
        SOC2_GUARD_JOB_ATTEMPTS: "12",
        SOC2_GUARD_LOCK_MS: "5000",
        NODE_ENV: "production",
        ...(process.env.SOAK_LOG ? { SOAK_LOG: `${process.env.SOAK_LOG}.${r.index}` } : {}),
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    r.child = child;
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
      child.once("exit", (code) => reject(new Error(`replica ${r.index} exited with ${code} before it was ready`)));
    });
  };
  const stopReplica = async (r: Replica, signal: "SIGKILL" | "SIGTERM") => {
    const child = r.child;
    if (!child || child.exitCode !== null) return;
    r.child = null;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  };
  await Promise.all(replicas.map(startReplica));

  // ── the round-robin front (a load balancer with no health checks: a dead replica is skipped) ──
  let next = 0;
  const front = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== "host" && k !== "content-length" && k !== "connection")) as Record<string, string>;
      const first = next++;
      for (let k = 0; k < replicas.length; k++) {
        const r = replicas[(first + k) % replicas.length]!;
        if (!r.child) continue;
        try {
          const answer = await fetch(`http://127.0.0.1:${r.port}${req.url}`, { method: req.method, headers, body, signal: AbortSignal.timeout(9_000) });
          res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" }).end(Buffer.from(await answer.arrayBuffer()));
          return;
        } catch {
          // connection refused: try the next replica
        }
      }
      req.socket.destroy(); // nobody home: GitHub records a failed delivery
    })();
  });
  const frontPort = await freePort();
  await new Promise<void>((r) => front.listen(frontPort, "127.0.0.1", () => r()));
  sandbox.setWebhookUrl(`http://127.0.0.1:${frontPort}/api/github/webhooks`);

  // ── event times, for event-to-check latency ──
  const emittedAt = new Map<string, number>();
  const inner = s.onEvent!;
  s.onEvent = (event: SandboxEvent) => {
    const p = event.payload as { action?: string; repository?: { full_name?: string }; pull_request?: { head?: { sha?: string } } };
    if (event.name === "pull_request" && (p.action === "opened" || p.action === "synchronize") && p.pull_request?.head?.sha) {
      const key = `${p.repository?.full_name}@${p.pull_request.head.sha}`;
      if (!emittedAt.has(key)) emittedAt.set(key, Date.now());
    }
    inner(event);
  };

  // ── the delivery pump ──
  let inFlight = 0;
  let pumping = true;
  const pump = (async () => {
    while (pumping || sandbox.queued.length > 0 || inFlight > 0) {
      const event = inFlight < CONCURRENT_DELIVERIES ? sandbox.queued.shift() : undefined;
      if (!event) {
        await sleep(2);
        continue;
      }
      inFlight++;
      void (async () => {
        try {
          const delivery = await sandbox.send(event.name, event.payload);
          if (random() < REDELIVER && delivery.status >= 200 && delivery.status < 300) {
            await sleep(Math.floor(random() * 50));
            await sandbox.send(event.name, event.payload, { id: delivery.id });
          }
        } finally {
          inFlight--;
        }
      })();
    }
  })();

  // ── chaos: one SIGKILL and restart, then everyone down for DOWN_MS ──
  let killed = 0;
  const chaos = (async () => {
    await sleep(SPREAD_MS * 0.15);
    say(`SIGKILL replica 1 at ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await stopReplica(replicas[1 % REPLICAS]!, "SIGKILL");
    killed++;
    await sleep(4_000);
    await startReplica(replicas[1 % REPLICAS]!);
    await sleep(SPREAD_MS * 0.15);
    say(`stopping all replicas for ${DOWN_MS / 1000} s at ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await Promise.all(replicas.map((r) => stopReplica(r, "SIGTERM")));
    await sleep(DOWN_MS);
    await Promise.all(replicas.map(startReplica));
    say(`replicas back at ${((Date.now() - started) / 1000).toFixed(1)} s`);
  })();

  // ── pull requests, spread over SPREAD_MS ──
  type Plan = { repo: string; number: number; expected: "success" | "failure"; head: string; mergeSha: string | null };
  const plans: Plan[] = [];
  const authors = ["alice", "carol", "dave"];
  const story = async (i: number) => {
    await sleep(Math.floor(random() * SPREAD_MS));
    const repo = `${ORG}/${REPOS[i % REPOS.length]}`;
    const author = authors[i % authors.length]!;
    const branch = `feature/${i}`;
    s.createBranch(repo, branch);
    let head = s.commit(repo, branch, { files: { [`src/f${i}.ts`]: `export const f${i} = ${i};\n` }, message: `PAY-${i} feature ${i}`, author });
    const pr = s.openPullRequest(repo, { title: `PAY-${i} feature ${i}`, author, head: branch });
    const plan: Plan = { repo, number: pr.number, expected: "success", head, mergeSha: null };
    plans.push(plan);
    await sleep(100 + Math.floor(random() * 400));
    s.ci(repo, head, "build", null);
    s.ci(repo, head, "test", null);
    await sleep(Math.floor(random() * 400));
    s.ci(repo, head, "build", "success");
    s.ci(repo, head, "test", "success");
    s.editPullRequest(repo, pr.number, { body: `Implements feature ${i}.` }, author);
    s.review(repo, pr.number, "bob", "APPROVED");
    let merge = i % 5 < 3;
    if (i % 4 === 0) {
      await sleep(Math.floor(random() * 400));
      head = s.commit(repo, branch, { files: { [`src/f${i}.ts`]: `export const f${i} = ${i + 1};\n` }, message: `PAY-${i} more`, author });
      s.ci(repo, head, "build", "success");
      s.ci(repo, head, "test", "success");
      plan.expected = "failure";
      merge = false;
    }
    plan.head = head;
    if (merge) {
      await sleep(200 + Math.floor(random() * 600));
      plan.mergeSha = s.merge(repo, pr.number, "bob");
    }
  };
  await Promise.all(Array.from({ length: PRS }, (_, i) => story(i)));
  await chaos;

  // ── wait until settled: queue empty, every failed delivery recovered, nothing moving ──
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue("deliveries", { connection, prefix: "soc2-guard" });
  // "Moving": deliveries and writes (the recovery's and the export's periodic reads do not count).
  const moving = () => sandbox.deliveries.length + sandbox.requests.filter((r) => r.method !== "GET" && !r.path.startsWith("/app/")).length;
  let quiet = 0;
  while (quiet < 4 && Date.now() < deadline) {
    const before = moving();
    await sleep(1_000);
    const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized");
    const busy = Object.values(counts).reduce((a, b) => a + b, 0);
    const unrecovered = (await lostGuids(sandbox, connection)).length;
    quiet = busy === 0 && unrecovered === 0 && sandbox.queued.length === 0 && inFlight === 0 && moving() === before ? quiet + 1 : 0;
  }
  const timedOut = Date.now() >= deadline;
  pumping = false;
  await pump;
  sandbox.faults.clear();

  // ── checks ──
  const problems: string[] = [];
  for (const plan of plans) {
    const run = s.mustRepo(plan.repo).checkRuns.filter((r) => r.app.slug === "soc2-guard" && r.headSha === plan.head).at(-1);
    if (!run || run.status !== "completed" || run.conclusion !== plan.expected) problems.push(`${plan.repo}#${plan.number}: check ${run ? `${run.status}/${run.conclusion}` : "missing"}, expected ${plan.expected}`);
  }
  let duplicateCheckRuns = 0;
  for (const name of REPOS) {
    const perHead = new Map<string, number>();
    for (const r of s.mustRepo(`${ORG}/${name}`).checkRuns) if (r.app.slug === "soc2-guard") perHead.set(r.headSha, (perHead.get(r.headSha) ?? 0) + 1);
    for (const n of perHead.values()) duplicateCheckRuns += Math.max(0, n - 1);
  }
  const token = await installationToken(sandbox);
  const gh = new Octokit({ auth: token, baseUrl: sandbox.apiUrl }) as unknown as GitHubClient;
  const stored = await new GitHubRepositoryArchive(gh, { owner: ORG, repo: ARCHIVE_REPO, branch: "main" }).read();
  const ids = stored.lines.map((l) => (JSON.parse(l.text) as { id: string }).id);
  const merged = plans.filter((p) => p.mergeSha);
  const lost = merged.filter((p) => !ids.includes(`${p.repo}#${p.number}@${p.mergeSha}`));
  const perChange = new Map<string, number>();
  for (const id of ids) perChange.set(id.replace(/@.*$/, ""), (perChange.get(id.replace(/@.*$/, "")) ?? 0) + 1);
  const duplicateEvidence = [...perChange.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
  const chain = verifyChain(stored.lines, stored.head);
  if (!chain.ok) problems.push(`chain broken: ${JSON.stringify(chain)}`);
  const issues = [...s.mustRepo(`${ORG}/${ARCHIVE_REPO}`).issues.values()];
  const byTitle = new Map<string, number>();
  for (const issue of issues) byTitle.set(issue.title, (byTitle.get(issue.title) ?? 0) + 1);
  const duplicateIssues = [...byTitle.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
  const exportIssues = issues.filter((i) => /SOC 2 evidence export/.test(i.title));
  const exportsPerPeriod = exportIssues.length === 0 ? 0 : Math.max(...[...byTitle.entries()].filter(([t]) => /SOC 2 evidence export/.test(t)).map(([, n]) => n));
  const unrecovered = await lostGuids(sandbox, connection);
  if (unrecovered.length > 0) problems.push(`${unrecovered.length} deliveries never reached the app (no successful attempt, never accepted)`);
  const answeredLate = failedGuids(sandbox).length - unrecovered.length;
  if (lost.length > 0) problems.push(`${lost.length} merged PRs without evidence: ${lost.slice(0, 5).map((p) => `${p.repo}#${p.number}`).join(", ")}`);
  if (duplicateEvidence > 0) problems.push(`${duplicateEvidence} duplicate records`);
  if (duplicateCheckRuns > 0) problems.push(`${duplicateCheckRuns} duplicate check runs`);
  if (duplicateIssues > 0) problems.push(`${duplicateIssues} duplicate issues: ${[...byTitle.entries()].filter(([, n]) => n > 1).map(([t]) => t).slice(0, 3).join("; ")}`);
  if (exportsPerPeriod !== 1) problems.push(`${exportsPerPeriod} export issues for the period`);
  if (timedOut) problems.push(`not settled within ${TIMEOUT_MS / 1000} s`);
  const latencies: number[] = [];
  for (const [key, at] of emittedAt) {
    const [repo, sha] = key.split("@") as [string, string];
    const first = s.mustRepo(repo).checkRuns.find((r) => r.app.slug === "soc2-guard" && r.headSha === sha);
    if (first) latencies.push(Math.max(0, Date.parse(first.startedAt) - at));
  }
  latencies.sort((a, b) => a - b);
  const p99EventToCheckMs = Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0);
  const failedAttempts = sandbox.hookAttempts.filter((a) => a.statusCode < 200 || a.statusCode >= 300).length;
  say(JSON.stringify({ pullRequests: plans.length, merged: merged.length, records: ids.length, failedAttempts, answeredLate, redeliveryRequests: sandbox.redeliveryRequests.length, faults: sandbox.faults.stats, p50EventToCheckMs: latencies[Math.floor(latencies.length / 2)] ?? 0, seconds: Math.round((Date.now() - started) / 1000) }));
  for (const p of problems.slice(0, 20)) say(`problem: ${p}`);

  await queue.close();
  connection.disconnect();
  await Promise.all(replicas.map((r) => stopReplica(r, "SIGTERM")));
  front.close();
  await sandbox.stop();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
  const finalStateCorrect = problems.length === 0;
  process.stdout.write(
    `${JSON.stringify({ replicas: REPLICAS, deliveries: sandbox.hookAttempts.length, killed, redelivered: sandbox.redeliveryRequests.length, lostEvidence: lost.length, duplicateEvidence, duplicateCheckRuns, duplicateIssues, exportsPerPeriod, finalStateCorrect, p99EventToCheckMs })}\n`,
  );
  return finalStateCorrect ? 0 : 1;
}

/** Deliveries (guids) with no successful attempt in GitHub's log. */
function failedGuids(sandbox: GitHubSandbox): string[] {
  const ok = new Set(sandbox.hookAttempts.filter((a) => a.statusCode >= 200 && a.statusCode < 300).map((a) => a.guid));
  return [...new Set(sandbox.hookAttempts.map((a) => a.guid))].filter((g) => !ok.has(g));
}

/**
 * Deliveries that never reached the app: no successful attempt, and never accepted by its
 * queue. (A delivery the app queued but answered after the front's timeout has a failed
 * attempt in GitHub's log and is worked all the same; the recovery rightly leaves it.)
 */
async function lostGuids(sandbox: GitHubSandbox, redis: Redis): Promise<string[]> {
  const failed = failedGuids(sandbox);
  const accepted = await Promise.all(failed.map((g) => redis.exists(`soc2-guard:delivery:${g}`)));
  return failed.filter((_, i) => accepted[i] === 0);
}

async function installationToken(sandbox: GitHubSandbox): Promise<string> {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const head = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now - 30, exp: now + 540, iss: sandbox.appId })}`;
  const jwt = `${head}.${createSign("RSA-SHA256").update(head).sign(sandbox.privateKey, "base64url")}`;
  const res = await fetch(`${sandbox.apiUrl}/app/installations/${INSTALLATION_ID}/access_tokens`, { method: "POST", headers: { authorization: `Bearer ${jwt}` } });
  return ((await res.json()) as { token: string }).token;
}

export async function runReplicaSoak(): Promise<number> {
  return main();
}
