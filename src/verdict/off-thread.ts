// Evaluations off the main thread. Everything an evaluation does on author-controlled
// input — scanning the diff, matching thousands of paths against CODEOWNERS and path
// rules, the ticket patterns — runs in one long-lived worker thread, so the event loop
// that answers webhooks and writes check runs never waits on it. A small evaluation
// (most pull requests) runs inline: handing it to the worker would cost more than it saves.

import { Worker } from "node:worker_threads";
import type { Facts } from "../facts.js";
import type { ResolvedConfig } from "../config/types.js";
import type { ControlEnv } from "../controls/types.js";
import { evaluate } from "./evaluate.js";
import type { Verdict } from "./types.js";

export interface EvaluationRequest {
  id: number;
  facts: Facts;
  resolved: ResolvedConfig;
  env: ControlEnv;
  evaluationId: string;
}
export type EvaluationReply = { id: number; verdict: Verdict } | { id: number; error: { name: string; message: string } };

/**
 * Characters of author-controlled input (body, title, branch, patches; paths weighted by
 * the CODEOWNERS and path rules they are matched against) below which an evaluation runs
 * inline. Every matcher is linear, so this bounds inline work to a few milliseconds.
 */
export const INLINE_WEIGHT_LIMIT = 200_000;

/**
 * An evaluation in the worker that takes longer than this is stopped (the worker is
 * terminated and replaced) and fails closed: its run says it could not be evaluated.
 * Bounded work, whatever the input: GitHub redelivers nothing, but the next event or a
 * re-run tries again.
 */
export const EVALUATION_DEADLINE_MS = 30_000;

export class EvaluationDeadlineExceeded extends Error {
  override name = "EvaluationDeadlineExceeded";
}

export function evaluationWeight(facts: Facts, resolved: ResolvedConfig): number {
  const pr = facts.pr;
  const patches = (pr.files ?? []).reduce((n, f) => n + (f.patch?.length ?? 0), 0);
  const rules = (facts.codeOwners.text?.split("\n").length ?? 0) + resolved.config.controls["review.approval"].paths.length + 1;
  // Matching one path against one CODEOWNERS line or path rule is weighted as 40 characters of text.
  return pr.body.length + pr.title.length + pr.headRef.length + patches + pr.changedPaths.length * rules * 40;
}

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (v: Verdict) => void; reject: (e: Error) => void; worker: Worker }>();
/** How many evaluations went to the worker (tests and the bench read it). */
export const offThreadStats = { evaluations: 0 };

/** The worker's bootstrap: from dist/ the entry is plain JS; from source (tests, the bench, tsx) it is TypeScript, loaded through tsx's hooks registered in the worker. */
function workerSource(): string {
  const fromSource = import.meta.url.endsWith(".ts");
  const entry = JSON.stringify(new URL(`./evaluation-worker.${fromSource ? "ts" : "js"}`, import.meta.url).href);
  return fromSource ? `import("tsx/esm/api").then(({ register }) => { register(); return import(${entry}); });` : `import(${entry});`;
}

function theWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(workerSource(), { eval: true });
  started.unref();
  started.on("message", (reply: EvaluationReply) => {
    const pending = waiting.get(reply.id);
    if (!pending) return;
    waiting.delete(reply.id);
    if ("verdict" in reply) pending.resolve(reply.verdict);
    else pending.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
  });
  const fail = (error: Error) => {
    if (worker === started) worker = null;
    for (const [id, pending] of waiting) {
      if (pending.worker !== started) continue;
      waiting.delete(id);
      pending.reject(error);
    }
  };
  started.on("error", fail);
  started.on("exit", (code) => fail(new Error(`the evaluation worker exited (code ${code})`)));
  worker = started;
  return started;
}

/** The verdict, computed inline for small inputs and in the worker thread for large ones. */
export async function evaluateOffMainThread(
  facts: Facts,
  resolved: ResolvedConfig,
  env: ControlEnv,
  evaluationId: string,
  options: { force?: boolean; deadlineMs?: number } = {},
): Promise<Verdict> {
  if (!options.force && evaluationWeight(facts, resolved) < INLINE_WEIGHT_LIMIT) return evaluate(facts, resolved, env, evaluationId);
  const id = nextId++;
  offThreadStats.evaluations++;
  const running = theWorker();
  const deadlineMs = options.deadlineMs ?? EVALUATION_DEADLINE_MS;
  let timer: NodeJS.Timeout | undefined;
  return new Promise<Verdict>((resolve, reject) => {
    waiting.set(id, { resolve, reject, worker: running });
    running.ref();
    timer = setTimeout(() => {
      if (!waiting.has(id)) return;
      waiting.delete(id);
      reject(new EvaluationDeadlineExceeded(`the evaluation did not finish within its ${Math.round(deadlineMs / 1000)} s budget (the pull request's input is too large to evaluate in bounded time) and was stopped`));
      // The worker is busy with it: replace it (evaluations waiting behind it fail too and are retried by their events).
      if (worker === running) worker = null;
      void running.terminate();
    }, deadlineMs);
    running.postMessage({ id, facts, resolved, env, evaluationId } satisfies EvaluationRequest);
  }).finally(() => {
    clearTimeout(timer);
    if (![...waiting.values()].some((w) => w.worker === running)) running.unref();
  });
}
