// Scheduled work — the daily reconciliation and audit, the monthly export, the delivery
// recovery — declared once and run by one of two engines: timers in this process (one
// replica) or BullMQ job schedulers on Redis, where every replica declares the same
// schedulers and each firing is one job that one worker takes, so N replicas run it once.

import { Queue, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { scheduleDaily } from "./daily-schedule.js";
import { MonthlySchedule } from "./monthly-schedule.js";

export type Cadence = { kind: "daily"; hourUtc: number } | { kind: "monthly"; dayOfMonth: number; hourUtc: number } | { kind: "every"; ms: number; atStart: boolean };

export interface ScheduledTask {
  name: string;
  cadence: Cadence;
  /** `firedAt` is the scheduled time (the monthly export derives its period from it). */
  run: (firedAt: Date) => Promise<void>;
}

export interface Schedules {
  start(tasks: ScheduledTask[]): Promise<void>;
  stop(): Promise<void>;
}

export class EmbeddedSchedules implements Schedules {
  private readonly stops: Array<() => void> = [];

  constructor(private readonly onError: (task: string, error: unknown) => void) {}

  async start(tasks: ScheduledTask[]): Promise<void> {
    for (const task of tasks) {
      const run = (at: Date) => task.run(at).catch((error: unknown) => this.onError(task.name, error));
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
    for (const stop of this.stops.splice(0)) stop();
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
      await this.queue.upsertJobScheduler(task.name, repeat, { name: task.name, opts: { removeOnComplete: 100, removeOnFail: 100 } });
      // An `every` scheduler fires when first created (the deployment's start); later
      // replicas find it and only wait for its next firing.
    }
    this.worker = new Worker(
      SCHEDULE_QUEUE,
      async (job: Job) => {
        const task = byName.get(job.name);
        if (!task) return;
        try {
          await task.run(new Date(job.timestamp + (job.opts.delay ?? 0)));
        } catch (error) {
          this.onError(task.name, error);
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
