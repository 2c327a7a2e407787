// The runtime layer, assembled from the environment: Redis (BullMQ) when REDIS_URL is set
// — replicas share the queue, the per-PR locks, the check-run map, the schedules, the
// once-marks, the evidence spools and the pending event records — else the embedded single-process engine with its journal in
// SOC2_GUARD_STATE_DIR. Triggers see neither: they get a serializer and a check-run store.

import { join } from "node:path";
import { Redis } from "ioredis";
import { MemoryCheckRunStore, MemoryEventRecords, type CheckRunStore, type EventRecordStore, type SharedSpools } from "../triggers/services.js";
import { RedisEventRecords } from "./redis-event-records.js";
import { RedisSpoolStore } from "./redis-spool.js";
import { EmbeddedQueue } from "./embedded-queue.js";
import { RedisQueue } from "./redis-queue.js";
import { RedisSerializer } from "./redis-serializer.js";
import { KeyedSerializer, type PullRequestSerializer } from "./serializer.js";
import { RedisCheckRunStore } from "./redis-check-runs.js";
import { FileCheckRunStore } from "./file-check-runs.js";
import { EmbeddedSchedules, RedisSchedules, type Schedules } from "./schedules.js";
import { FileOnceMarks, RedisOnceMarks, type OnceMarks } from "./once-marks.js";
import { DEFAULT_RETRY, type RetryPolicy, type WebhookJob } from "./job.js";
import type { WorkQueue } from "./queue.js";

export interface RuntimeConfig {
  redisUrl: string | null;
  /** Embedded journal and once-marks; ignored with Redis. */
  stateDir: string | null;
  /** Key prefix in Redis, so several apps can share one. */
  prefix: string;
  concurrency: number;
  retry: RetryPolicy;
  /** Lock expiry of a job and of a PR: how soon a dead replica's work moves on. */
  lockMs: number;
}

export function runtimeConfigFromEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): RuntimeConfig {
  const number = (name: string, fallback: number) => {
    const value = env[name];
    if (value === undefined || value === "") return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(value)}`);
    return n;
  };
  return {
    redisUrl: env.REDIS_URL || null,
    stateDir: env.SOC2_GUARD_STATE_DIR || join(cwd, ".soc2-guard", "state"),
    prefix: env.SOC2_GUARD_REDIS_PREFIX || "soc2-guard",
    concurrency: number("SOC2_GUARD_CONCURRENCY", 8),
    retry: { attempts: number("SOC2_GUARD_JOB_ATTEMPTS", DEFAULT_RETRY.attempts), baseMs: number("SOC2_GUARD_RETRY_BASE_MS", DEFAULT_RETRY.baseMs), capMs: number("SOC2_GUARD_RETRY_CAP_MS", DEFAULT_RETRY.capMs) },
    lockMs: number("SOC2_GUARD_LOCK_MS", 15_000),
  };
}

export interface Runtime {
  kind: "redis" | "embedded";
  queue: WorkQueue;
  serializer: PullRequestSerializer;
  checkRuns: CheckRunStore;
  eventRecords: EventRecordStore;
  schedules: Schedules;
  marks: OnceMarks;
  /** The evidence spools the replicas share (Redis); absent: each process keeps its own directory. */
  sharedSpool?: SharedSpools;
  /** null when fine, else what is wrong (for /readyz). */
  storeProblem: () => Promise<string | null>;
  close: () => Promise<void>;
}

export function createRuntime(config: RuntimeConfig, hooks: { onFailed: (job: WebhookJob, error: unknown) => void; onScheduleError: (task: string, error: unknown) => void }): Runtime {
  if (!config.redisUrl) {
    const queue = new EmbeddedQueue({ stateDir: config.stateDir, concurrency: config.concurrency, retry: config.retry, onFailed: hooks.onFailed });
    const schedules = new EmbeddedSchedules(hooks.onScheduleError);
    // Kept beside the journal: a restart re-works accepted deliveries and must find the runs it created.
    const checkRuns = config.stateDir ? new FileCheckRunStore(config.stateDir) : new MemoryCheckRunStore();
    return {
      kind: "embedded",
      queue,
      serializer: new KeyedSerializer(),
      checkRuns,
      eventRecords: new MemoryEventRecords(),
      schedules,
      marks: new FileOnceMarks(config.stateDir),
      storeProblem: async () => null,
      close: async () => {
        await schedules.stop();
        await queue.close();
        if (checkRuns instanceof FileCheckRunStore) checkRuns.close();
      },
    };
  }
  const url = config.redisUrl;
  const connections: Redis[] = [];
  // BullMQ's workers block on their connection; commands never give up while Redis restarts.
  const connect = () => {
    const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
    redis.on("error", () => undefined); // reported by /readyz, retried by ioredis
    connections.push(redis);
    return redis;
  };
  const shared = connect();
  const queue = new RedisQueue({ connect, prefix: config.prefix, concurrency: config.concurrency, retry: config.retry, lockMs: Math.max(config.lockMs, 5_000), onFailed: hooks.onFailed });
  const schedules = new RedisSchedules(connect, config.prefix, hooks.onScheduleError);
  return {
    kind: "redis",
    queue,
    serializer: new RedisSerializer(shared, { prefix: config.prefix, lockMs: config.lockMs }),
    checkRuns: new RedisCheckRunStore(shared, config.prefix),
    eventRecords: new RedisEventRecords(shared, config.prefix),
    schedules,
    marks: new RedisOnceMarks(shared, config.prefix),
    sharedSpool: <T>(name: string) => new RedisSpoolStore<T>(shared, config.prefix, name),
    storeProblem: async () => (shared.status === "ready" && (await shared.ping()) === "PONG" ? null : `Redis is ${shared.status}`),
    close: async () => {
      await schedules.stop();
      await queue.close();
      for (const redis of connections) redis.disconnect();
    },
  };
}
