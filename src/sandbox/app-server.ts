// Starts the real soc2-guard app the way `npm start` does — the runtime's server (ingress →
// queue → workers) around a Probot built from the same settings (APP_ID, PRIVATE_KEY,
// WEBHOOK_SECRET, GHE_HOST, GHE_PROTOCOL) — pointed at a sandbox as a GitHub Enterprise
// base URL. Shared by the demo, the end-to-end tests and the soak.

import { createServer } from "node:net";
import { pino, type Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { join } from "node:path";
import { hostApp, type HostedApp } from "../runtime/server.js";
import type { AppServices } from "../triggers/services.js";
import type { GitHubSandbox } from "./server.js";
import { generateSigningKey, parseSigningKey, publicPemOf } from "../trust/signing-key.js";

/** The portal's settings (src/github/portal/portal-mount.ts reads them when the app loads). */
const PORTAL_ENV = ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "GHE_HOST", "GHE_PROTOCOL", "PRIVATE_KEY", "SOC2_GUARD_PUBLIC_URL"];

export interface AppServerOptions {
  /** Evidence archive directory (ARCHIVE_DIR); absent → the org's archive repository on the sandbox. */
  archiveDir?: string;
  /** Where records wait when the archive cannot take them (SOC2_GUARD_SPOOL_DIR). */
  spoolDir: string;
  /** 64 hex characters (SOC2_GUARD_FINGERPRINT_KEY); a fixed test key when absent. */
  fingerprintKey?: string;
  /** Retries for 5xx (Probot's default is 3); base delay in ms. */
  retries?: number;
  retryBaseMs?: number;
  /**
   * Retry secondary rate limits after retry-after (up to 3 times). Probot's own handler
   * only logs them and gives up — the production behaviour, kept when this is false.
   */
  retrySecondaryRateLimits?: boolean;
  log?: Logger;
  /** The embedded queue's journal (SOC2_GUARD_STATE_DIR); default beside the spool. */
  stateDir?: string;
  /** Share a Redis with other replicas (REDIS_URL); absent → the embedded queue. */
  redisUrl?: string;
  /**
   * Run the delivery recovery every this many seconds (first pass at start); "off" to turn
   * it off. Absent → the production default (every 5 minutes, first pass at start).
   */
  recoverySeconds?: number | "off";
  /** Job retries' first backoff, ms (SOC2_GUARD_RETRY_BASE_MS); default 50. */
  jobRetryBaseMs?: number;
  /** Lock expiry for jobs and PRs (SOC2_GUARD_LOCK_MS). */
  lockMs?: number;
  /** Extra environment for the app (e.g. SOC2_GUARD_DAILY, SOC2_GUARD_EXPORT_SCHEDULE). */
  extraEnv?: Record<string, string>;
  /** PKCS#8 PEM (SOC2_GUARD_SIGNING_KEY); a throwaway key generated for this run when absent. */
  signingKey?: string;
  /** Minimum time between checkpoints (SOC2_GUARD_CHECKPOINT_INTERVAL_MS); the app's default (a minute) when absent. */
  checkpointIntervalMs?: number;
}

export interface RunningApp {
  server: HostedApp;
  /** Waits until the app's queue has nothing waiting, delayed or running. */
  tracker: { idle: () => Promise<void> };
  pendingEvidence: () => number;
  webhookUrl: string;
  /** The auditor's portal (sign in through the sandbox's OAuth). */
  portalUrl: string;
  /** The environment the app was started with (as `probot run` would read it). */
  env: Record<string, string>;
  /** The signing key's public half (SPKI PEM) and key id: what an auditor pins. */
  signingPublicKey: string;
  signingKeyId: string;
  /** Anchors pending checkpoints now (the demo and tests, before verifying). */
  flushCheckpoints: () => Promise<void>;
  /** Waits for the queue to empty, then shuts down. */
  stop: () => Promise<void>;
  /** Shuts down at once (SIGTERM-style drain with `graceMs`), leaving queued work queued. */
  kill: (graceMs?: number) => Promise<void>;
}

/** A free TCP port on 127.0.0.1 (Probot's Server treats port 0 as "use 3000"). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * The Octokit options for a sandbox: Probot's throttling stays on (it handles secondary
 * rate limits with retry-after), but without the 1 s pause between writes — the sandbox
 * has no content-creation limits to respect — and retries wait milliseconds, not seconds.
 */
export function sandboxOctokit(options: { retries?: number; retryBaseMs?: number; retrySecondaryRateLimits?: boolean } = {}): typeof ProbotOctokit {
  const immediate = { key: () => ({ schedule: <T>(_options: unknown, fn: () => Promise<T>) => fn() }) };
  return ProbotOctokit.defaults((o: Record<string, unknown>) => ({
    ...o,
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryBaseMs ?? 50 },
    throttle: {
      ...(o.throttle as object),
      write: immediate,
      notifications: immediate,
      search: immediate,
      retryAfterBaseValue: 100,
      ...(options.retrySecondaryRateLimits ? { onSecondaryRateLimit: (_after: number, _options: unknown, _octokit: unknown, retryCount: number) => retryCount < 3 } : {}),
    },
  })) as typeof ProbotOctokit;
}

