// Worker-thread entry: runs one evaluation (the built-in controls) off the main thread,
// so a pull request crafted to make the scan or the matching heavy cannot stall the
// event loop that answers webhooks. Pure: facts and config in, verdict out.

import { parentPort } from "node:worker_threads";
import { evaluate } from "./evaluate.js";
import type { EvaluationRequest, EvaluationReply } from "./off-thread.js";

parentPort?.on("message", (request: EvaluationRequest) => {
  let reply: EvaluationReply;
  try {
    reply = { id: request.id, verdict: evaluate(request.facts, request.resolved, request.env, request.evaluationId) };
  } catch (error) {
    reply = { id: request.id, error: { message: (error as Error).message ?? String(error), name: (error as Error).name ?? "Error" } };
  }
  parentPort!.postMessage(reply);
});
