// A webhook delivery accepted by the ingress: what a worker needs to handle it later, in
// this replica or another. The delivery id (X-GitHub-Delivery) is the job id, so a replay
// or a redelivery of the same id is worked once.

export interface WebhookJob {
  /** X-GitHub-Delivery. */
  id: string;
  /** X-GitHub-Event. */
  name: string;
  payload: unknown;
  /** When the ingress accepted it (ms since epoch), for job age and event-to-check latency. */
  receivedAt: number;
}

export type EnqueueResult = "queued" | "duplicate";

/** Work for a job. Throwing retries it with backoff; `PermanentFailure` does not. */
export type JobHandler = (job: WebhookJob, attempt: number) => Promise<void>;

/** A failure that another attempt cannot fix (a payload we do not understand). */
export class PermanentFailure extends Error {
  override readonly name = "PermanentFailure";
}

export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  capMs: number;
}

/** 8 attempts, 1 s doubling to at most 60 s: about 4 minutes of GitHub trouble absorbed. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseMs: 1_000, capMs: 60_000 };

/** Capped exponential backoff: the wait before attempt `attempt + 1` (attempt counts from 1). */
export function backoffMs(attempt: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
}
