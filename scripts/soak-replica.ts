// One app replica for `npm run soak -- --replicas N`: the production server (src/runtime)
// against the sandbox named in the environment, on REDIS_URL. Prints "ready" once it
// listens; SIGTERM drains it like production.

import { pino } from "pino";
import { Probot } from "probot";
import { sandboxOctokit } from "../src/sandbox/app-server.js";
import { hostApp } from "../src/runtime/server.js";

const env = process.env;
const log = env.SOAK_LOG ? pino({ level: "info" }, pino.destination({ dest: env.SOAK_LOG, sync: true })) : pino({ level: "silent" });
const probot = new Probot({
  appId: Number(env.APP_ID),
  privateKey: env.PRIVATE_KEY!,
  secret: env.WEBHOOK_SECRET!,
  baseUrl: `http://${env.GHE_HOST}/api/v3`,
  log,
  Octokit: sandboxOctokit({ retries: 5, retryBaseMs: 20, retrySecondaryRateLimits: env.SOAK_RETRY_SECONDARY === "1" }),
});
const hosted = await hostApp(probot, { host: "127.0.0.1", port: Number(env.PORT) });
process.stdout.write("ready\n");
process.once("SIGTERM", () => {
  void hosted.stop(25_000).then(() => process.exit(0));
});
