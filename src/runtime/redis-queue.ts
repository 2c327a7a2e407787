// The queue shared by replicas: BullMQ on Redis. The delivery id is the BullMQ job id (a
// second add of the same id is a no-op while the job exists) and a `delivery:<id>` key
// remembers it for GitHub's retention window after the job is gone, so a redelivery days
// later is still recognised. A worker that dies holding a job stops renewing its lock;
// BullMQ's stalled-job check gives the job to another replica.

import { Queue, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { backoffMs, DEFAULT_RETRY, PermanentFailure, type EnqueueResult, type JobHandler, type RetryPolicy, type WebhookJob } from "./job.js";
import type { QueueStats, WorkQueue } from "./queue.js";

export const QUEUE_NAME = "deliveries";
/** GitHub keeps deliveries for about 3 days; remember ids a little longer. */
const REMEMBER_SECONDS = 8 * 24 * 3600;

export interface RedisQueueOptions {
  /** Builds a connection (BullMQ's workers block on their own). */
  connect: () => Redis;
  prefix: string;
  concurrency?: number;
  retry?: RetryPolicy;
  /** How long a worker's lock lasts without renewal: how soon a dead worker's job moves. */
  lockMs?: number;
  onFailed?: (job: WebhookJob, error: unknown) => void;
}

export class RedisQueue implements WorkQueue {
  private readonly queue: Queue<WebhookJob>;
  private readonly redis: Redis;
  private worker: Worker<WebhookJob> | null = null;
  private workerRedis: Redis | null = null;
  private readonly retry: RetryPolicy;

  constructor(private readonly options: RedisQueueOptions) {
    this.redis = options.connect();
    this.queue = new Queue<WebhookJob>(QUEUE_NAME, { connection: this.redis, prefix: options.prefix });
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  private seenKey(id: string): string {
    return `${this.options.prefix}:delivery:${id}`;
  }

  async enqueue(job: WebhookJob): Promise<EnqueueResult> {
    if ((await this.redis.exists(this.seenKey(job.id))) === 1) return "duplicate";
    const added = await this.queue.add(job.name, job, {
      jobId: job.id,
      attempts: this.retry.attempts,
      backoff: { type: "capped" },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: REMEMBER_SECONDS },
    });
    // Remembered only once the job exists, so a failed add is never mistaken for a known id.
    const first = await this.redis.set(this.seenKey(job.id), String(job.receivedAt), "EX", REMEMBER_SECONDS, "NX");
    return first === "OK" && added.data.receivedAt === job.receivedAt ? "queued" : "duplicate";
  }

  async knows(id: string): Promise<boolean> {
    return (await this.redis.exists(this.seenKey(id))) === 1;
  }

  start(handler: JobHandler): void {
    if (this.worker) return;
    const lockDuration = this.options.lockMs ?? 30_000;
    this.worker = new Worker<WebhookJob>(
      QUEUE_NAME,
      async (job: Job<WebhookJob>) => {
        try {
          await handler(job.data, job.attemptsMade + 1);
        } catch (error) {
          if (error instanceof PermanentFailure) throw new UnrecoverableError(error.message);
          throw error;
        }
      },
      {
        connection: (this.workerRedis = this.options.connect()),
        prefix: this.options.prefix,
        concurrency: this.options.concurrency ?? 8,
        lockDuration,
        stalledInterval: Math.max(1_000, Math.floor(lockDuration / 2)),
        maxStalledCount: 5,
        settings: { backoffStrategy: (attemptsMade: number) => backoffMs(attemptsMade, this.retry) },
      },
    );
    this.worker.on("failed", (job, error) => {
      if (job && (job.attemptsMade >= this.retry.attempts || error instanceof UnrecoverableError)) this.options.onFailed?.(job.data, error);
    });
    this.worker.on("error", () => undefined); // connection trouble: BullMQ reconnects; /readyz reports it
  }

  async drain(graceMs: number): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    let timer: NodeJS.Timeout | undefined;
    const graceful = worker.close().then(() => true);
    const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)));
    const done = await Promise.race([graceful, timedOut]);
    clearTimeout(timer);
    // Past the grace, unfinished jobs stay locked until their lock expires; then another replica takes them.
    if (!done) await worker.close(true).catch(() => undefined);
  }

  async stats(): Promise<QueueStats> {
    const counts = await this.queue.getJobCounts("waiting", "active", "delayed", "failed", "prioritized");
    const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
    let oldestAgeMs = 0;
    if (waiting > 0) {
      const [oldest] = await this.queue.getJobs(["waiting"], waiting - 1, waiting - 1);
      if (oldest) oldestAgeMs = Math.max(0, Date.now() - oldest.data.receivedAt);
    }
    return { waiting, active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0, oldestAgeMs };
  }

  async idle(): Promise<void> {
    for (;;) {
      const s = await this.stats();
      if (s.waiting + s.active + s.delayed === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    await this.drain(0);
    await this.queue.close();
    this.workerRedis?.disconnect();
    this.redis.disconnect();
  }
}
