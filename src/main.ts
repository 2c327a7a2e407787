// `npm start`: the production entry. Reads Probot's environment (APP_ID, PRIVATE_KEY,
// WEBHOOK_SECRET, GHE_HOST, LOG_LEVEL, …) plus REDIS_URL / SOC2_GUARD_STATE_DIR for the
// runtime, serves on HOST:PORT (default 0.0.0.0:3000), drains on SIGTERM/SIGINT.

import { createProbot } from "probot";
import { DRAIN_GRACE_MS, hostApp } from "./runtime/server.js";

const probot = createProbot();
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
