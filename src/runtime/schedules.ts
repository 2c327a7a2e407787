// Scheduled work — the daily reconciliation and audit, the monthly export, the delivery
// recovery — declared once and run by one of two engines: timers in this process (one
// replica) or BullMQ job schedulers on Redis, where every replica declares the same
// schedulers and each firing is one job that one worker takes, so N replicas run it once.

import { Queue, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { scheduleDaily } from "./daily-schedule.js";
import { MonthlySchedule } from "./monthly-schedule.js";

export type Cadence = { kind: "daily"; hourUtc: number } | { kind: "monthly"; dayOfMonth: number; hourUtc: number } | { kind: "every"; ms: number; atStart: boolean };

/** A failed firing is tried again this many times, backing off from `baseMs` (doubling, to `capMs`). */
export interface TaskRetry {
  attempts: number;
  baseMs: number;
  capMs: number;
}

export interface ScheduledTask {
  name: string;
  cadence: Cadence;
  /** Absent: a failed firing waits for the next one (fine every few minutes; not once a month). */
  retry?: TaskRetry;
  /** `firedAt` is the scheduled time (the monthly export derives its period from it). */
  run: (firedAt: Date) => Promise<void>;
}

export interface Schedules {
  start(tasks: ScheduledTask[]): Promise<void>;
  stop(): Promise<void>;
}

export class EmbeddedSchedules implements Schedules {
  private readonly stops: Array<() => void> = [];
  private readonly retries = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly onError: (task: string, error: unknown) => void) {}

  async start(tasks: ScheduledTask[]): Promise<void> {
    for (const task of tasks) {
      const run = (at: Date, attempt = 1): Promise<void> =>
        task.run(at).catch((error: unknown) => {
          this.onError(task.name, error);
          if (!task.retry || attempt >= task.retry.attempts || this.stopped) return;
          const timer = setTimeout(() => {
            this.retries.delete(timer);
            void run(at, attempt + 1);
          }, Math.min(task.retry.capMs, task.retry.baseMs * 2 ** (attempt - 1)));
          timer.unref();
          this.retries.add(timer);
        });
      const { cadence } = task;
      if (cadence.kind === "daily") this.stops.push(scheduleDaily(() => run(new Date()), cadence.hourUtc));
      else if (cadence.kind === "monthly") {
        // MonthlySchedule hands over the period; the task wants the firing time back.
        const schedule = new MonthlySchedule(() => run(new Date()), { spec: { dayOfMonth: cadence.dayOfMonth, hourUtc: cadence.hourUtc }, jitterMs: 0 }).start();
        this.stops.push(() => schedule.stop());
      } else {
        if (cadence.atStart) void run(new Date());
        const timer = setInterval(() => void run(new Date()), cadence.ms);
        timer.unref();
        this.stops.push(() => clearInterval(timer));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const stop of this.stops.splice(0)) stop();
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
  }
}

export const SCHEDULE_QUEUE = "schedules";

export class RedisSchedules implements Schedules {
  private queue: Queue | null = null;
  private worker: Worker | null = null;
  private readonly connections: Redis[] = [];

  constructor(
    private readonly connect: () => Redis,
    private readonly prefix: string,
    private readonly onError: (task: string, error: unknown) => void,
  ) {}

  async start(tasks: ScheduledTask[]): Promise<void> {
    const byName = new Map(tasks.map((t) => [t.name, t]));
    const connection = () => {
      const redis = this.connect();
      this.connections.push(redis);
      return redis;
    };
    this.queue = new Queue(SCHEDULE_QUEUE, { connection: connection(), prefix: this.prefix });
    for (const task of tasks) {
      const { cadence } = task;
      const repeat =
        cadence.kind === "daily"
          ? { pattern: `0 ${cadence.hourUtc} * * *`, tz: "UTC" }
          : cadence.kind === "monthly"
            ? { pattern: `0 ${cadence.hourUtc} ${cadence.dayOfMonth} * *`, tz: "UTC" }
            : { every: cadence.ms };
      // Same id from every replica: one scheduler, one job per firing.
      const retry = task.retry ? { attempts: task.retry.attempts, backoff: { type: "exponential", delay: task.retry.baseMs } } : {};
      await this.queue.upsertJobScheduler(task.name, repeat, { name: task.name, opts: { removeOnComplete: 100, removeOnFail: 100, ...retry } });
      // An `every` scheduler fires when first created (the deployment's start); later
      // replicas find it and only wait for its next firing.
    }
    this.worker = new Worker(
      SCHEDULE_QUEUE,
      async (job: Job) => {
        const task = byName.get(job.name);
        if (!task) return;
        try {
          // A retried firing keeps the time it was scheduled for (the export's period comes from it).
          await task.run(new Date(job.timestamp + (job.opts.delay ?? 0)));
        } catch (error) {
          this.onError(task.name, error);
          if (task.retry) throw error; // BullMQ tries the firing again with backoff
        }
      },
      { connection: connection(), prefix: this.prefix, concurrency: 1, lockDuration: 60_000 },
    );
    this.worker.on("error", () => undefined);
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    for (const redis of this.connections.splice(0)) redis.disconnect();
    this.worker = null;
    this.queue = null;
  }
}
