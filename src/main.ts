// `npm start`: the production entry. Reads Probot's environment (APP_ID, PRIVATE_KEY,
// WEBHOOK_SECRET, GHE_HOST, LOG_LEVEL, …) plus REDIS_URL / SOC2_GUARD_STATE_DIR for the
// runtime, serves on HOST:PORT (default 0.0.0.0:3000), drains on SIGTERM/SIGINT.

import { createProbot, ProbotOctokit } from "probot";
import { DRAIN_GRACE_MS, hostApp } from "./runtime/server.js";
import { Redis } from "ioredis";
import { DEFAULT_WRITES_PER_SECOND, LocalWriteSlots, paceWrites, RedisWriteSlots } from "./github/transport/write-pacing.js";

// Writes are paced per installation; with REDIS_URL the slots are shared by every replica.
const writesPerSecond = Number(process.env.SOC2_GUARD_WRITES_PER_SECOND ?? DEFAULT_WRITES_PER_SECOND);
const intervalMs = Math.ceil(1000 / writesPerSecond);
const slots = process.env.REDIS_URL ? new RedisWriteSlots(new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null }), process.env.SOC2_GUARD_REDIS_PREFIX || "soc2-guard", intervalMs) : new LocalWriteSlots(intervalMs);
const probot = createProbot({ overrides: { Octokit: paceWrites(ProbotOctokit, writesPerSecond, slots) } });
const hosted = await hostApp(probot, { host: process.env.HOST ?? "0.0.0.0", port: Number(process.env.PORT ?? 3000), webhookPath: process.env.WEBHOOK_PATH });
probot.log.info({ port: hosted.port, runtime: hosted.handle.runtime.kind }, "soc2-guard listening");
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    probot.log.info({ signal, graceMs: DRAIN_GRACE_MS }, "shutting down: no new jobs, finishing running ones");
    void hosted.stop(DRAIN_GRACE_MS).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
