// Issue 10 item 12: a large evaluation runs in the worker thread and gives the verdict the
// inline evaluation gives; while it runs, the main thread's event loop keeps turning.

import { describe, expect, it } from "vitest";
import { env, makeFacts } from "../helpers/facts.js";
import { evaluate } from "../../src/verdict/evaluate.js";
import { EvaluationDeadlineExceeded, evaluateOffMainThread, evaluationWeight, INLINE_WEIGHT_LIMIT, offThreadStats } from "../../src/verdict/off-thread.js";
import { resolveConfig } from "../../src/config/resolve.js";

const AWS_KEY = ["AKIA", "QYLPMN5HHHFPZAM2"].join("");

/** A diff with a whitespace bomb, a secret and a long body: heavy enough for the worker. */
function largeFacts() {
  const bomb = Array.from({ length: 200 }, () => `+api_key${" ".repeat(1000)}`).join("\n");
  return makeFacts({
    pr: {
      body: "A".repeat(60_000),
      files: [
        { path: "src/a.ts", previousPath: null, status: "modified", additions: 200, deletions: 0, patch: `@@ -0,0 +1,200 @@\n${bomb}` },
        { path: "src/b.ts", previousPath: null, status: "modified", additions: 1, deletions: 0, patch: `@@ -0,0 +1 @@\n+const k = "${AWS_KEY}";` },
      ],
      changedPaths: ["src/a.ts", "src/b.ts"],
    },
  });
}

describe("evaluation off the main thread", () => {
  it("sends a large evaluation to the worker, which returns the inline verdict, while the event loop keeps turning", { timeout: 60_000 }, async () => {
    const resolved = resolveConfig([{ source: "acme/.github", file: ".github/soc2-guard.yml", text: "controls:\n  change.ticket: { mode: enforce }\n", isOrgLayer: true }]);
    const facts = largeFacts();
    expect(evaluationWeight(facts, resolved)).toBeGreaterThan(INLINE_WEIGHT_LIMIT);
    const before = offThreadStats.evaluations;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const offThread = await evaluateOffMainThread(facts, resolved, env, "eval-1");
    clearInterval(timer);
    expect(offThreadStats.evaluations).toBe(before + 1);
    expect(offThread).toEqual(evaluate(facts, resolved, env, "eval-1"));
    expect(offThread.results.find((r) => r.id === "secrets.diff")!.status).toBe("fail");
    expect(ticks).toBeGreaterThan(0);
  });

  it("keeps a small evaluation inline", async () => {
    const resolved = resolveConfig([]);
    const facts = makeFacts();
    const before = offThreadStats.evaluations;
    expect(await evaluateOffMainThread(facts, resolved, env, "eval-2")).toEqual(evaluate(facts, resolved, env, "eval-2"));
    expect(offThreadStats.evaluations).toBe(before);
  });

  it("a control that throws in the worker rejects with its message", async () => {
    const resolved = resolveConfig([]);
    const facts = makeFacts();
    (facts.pr as { commits: unknown; reviews: unknown }).commits = null;
    (facts.pr as { commits: unknown; reviews: unknown }).reviews = null;
    await expect(evaluateOffMainThread(facts, resolved, env, "eval-3", { force: true })).rejects.toThrow();
  });
  it("stops an evaluation past its deadline and fails it closed; the next one gets a fresh worker", async () => {
    const resolved = resolveConfig([]);
    await expect(evaluateOffMainThread(largeFacts(), resolved, env, "eval-4", { deadlineMs: 1 })).rejects.toThrow(EvaluationDeadlineExceeded);
    const facts = makeFacts();
    expect(await evaluateOffMainThread(facts, resolved, env, "eval-5", { force: true })).toEqual(evaluate(facts, resolved, env, "eval-5"));
  });
});
