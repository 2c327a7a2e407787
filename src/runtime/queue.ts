// The work queue port: the ingress puts deliveries in, workers in every replica take them
// out. Two implementations with the same semantics: `EmbeddedQueue` (one process, an
// on-disk journal) and `RedisQueue` (BullMQ, shared by replicas).

import type { EnqueueResult, JobHandler, WebhookJob } from "./job.js";

export interface QueueStats {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Age of the oldest job not yet finished, ms (0 when none). */
  oldestAgeMs: number;
}

export interface WorkQueue {
  /** Durable before it resolves: once "queued" is returned, a crash does not lose the job. */
  enqueue(job: WebhookJob): Promise<EnqueueResult>;
  /** Was this delivery id ever accepted (queued, running, done or failed) within retention? */
  knows(id: string): Promise<boolean>;
  /** Start taking jobs. */
  start(handler: JobHandler): void;
  /** Stop taking jobs, let running ones finish for up to `graceMs`, leave the rest queued. */
  drain(graceMs: number): Promise<void>;
  stats(): Promise<QueueStats>;
  /** Resolves when nothing is waiting, delayed or running (tests, the soak). */
  idle(): Promise<void>;
  close(): Promise<void>;
}
