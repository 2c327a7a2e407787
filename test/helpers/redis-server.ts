// A real redis-server for a test file, on 127.0.0.1 and a free port, without persistence.
// In CI (CI=true) a missing redis-server fails the run; elsewhere the Redis tests are
// reported as skipped with the reason.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { freePort } from "../../src/sandbox/app-server.js";

const found = spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
if (!found && process.env.CI === "true") throw new Error("CI=true but redis-server is not installed: the Redis tests must run in CI (apt-get install redis-server)");

/** Why the Redis tests are skipped here, or null when they run. */
export const redisSkipReason: string | null = found ? null : "skipped: redis-server is not installed on this machine";

export interface RedisServer {
  url: string;
  port: number;
  /** Empties the database between tests. */
  flush: () => Promise<void>;
  stop: () => Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  let client: Redis | null = null;
  while (!client) {
    const attempt = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    attempt.on("error", () => undefined);
    try {
      await attempt.connect();
      if ((await attempt.ping()) === "PONG") client = attempt;
    } catch {
      attempt.disconnect();
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill("SIGKILL");
        throw new Error(`redis-server did not start on port ${port}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const ready: Redis = client;
  return {
    url,
    port,
    flush: async () => void (await ready.flushall()),
    stop: async () => {
      ready.disconnect();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

/**
 * One redis-server for the enclosing `describe`, emptied before each test; `connect()`
 * opens a client the way the app does (ioredis, no per-request retry limit), closed after
 * the suite. `quiet` drops connection errors (tests that cut a replica's connection).
 */
export function redisForSuite(options: { quiet?: boolean } = {}): { connect: () => Redis } {
  let server: RedisServer | undefined;
  const opened: Redis[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  beforeEach(async () => {
    await server!.flush();
  });
  afterAll(async () => {
    for (const r of opened) r.disconnect();
    await server?.stop();
  });
  return {
    connect: () => {
      const redis = new Redis(server!.url, { maxRetriesPerRequest: null });
      if (options.quiet) redis.on("error", () => undefined);
      opened.push(redis);
      return redis;
    },
  };
}
