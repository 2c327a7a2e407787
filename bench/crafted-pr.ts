// Bench: one crafted pull request with every author-controlled attack at once, played
// through the real app (Probot + handlers) with GitHub answered in-process:
//   - a body of GitHub's maximum size, half one letter (ticket patterns) and half newlines
//     (the `Emergency:` reason, with the emergency label on),
//   - whitespace bombs in the diff: 1,000 lines of a secret keyword followed by 4,000 spaces,
//   - 2,000 CODEOWNERS rules × 3,000 changed paths, code-owner review required.
// Figures: the CPU of the whole evaluation (every thread of the process, the fake GitHub's
// own CPU subtracted) and the longest stall of the main thread's event loop — the thread
// that answers webhooks. Budget: ≤ 2,000 ms CPU, no stall over 100 ms.

import { generateKeyPairSync } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../src/app.js";
import { createServices } from "../src/triggers/services.js";
import { factsResponse, type Scenario } from "../test/helpers/github-mock.js";
import { webhookPayload } from "../test/helpers/payload.js";

export interface CraftedPrBench {
  cpuMs: number;
  maxEventLoopStallMs: number;
  wallMs: number;
  conclusion: string | null;
  /** The run's title: the verdict, or why the evaluation was stopped. */
  title: string | null;
  input: { bodyChars: number; diffLines: number; codeOwnersRules: number; changedPaths: number };
}

const OWNER = "Codertocat";
const REPO = "Hello-World";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const BODY_CHARS = 65_536;
const BOMB_LINES = 1_000;
const BOMB_SPACES = 4_000;
const RULES = 2_000;
const PATHS = 3_000;

function craftedScenario(): { scenario: Scenario; files: Array<Record<string, unknown>> } {
  const body = "A".repeat(BODY_CHARS / 2) + "\n".repeat(BODY_CHARS / 2);
  const paths = Array.from({ length: PATHS }, (_, i) => `services/svc-${i % 50}/src/module-${i}/handler-${i}.ts`);
  const codeowners = Array.from({ length: RULES }, (_, i) => `services/svc-${i % 60}/**/module-${i}*/*.ts @owner-${i}`).join("\n");
  const bomb = Array.from({ length: BOMB_LINES }, () => `+api_key${" ".repeat(BOMB_SPACES)}`).join("\n");
  const files = paths.map((filename, i) => ({
    sha: `${i}`.padStart(40, "0"),
    filename,
    status: "modified",
    additions: i === 0 ? BOMB_LINES : 1,
    deletions: 0,
    changes: i === 0 ? BOMB_LINES : 1,
    patch: i === 0 ? `@@ -0,0 +1,${BOMB_LINES} @@\n${bomb}` : "@@ -1 +1,2 @@\n export {};\n+export const x = 1;",
  }));
  const scenario: Scenario = {
    owner: OWNER,
    repo: REPO,
    number: 2,
    title: "A".repeat(256),
    headRef: "A".repeat(200),
    body,
    commits: [{ sha: HEAD, author: "Codertocat" }],
    reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }],
    labels: [{ name: "emergency-change", addedBy: "octo-lead" }],
    paths,
    codeowners,
    orgConfig: "exceptions:\n  allowed: [octo-lead]\n",
    repoConfig: "controls:\n  review.approval: { requireCodeOwners: true }\n  change.ticket: { mode: enforce }\n",
  };
  return { scenario, files };
}

export async function benchCraftedPr(): Promise<CraftedPrBench> {
  const { scenario, files } = craftedScenario();
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
  let conclusion: string | null = null;
  let title: string | null = null;
  const record = async (request: Request) => {
    const body = (await request.json()) as { conclusion?: string; output?: { title?: string } };
    conclusion = body.conclusion ?? conclusion;
    title = body.output?.title ?? title;
  };
  let fakeGitHubMicros = 0;
  const facts = JSON.stringify(factsResponse(scenario));
  // Warm-up on an ordinary PR first: JIT, module loading and the installation token are not the attack's cost.
  const plain = JSON.stringify(factsResponse({ owner: OWNER, repo: REPO, number: 2, commits: [{ sha: HEAD, author: "Codertocat" }] }));
  let warming = true;
  const answer = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    if (request.method === "POST" && path.endsWith("/access_tokens")) return json(201, { token: "ghs_bench", expires_at: "2099-01-01T00:00:00Z" });
    if (request.method === "POST" && path === "/graphql") return new Response(warming ? plain : facts, { status: 200, headers: { "content-type": "application/json; charset=utf-8" } });
    if (path.endsWith("/rules/branches/main")) return json(200, []);
    if (path === `/repos/${OWNER}/${REPO}`) return json(200, { id: 1, name: REPO, full_name: `${OWNER}/${REPO}`, security_and_analysis: { secret_scanning: { status: "enabled" }, secret_scanning_push_protection: { status: "enabled" } } });
    if (path.endsWith("/secret-scanning/alerts")) return json(200, []);
    if (path.includes("/collaborators/")) return json(200, { permission: "write", role_name: "write", user: { login: path.split("/")[5] } });
    if (path.endsWith("/pulls/2/files")) return json(200, warming ? files.slice(1, 2) : files);
    if (request.method === "POST" && path.endsWith("/check-runs")) {
      await record(request);
      return json(201, { id: 1 });
    }
    if (request.method === "PATCH" && path.includes("/check-runs/")) {
      await record(request);
      return json(200, { id: 1 });
    }
    return json(404, { message: `bench fake GitHub has no ${request.method} ${path}` });
  };
  const fakeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const started = process.cpuUsage();
    try {
      return await answer(new Request(input, init));
    } finally {
      const used = process.cpuUsage(started);
      fakeGitHubMicros += used.user + used.system;
    }
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
  const payload = () => {
    const p = webhookPayload("pull_request", "opened");
    (p.pull_request as { head: { sha: string } }).head.sha = HEAD;
    return { installation: { id: 1 }, ...p } as never;
  };

  await probot.receive({ id: "warm", name: "pull_request", payload: payload() });
  warming = false;

  const stalls = monitorEventLoopDelay({ resolution: 5 });
  stalls.enable();
  fakeGitHubMicros = 0;
  const cpu = process.cpuUsage();
  const wall = performance.now();
  conclusion = null;
  title = null;
  // The evaluation fails closed when it passes its deadline (src/verdict/off-thread.ts): the handler then rethrows.
  await probot.receive({ id: "crafted", name: "pull_request", payload: payload() }).catch(() => undefined);
  const wallMs = performance.now() - wall;
  const used = process.cpuUsage(cpu);
  stalls.disable();
  return {
    cpuMs: Math.round((used.user + used.system - fakeGitHubMicros) / 1000),
    maxEventLoopStallMs: Math.round(stalls.max / 1e6),
    wallMs: Math.round(wallMs),
    conclusion,
    title,
    input: { bodyChars: BODY_CHARS, diffLines: BOMB_LINES, codeOwnersRules: RULES, changedPaths: PATHS },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(JSON.stringify({ craftedPr: await benchCraftedPr() }));
}
