// The in-process monthly trigger: on a day of the month at an hour (UTC) — the 1st at
// 02:00 by default — it calls back with the month that just ended. Several replicas may
// each run one: the export issue's existence for the period is the lock, and a random
// delay spreads the replicas so one finds the other's issue. Timers are unref'd so a
// schedule never keeps a process alive.

import { previousMonthLabel } from "../export/period.js";

export interface ScheduleSpec {
  /** 1–28, so every month has the day. */
  dayOfMonth: number;
  /** 0–23, UTC. */
  hourUtc: number;
}

export const DEFAULT_SCHEDULE: ScheduleSpec = { dayOfMonth: 1, hourUtc: 2 };

export function validateSchedule(spec: ScheduleSpec): string | null {
  if (!Number.isInteger(spec.dayOfMonth) || spec.dayOfMonth < 1 || spec.dayOfMonth > 28) return "dayOfMonth must be an integer from 1 to 28";
  if (!Number.isInteger(spec.hourUtc) || spec.hourUtc < 0 || spec.hourUtc > 23) return "hourUtc must be an integer from 0 to 23";
  return null;
}

/** The first firing strictly after `now`. */
export function nextRunAfter(now: Date, spec: ScheduleSpec = DEFAULT_SCHEDULE): Date {
  const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), spec.dayOfMonth, spec.hourUtc));
  return thisMonth > now ? thisMonth : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, spec.dayOfMonth, spec.hourUtc));
}

/** setTimeout cannot wait longer than 2^31-1 ms (~24.8 days); longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Timers {
  setTimeout: (fn: () => void, ms: number) => { unref?: () => unknown };
  clearTimeout: (handle: unknown) => void;
}

export interface MonthlyScheduleOptions {
  spec?: ScheduleSpec;
  now?: () => Date;
  /** Up to this many ms of random delay after the hour, to spread replicas. Default 60 s. */
  jitterMs?: number;
  random?: () => number;
  timers?: Timers;
  /** Told about a callback that threw; the schedule carries on to the next month. */
  onError?: (error: unknown, period: string) => void;
}

export class MonthlySchedule {
  private handle: unknown = null;
  private stopped = true;
  private readonly spec: ScheduleSpec;
  private readonly now: () => Date;
  private readonly timers: Timers;

  constructor(
    private readonly callback: (period: string) => Promise<unknown> | unknown,
    private readonly options: MonthlyScheduleOptions = {},
  ) {
    this.spec = options.spec ?? DEFAULT_SCHEDULE;
    const problem = validateSchedule(this.spec);
    if (problem) throw new Error(`export schedule: ${problem}`);
    this.now = options.now ?? (() => new Date());
    this.timers = options.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  }

  /** When the next export fires (before jitter). */
  get nextRun(): Date {
    return nextRunAfter(this.now(), this.spec);
  }

  start(): this {
    if (!this.stopped) return this;
    this.stopped = false;
    this.arm(this.nextRun);
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.handle !== null) this.timers.clearTimeout(this.handle);
    this.handle = null;
  }

  private arm(at: Date): void {
    if (this.stopped) return;
    const jitter = Math.floor((this.options.random ?? Math.random)() * (this.options.jitterMs ?? 60_000));
    const wait = at.getTime() + jitter - this.now().getTime();
    const timer = this.timers.setTimeout(() => {
      if (this.now() < at) return this.arm(at); // a chained long wait, or a clock that ran slow
      void this.fire(at);
    }, Math.max(0, Math.min(wait, MAX_TIMER_MS)));
    timer.unref?.();
    this.handle = timer;
  }

  private async fire(at: Date): Promise<void> {
    const period = previousMonthLabel(at);
    try {
      await this.callback(period);
    } catch (error) {
      this.options.onError?.(error, period);
    }
    this.arm(nextRunAfter(at, this.spec));
  }
}
