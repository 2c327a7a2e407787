// npm run soak — load and fault test over loopback: the real app server (Probot's Server)
// against the local GitHub sandbox. 100 concurrent pull requests produce ~1,000 signed
// webhook deliveries, 10 % of them redelivered; 5 % of GitHub's answers fail (502 or a
// secondary rate limit with retry-after); the archive repository's branch is moved under
// the app's feet (ref conflicts). Forged and unsigned deliveries are sent too.
// Afterwards: every PR's check run reflects its final state, every merged PR has exactly
// one evidence record, the chain verifies, no delivery was answered after GitHub's 10 s,
// and the forged deliveries were rejected with nothing processed.
// Bounded: stops after SOAK_TIMEOUT_S (default 240 s). Prints one JSON line last.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSign } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { pino } from "pino";
import { GitHubSandbox, startAppServer, seedOrganization, ORG, ARCHIVE_REPO, INSTALLATION_ID, type Delivery } from "../src/sandbox/index.js";
import type { SandboxEvent } from "../src/sandbox/state.js";
import { GitHubRepositoryArchive } from "../src/github/evidence/archive-repository.js";
import { verifyChain } from "../src/evidence/verify.js";
import type { GitHubClient } from "../src/github/transport/client.js";

const PRS = Number(process.env.SOAK_PRS ?? 100);
const REPOS = ["payments", "ledger", "billing", "accounts", "gateway"];
const REDELIVER = 0.1;
const FAIL_RATE = 0.05;
const FORGED = Number(process.env.SOAK_FORGED ?? 20);
const TIMEOUT_MS = Number(process.env.SOAK_TIMEOUT_S ?? 240) * 1000;
const CONCURRENT_DELIVERIES = 32;
/** Probot only logs secondary rate limits and gives up (production); 1 → retry after retry-after. */
const RETRY_SECONDARY = process.env.SOAK_RETRY_SECONDARY === "1";