export async function startAppServer(sandbox: GitHubSandbox, options: AppServerOptions): Promise<RunningApp> {
  const port = await freePort();
  const signingKey = options.signingKey ?? generateSigningKey().privatePem;
  const env: Record<string, string> = {
    APP_ID: String(sandbox.appId),
    PRIVATE_KEY: sandbox.privateKey,
    WEBHOOK_SECRET: sandbox.webhookSecret,
    GHE_HOST: sandbox.host,
    GHE_PROTOCOL: "http",
    HOST: "127.0.0.1",
    PORT: String(port),
    SOC2_GUARD_SPOOL_DIR: options.spoolDir,
    SOC2_GUARD_STATE_DIR: options.stateDir ?? join(options.spoolDir, "..", "state"),
    SOC2_GUARD_FINGERPRINT_KEY: options.fingerprintKey ?? "0f".repeat(32),
    SOC2_GUARD_DAILY: "off",
    ...(options.recoverySeconds === "off" ? { SOC2_GUARD_RECOVERY_MINUTES: "off" } : options.recoverySeconds ? { SOC2_GUARD_RECOVERY_MINUTES: String(options.recoverySeconds / 60) } : {}),
    SOC2_GUARD_RETRY_BASE_MS: String(options.jobRetryBaseMs ?? 50),
    SOC2_GUARD_RETRY_CAP_MS: "2000",
    ...(options.lockMs ? { SOC2_GUARD_LOCK_MS: String(options.lockMs) } : {}),
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    SOC2_GUARD_SIGNING_KEY: signingKey,
    ...(options.checkpointIntervalMs !== undefined ? { SOC2_GUARD_CHECKPOINT_INTERVAL_MS: String(options.checkpointIntervalMs) } : {}),
    // The portal signs people in through the sandbox's OAuth endpoints.
    GITHUB_CLIENT_ID: sandbox.oauth.clientId,
    GITHUB_CLIENT_SECRET: sandbox.oauth.clientSecret,
    SOC2_GUARD_PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...(options.archiveDir ? { ARCHIVE_DIR: options.archiveDir } : {}),
    ...options.extraEnv,
  };
  // createApp() reads its settings from the environment when it is loaded, as in production.
  const appKeys = ["SOC2_GUARD_SIGNING_KEY", "SOC2_GUARD_PREVIOUS_SIGNING_KEY", "SOC2_GUARD_CHECKPOINT_INTERVAL_MS", "SOC2_GUARD_CHECKPOINTS_FILE", "WEBHOOK_SECRET", "ARCHIVE_DIR", "SOC2_GUARD_SPOOL_DIR", "SOC2_GUARD_STATE_DIR", "SOC2_GUARD_FINGERPRINT_KEY", "SOC2_GUARD_DAILY", "SOC2_GUARD_RECOVERY_MINUTES", "SOC2_GUARD_RETRY_BASE_MS", "SOC2_GUARD_RETRY_CAP_MS", "SOC2_GUARD_LOCK_MS", "SOC2_GUARD_EXPORT_SCHEDULE", "REDIS_URL", "APP_SLUG", ...PORTAL_ENV, ...Object.keys(options.extraEnv ?? {})];
  const saved: Record<string, string | undefined> = {};
  for (const key of appKeys) saved[key] = process.env[key];
  for (const key of appKeys) {
    if (env[key] === undefined) delete process.env[key];
    else process.env[key] = env[key];
  }

  const log = options.log ?? pino({ level: "silent" });
  let services: AppServices | undefined;
  let server: HostedApp;
  try {
    const probot = new Probot({
      appId: Number(env.APP_ID),
      privateKey: env.PRIVATE_KEY,
      secret: env.WEBHOOK_SECRET,
      baseUrl: `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3`,
      log,
      Octokit: sandboxOctokit(options),
    });
    server = await hostApp(probot, { host: env.HOST!, port, app: { onServices: (s) => (services = s) } });
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  const webhookUrl = `http://127.0.0.1:${port}/api/github/webhooks`;
  sandbox.setWebhookUrl(webhookUrl);
  return {
    server,
    tracker: { idle: () => server.handle.idle() },
    /** Evidence records still waiting in the app's spool (its own retries write them). */
    pendingEvidence: () => services?.pendingEvidence() ?? 0,
    webhookUrl,
    portalUrl: `http://127.0.0.1:${port}/soc2-guard/`,
    env,
    signingPublicKey: publicPemOf(parseSigningKey(signingKey)),
    signingKeyId: parseSigningKey(signingKey).keyId,
    flushCheckpoints: async () => {
      await server.handle.idle();
      await Promise.all((services?.checkpointPublishers() ?? []).map((p) => p.flush()));
    },
    stop: async () => {
      await server.handle.idle();
      await Promise.all((services?.checkpointPublishers() ?? []).map((p) => p.flush().catch(() => undefined)));
      await server.stop();
    },
    kill: (graceMs = 0) => server.stop(graceMs),
  };
}

/**
 * Waits until nothing moves: no webhook delivery in flight and no app work pending, twice
 * in a row (work causes deliveries, deliveries cause work).
 */
export async function settle(sandbox: GitHubSandbox, app: RunningApp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 2) {
    if (Date.now() > deadline) throw new Error(`sandbox did not settle within ${timeoutMs} ms`);
    const before = sandbox.deliveries.length + sandbox.requests.length;
    await sandbox.idle();
    await app.tracker.idle();
    await new Promise((r) => setTimeout(r, 15));
    quiet = sandbox.deliveries.length + sandbox.requests.length === before ? quiet + 1 : 0;
  }
}
