// Bench: a burst of 500 pull requests opened at once across 2 installations, through the
// real app (queue, workers, Probot's throttling), against an in-process fake GitHub that
// admits WRITE_RATE (5) writes per second per installation (a write beyond it is answered
// with a secondary rate limit and counted). The app's pacing is set to the same rate.
// floorSeconds = writes needed (one per evaluation) ÷ (rate × installations).

import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Probot, ProbotOctokit } from "probot";
import { createApp, type AppRuntime } from "../src/app.js";
import { createServices } from "../src/triggers/services.js";
import { paceWrites } from "../src/github/transport/write-pacing.js";
import { createRuntime, runtimeConfigFromEnv } from "../src/runtime/runtime.js";
import { factsResponse, type Scenario } from "../test/helpers/github-mock.js";
import { webhookPayload } from "../test/helpers/payload.js";

export interface BurstBench {
  prs: number;
  installations: number;
  secondsToAllChecks: number;
  floorSeconds: number;
  writesPerEvaluation: number;
  refusedWrites: number;
}

const PRS = 500;
const INSTALLATIONS = 2;
const WRITE_RATE = Number(process.env.BURST_WRITE_RATE ?? 5);

export async function benchBurst(): Promise<BurstBench> {
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
  const installationOf = (request: Request) => Number(/ghs_inst(\d+)/.exec(request.headers.get("authorization") ?? "")?.[1] ?? 0);
  let writes = 0;
  let refused = 0;
  let nextRun = 0;
  const completed = new Map<string, number>();
  const pending = new Set<string>();
  let lastCompletion = 0;
  const runKey = new Map<number, string>();

  // GitHub's limits are rates over time, not gaps between two requests: a bucket of one
  // second's writes per installation, refilled at WRITE_RATE a second.
  const buckets = new Map<number, { tokens: number; at: number }>();
  const admit = (installation: number): boolean => {
    const now = performance.now();
    const bucket = buckets.get(installation) ?? { tokens: WRITE_RATE, at: now };
    bucket.tokens = Math.min(WRITE_RATE, bucket.tokens + ((now - bucket.at) / 1000) * WRITE_RATE);
    bucket.at = now;
    buckets.set(installation, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };

  const answer = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname;
    if (request.method === "POST" && path.endsWith("/access_tokens")) return json(201, { token: `ghs_inst${path.split("/")[3]}`, expires_at: "2099-01-01T00:00:00Z" });
    if (request.method === "POST" && path === "/graphql") {
      const body = (await request.json()) as { variables?: { owner?: string; name?: string; repo?: string; number?: number } };
      const v = body.variables ?? {};
      const scenario: Scenario = { owner: String(v.owner), repo: String(v.name ?? v.repo), number: Number(v.number), commits: [{ sha: headOf(Number(v.number)), author: "Codertocat" }], checks: [{ name: "build", status: "COMPLETED", conclusion: "SUCCESS" }] };
      return json(200, factsResponse(scenario));
    }
    const write = request.method !== "GET";
    if (write) {
      writes++;
      if (!admit(installationOf(request))) {
        refused++;
        return json(403, { message: "You have exceeded a secondary rate limit." }, { "retry-after": "1" });
      }
    }
    if (request.method === "POST" && path.endsWith("/check-runs")) {
      const body = (await request.json()) as { head_sha: string; status?: string };
      const id = ++nextRun;
      const key = `${path.split("/")[2]}@${body.head_sha}`;
      runKey.set(id, key);
      if (body.status === "completed") complete(key);
      return json(201, { id });
    }
    if (request.method === "PATCH" && path.includes("/check-runs/")) {
      const id = Number(path.split("/").at(-1));
      const body = (await request.json()) as { status?: string };
      if (body.status === "completed") complete(runKey.get(id)!);
      return json(200, { id });
    }
    if (path.endsWith("/rules/branches/main")) return json(200, [], { etag: '"rules"' });
    if (/^\/repos\/[^/]+\/[^/]+$/.test(path)) return json(200, { id: 1, security_and_analysis: { secret_scanning: { status: "enabled" }, secret_scanning_push_protection: { status: "enabled" } } }, { etag: '"repo"' });
    if (path.endsWith("/secret-scanning/alerts")) return json(200, [], { etag: '"alerts"' });
    if (path.includes("/collaborators/")) return json(200, { permission: "write", role_name: "write", user: { login: "reviewer" } });
    if (/\/pulls\/\d+\/files$/.test(path)) return json(200, [{ sha: "0".repeat(40), filename: "README.md", status: "modified", additions: 1, deletions: 0, changes: 1, patch: "@@ -1 +1,2 @@\n Hello\n+World" }]);
    return json(404, { message: `burst fake GitHub has no ${request.method} ${path}` });
  };
  const complete = (key: string) => {
    if (!completed.has(key)) completed.set(key, performance.now());
    pending.delete(key);
    lastCompletion = performance.now();
  };

  const dir = mkdtempSync(join(tmpdir(), "soc2-guard-burst-"));
  const services = createServices({ appSlug: async () => "soc2-guard", fingerprintKey: new Uint8Array(32) });
  const runtime = createRuntime({ ...runtimeConfigFromEnv({}), redisUrl: null, stateDir: join(dir, "state"), concurrency: 16 }, { onFailed: () => undefined, onScheduleError: () => undefined });
  services.serializer = runtime.serializer;
  const probot = new Probot({
    appId: 1,
    privateKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    Octokit: paceWrites(
      ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { retries: 3, retryAfterBaseValue: 50 }, request: { ...(o.request as object), fetch: (input: string | URL | Request, init?: RequestInit) => answer(new Request(input, init)) } })),
      WRITE_RATE,
    ),
    logLevel: "fatal",
  });
  let handle: AppRuntime | undefined;
  const saved = { daily: process.env.SOC2_GUARD_DAILY, recovery: process.env.SOC2_GUARD_RECOVERY_MINUTES };
  process.env.SOC2_GUARD_DAILY = "off";
  process.env.SOC2_GUARD_RECOVERY_MINUTES = "off";
  await probot.load(createApp({ services, runtime, background: true, onRuntime: (h) => (handle = h) }));
  process.env.SOC2_GUARD_DAILY = saved.daily;
  process.env.SOC2_GUARD_RECOVERY_MINUTES = saved.recovery;
  if (saved.daily === undefined) delete process.env.SOC2_GUARD_DAILY;
  if (saved.recovery === undefined) delete process.env.SOC2_GUARD_RECOVERY_MINUTES;

  // Warm up (JIT, tokens) on one PR per installation, outside the measurement.
  const event = (i: number) => {
    const installation = (i % INSTALLATIONS) + 1;
    const p = webhookPayload("pull_request", "opened") as Record<string, unknown> & { pull_request: Record<string, unknown> & { head: { sha: string } }; repository: Record<string, unknown> & { owner: { login: string } } };
    p.installation = { id: installation };
    p.number = i;
    p.pull_request.number = i;
    p.pull_request.head.sha = headOf(i);
    p.repository.owner.login = `org${installation}`;
    p.repository.name = "svc";
    p.repository.full_name = `org${installation}/svc`;
    return p;
  };
  for (let i = 0; i < INSTALLATIONS; i++) await probot.receive({ id: `warm-${i}`, name: "pull_request", payload: event(100_000 + i) as never });
  await handle!.idle();
  await new Promise((r) => setTimeout(r, 1_100)); // the warm-up's writes are refilled
  const writesBefore = writes;

  const started = performance.now();
  for (let i = 1; i <= PRS; i++) pending.add(`org${(i % INSTALLATIONS) + 1}@${headOf(i)}`);
  await Promise.all(Array.from({ length: PRS }, (_, k) => probot.receive({ id: `burst-${k + 1}`, name: "pull_request", payload: event(k + 1) as never })));
  await handle!.idle();
  const seconds = (lastCompletion - started) / 1000;
  const spent = writes - writesBefore;
  await handle!.shutdown(0);
  rmSync(dir, { recursive: true, force: true });
  if (pending.size > 0) throw new Error(`burst: ${pending.size} pull requests have no completed check run`);
  const floorSeconds = PRS / (WRITE_RATE * INSTALLATIONS);
  return { prs: PRS, installations: INSTALLATIONS, secondsToAllChecks: Math.round(seconds * 100) / 100, floorSeconds, writesPerEvaluation: Math.round((spent / PRS) * 100) / 100, refusedWrites: refused };
}

function headOf(n: number): string {
  return n.toString(16).padStart(40, "0");
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchBurst()));