// A seeded generator: the same run every time.
let seed = Number(process.env.SOAK_SEED ?? 20261101);
const random = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const deadline = Date.now() + TIMEOUT_MS;
  const dir = mkdtempSync(join(tmpdir(), "soc2-guard-soak-"));
  const sandbox = await new GitHubSandbox({ autoDeliver: false, random }).start();
  seedOrganization(sandbox, { repos: REPOS.slice(1) });
  sandbox.state.createRepo(ORG, "forged-target");
  // GitHub failing: 5 % of answers (app authentication aside) are a 502 or a secondary rate limit.
  const api = /^\/(?!app\b)/;
  sandbox.faults
    .add({ kind: "error", path: api, rate: FAIL_RATE / 2, status: 502 })
    .add({ kind: "secondary-rate-limit", path: api, rate: FAIL_RATE / 4, status: 403, retryAfter: 1 })
    .add({ kind: "secondary-rate-limit", path: api, rate: FAIL_RATE / 4, status: 429, retryAfter: 1 })
    // A rival writer moves the archive branch before a third of the app's commits.
    .add({ kind: "ref-conflict", path: "/graphql", rate: 0.33 });
  const app = await startAppServer(sandbox, { spoolDir: join(dir, "spool"), log: process.env.SOAK_LOG ? pino({ level: "info" }, pino.destination({ dest: process.env.SOAK_LOG, sync: true })) : pino({ level: "silent" }), retries: 5, retryBaseMs: 20, retrySecondaryRateLimits: RETRY_SECONDARY });
  const s = sandbox.state;

  // ── the delivery pump: every queued event is delivered (concurrently), 10 % twice ──
  const sent: Array<{ event: SandboxEvent; delivery: Delivery }> = [];
  let inFlight = 0;
  let pumping = true;
  const sendErrors: string[] = [];
  const pump = (async () => {
    while (pumping || sandbox.queued.length > 0 || inFlight > 0) {
      // Take an event only when there is room for it: one taken and then skipped would be lost.
      const event = inFlight < CONCURRENT_DELIVERIES ? sandbox.queued.shift() : undefined;
      if (!event) {
        await sleep(2);
        continue;
      }
      inFlight++;
      void (async () => {
        try {
          const delivery = await sandbox.send(event.name, event.payload);
          sent.push({ event, delivery });
          if (random() < REDELIVER) {
            await sleep(Math.floor(random() * 50));
            sent.push({ event, delivery: await sandbox.send(event.name, event.payload, { id: delivery.id }) });
          }
        } catch (error) {
          sendErrors.push(`${event.name}.${(event.payload as { action?: string }).action ?? ""}: ${(error as Error).message}`);
        } finally {
          inFlight--;
        }
      })();
    }
  })();

  // ── 100 pull requests, concurrently ──
  type Plan = { repo: string; number: number; stalePush: boolean; merge: boolean; expected: "success" | "failure"; head: string; mergeSha: string | null };
  const plans: Plan[] = [];
  const authors = ["alice", "carol", "dave"];
  const story = async (i: number) => {
    await sleep(Math.floor(random() * 2000));
    const repo = `${ORG}/${REPOS[i % REPOS.length]}`;
    const author = authors[i % authors.length]!;
    const branch = `feature/${i}`;
    s.createBranch(repo, branch);
    let head = s.commit(repo, branch, { files: { [`src/f${i}.ts`]: `export const f${i} = ${i};\n` }, message: `PAY-${i} feature ${i}`, author });
    const pr = s.openPullRequest(repo, { title: `PAY-${i} feature ${i}`, author, head: branch });
    const plan: Plan = { repo, number: pr.number, stalePush: i % 4 === 0, merge: i % 5 < 3, expected: "success", head, mergeSha: null };
    plans.push(plan);
    await sleep(100 + Math.floor(random() * 400));
    s.ci(repo, head, "build", null);
    s.ci(repo, head, "test", null);
    await sleep(Math.floor(random() * 400));
    s.ci(repo, head, "build", "success");
    s.ci(repo, head, "test", "success");
    s.editPullRequest(repo, pr.number, { body: `Implements feature ${i}.` }, author);
    s.review(repo, pr.number, "erin", "COMMENTED", "a question");
    s.review(repo, pr.number, "bob", "APPROVED");
    if (plan.stalePush) {
      // A push after the approval: the approval is stale, the PR must fail and is not merged.
      await sleep(Math.floor(random() * 400));
      head = s.commit(repo, branch, { files: { [`src/f${i}.ts`]: `export const f${i} = ${i + 1};\n` }, message: `PAY-${i} more`, author });
      s.ci(repo, head, "build", "success");
      s.ci(repo, head, "test", "success");
      plan.expected = "failure";
      plan.merge = false;
    }
    plan.head = head;
    if (plan.merge) {
      await sleep(200 + Math.floor(random() * 600));
      plan.mergeSha = s.merge(repo, pr.number, "bob");
    }
  };
  await Promise.all(Array.from({ length: PRS }, (_, i) => story(i)));

  // ── forged and unsigned deliveries: a PR event for a repository nothing else touches ──
  const target = s.mustRepo(`${ORG}/forged-target`);
  const forgedResults: Delivery[] = [];
  for (let i = 0; i < FORGED; i++) {
    const payload = s.describe!.envelope("opened", target, "mallory", {
      number: 1000 + i,
      pull_request: { number: 1000 + i, head: { sha: target.git.refs.get("main")! }, merged: false },
    });
    forgedResults.push(await sandbox.send("pull_request", payload, { signature: i % 2 === 0 ? "forged" : "unsigned" }));
  }

  // ── wait until nothing moves ──
  let quiet = 0;
  while (quiet < 3 && Date.now() < deadline) {
    const before = sandbox.deliveries.length + sandbox.requests.length;
    await app.tracker.idle();
    await sleep(50);
    // Records in the spool are written by the app's own backoff retries (1 s, 5 s, 15 s …): wait for them.
    quiet = sandbox.queued.length === 0 && inFlight === 0 && app.pendingEvidence() === 0 && sandbox.deliveries.length + sandbox.requests.length === before ? quiet + 1 : 0;
  }
  const timedOut = Date.now() >= deadline;
  pumping = false;
  await pump;
  sandbox.faults.clear();

  // ── checks ──
  const problems: string[] = [];
  for (const plan of plans) {
    const run = s.mustRepo(plan.repo).checkRuns.filter((r) => r.app.slug === "soc2-guard" && r.headSha === plan.head).at(-1);
    if (!run || run.status !== "completed" || run.conclusion !== plan.expected) {
      problems.push(`${plan.repo}#${plan.number}: check ${run ? `${run.status}/${run.conclusion}` : "missing"}, expected ${plan.expected}`);
    }
  }
  const token = await installationToken(sandbox);
  const gh = new Octokit({ auth: token, baseUrl: sandbox.apiUrl }) as unknown as GitHubClient;
  const stored = await new GitHubRepositoryArchive(gh, { owner: ORG, repo: ARCHIVE_REPO, branch: "main" }).read();
  const ids = stored.lines.map((l) => (JSON.parse(l.text) as { id: string }).id);
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  const merged = plans.filter((p) => p.mergeSha);
  const lostEvidence = merged.filter((p) => !counts.has(`${p.repo}#${p.number}@${p.mergeSha}`)).length;
  const perPull = new Map<string, number>();
  for (const id of ids) perPull.set(id.replace(/@.*$/, ""), (perPull.get(id.replace(/@.*$/, "")) ?? 0) + 1);
  const duplicateEvidence = [...perPull.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
  const unexpected = ids.filter((id) => !merged.some((p) => id === `${p.repo}#${p.number}@${p.mergeSha}`));
  if (unexpected.length > 0) problems.push(`records for changes that were not merged PRs: ${unexpected.slice(0, 5).join(", ")}`);
  const chain = verifyChain(stored.lines, stored.head);
  if (!chain.ok) problems.push(`chain broken: ${JSON.stringify(chain)}`);
  const valid = sandbox.deliveries.filter((d) => d.signed === "valid");
  const acks = valid.map((d) => d.ms).sort((a, b) => a - b);
  const p99AckMs = Math.round(acks[Math.min(acks.length - 1, Math.floor(acks.length * 0.99))] ?? 0);
  const late = valid.filter((d) => d.status === 0 || d.ms > 10_000);
  if (late.length > 0) problems.push(`${late.length} deliveries not answered within 10 s`);
  const failedAcks = valid.filter((d) => d.status >= 300);
  if (failedAcks.length > 0) problems.push(`${failedAcks.length} valid deliveries answered ${[...new Set(failedAcks.map((d) => d.status))].join("/")}`);
  const rejectedForged = forgedResults.filter((d) => d.status >= 400 && d.status < 500).length;
  const touched = sandbox.requests.filter((r) => r.path.includes("/forged-target")).length + target.checkRuns.length;
  if (rejectedForged !== FORGED) problems.push(`${FORGED - rejectedForged} forged/unsigned deliveries were accepted`);
  if (touched > 0) problems.push(`forged deliveries caused ${touched} requests or check runs`);
  if (timedOut) problems.push(`not settled within ${TIMEOUT_MS / 1000} s`);
  if (sendErrors.length > 0) problems.push(`${sendErrors.length} deliveries could not be sent: ${[...new Set(sendErrors)].slice(0, 3).join("; ")}`);
  if (lostEvidence > 0) problems.push(`${lostEvidence} merged PRs without evidence: ${merged.filter((p) => !counts.has(`${p.repo}#${p.number}@${p.mergeSha}`)).map((p) => {
    const closed = sent.filter((d) => d.event.name === "pull_request" && (d.event.payload as { action?: string; number?: number; repository?: { full_name?: string } }).action === "closed" && (d.event.payload as { number?: number }).number === p.number && (d.event.payload as { repository?: { full_name?: string } }).repository?.full_name === p.repo);
    return `${p.repo}#${p.number}@${p.mergeSha} (closed deliveries: ${closed.map((d) => d.delivery.status).join("/") || "none"})`;
  }).join(", ")}`);
  if (duplicateEvidence > 0) problems.push(`${duplicateEvidence} duplicate records`);

  const stats = {
    pullRequests: plans.length,
    merged: merged.length,
    records: ids.length,
    redeliveries: valid.filter((d) => d.redelivery).length,
    apiRequests: sandbox.requests.length,
    faults: sandbox.faults.stats,
    retrySecondaryRateLimits: RETRY_SECONDARY,
    seconds: Math.round((TIMEOUT_MS - (deadline - Date.now())) / 100) / 10,
  };
  process.stderr.write(`soak: ${JSON.stringify(stats)}\n`);
  for (const p of problems.slice(0, 20)) process.stderr.write(`soak problem: ${p}\n`);

  await app.stop();
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
  const finalStateCorrect = problems.length === 0;
  process.stdout.write(`${JSON.stringify({ deliveries: valid.length + forgedResults.length, rejectedForged, lostEvidence, duplicateEvidence, p99AckMs, finalStateCorrect })}\n`);
  return finalStateCorrect ? 0 : 1;
}

async function installationToken(sandbox: GitHubSandbox): Promise<string> {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const head = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now - 30, exp: now + 540, iss: sandbox.appId })}`;
  const jwt = `${head}.${createSign("RSA-SHA256").update(head).sign(sandbox.privateKey, "base64url")}`;
  const res = await fetch(`${sandbox.apiUrl}/app/installations/${INSTALLATION_ID}/access_tokens`, { method: "POST", headers: { authorization: `Bearer ${jwt}` } });
  return ((await res.json()) as { token: string }).token;
}

// `--replicas N` (N > 1): the availability soak, several replicas on one Redis (scripts/soak-replicas.ts).
const replicasArg = process.argv.indexOf("--replicas");
const run = replicasArg >= 0 && Number(process.argv[replicasArg + 1]) > 1 ? (await import("./soak-replicas.js")).runReplicaSoak : main;
run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(2);
  },
);
