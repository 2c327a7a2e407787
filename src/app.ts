// Probot entry: subscribes webhook events to triggers. Thin by design — every decision
// lives in src/controls and src/verdict, every request in src/github.

import { Context, type Probot } from "probot";
import { installRequestAccounting, RequestCounter } from "./github/transport/request-accounting.js";
import { installSecondaryRateLimitRetry } from "./github/transport/secondary-rate-limit.js";
import type { GitHubClient } from "./github/transport/client.js";
import { openPullRequestsForCommit } from "./github/check-run/pulls-for-commit.js";
import { OWN_CHECK_NAME } from "./controls/identities.js";
import { createServices, type AppServices, type SharedSpools } from "./triggers/services.js";
import { describeError, evaluateMergeGroup, evaluatePullRequest, type Logger } from "./triggers/evaluate-pull-request.js";
import { checkEventOf, labeledOf, mergeGroupOf, pullRequestOf, pushOf, repoOf, statusEventOf, synchronizeOf, UnexpectedPayload } from "./triggers/payloads.js";
import { drainEvidence, recordMergedPullRequest, recordPush, resumeEvidence } from "./triggers/record-evidence.js";
import { runAudit } from "./triggers/audit.js";
import { isOwnChange } from "./audit/own-change.js";
import { visibilityChange } from "./audit/visibility-change.js";
import { loadAppKeys } from "./evidence/app-keys.js";
import { formatFingerprint } from "./trust/signing-key.js";
import { join } from "node:path";
import { WorkTracker } from "./runtime/work-tracker.js";
import { loadConfig } from "./github/facts/config-loader.js";
import { forEachOrganizationInstallation } from "./triggers/installations.js";
import { reconcileOrganization } from "./triggers/reconcile-daily.js";
import { exportOrganization } from "./triggers/monthly-export.js";
import { previousMonthLabel } from "./export/period.js";
import { createRuntime, runtimeConfigFromEnv, type Runtime } from "./runtime/runtime.js";
import { RuntimeMetrics } from "./runtime/metrics.js";
import { EventRouter } from "./runtime/router.js";
import { healthEndpoints } from "./runtime/health.js";
import { webhookIngress, type HttpHandler } from "./runtime/ingress.js";
import type { EnqueueResult, WebhookJob } from "./runtime/job.js";
import type { ScheduledTask } from "./runtime/schedules.js";
import { recoverDeliveries } from "./runtime/delivery-recovery.js";
import { hookDeliveriesSince, requestRedelivery } from "./github/transport/hook-deliveries.js";
import { parseDispatchPayload } from "./export/dispatch.js";
import { portalHandler } from "./github/portal/portal-mount.js";

export interface AppOptions {
  services?: AppServices;
  /**
   * Production (true): deliveries go through the durable queue and are worked by its
   * workers, schedules run. Tests (false): Probot's `receive` works the event at once.
   */
  background?: boolean;
  /** Kept for callers that pass one; the queue tracks work now. */
  tracker?: WorkTracker;
  /** Hands the services to the caller (the sandbox's soak watches the evidence spool). */
  onServices?: (services: AppServices) => void;
  /** A runtime built by the caller; otherwise one is built from the environment. */
  runtime?: Runtime;
  /** Hands the runtime's HTTP endpoints and lifecycle to the server that hosts the app. */
  onRuntime?: (handle: AppRuntime) => void;
}

/** What a server needs from the app: the webhook ingress, health endpoints, shutdown. */
export interface AppRuntime {
  runtime: Runtime;
  metrics: RuntimeMetrics;
  services: AppServices;
  /** POST webhook path: verify, enqueue, 202. */
  ingress: (path: string) => HttpHandler;
  /** /healthz, /readyz, /metrics. */
  health: HttpHandler;
  /** Resolves when the queue has nothing waiting, delayed or running. */
  idle: () => Promise<void>;
  /** SIGTERM: stop taking jobs, finish running ones for up to `graceMs`, stop schedules. */
  shutdown: (graceMs: number) => Promise<void>;
}

const PR_ACTIONS = ["opened", "reopened", "synchronize", "ready_for_review", "edited", "labeled", "unlabeled"] as const;
const NEW_HEAD_ACTIONS = new Set(["opened", "reopened", "synchronize"]);
/** Events whose work ends in a check run: their queue-to-done time is the event-to-check latency. */
const CHECK_EVENTS = new Set(["pull_request", "pull_request_review", "check_run", "check_suite", "status", "merge_group"]);

export function createApp(options: AppOptions = {}) {
  return (app: Probot, probotOptions?: { addHandler?: (handler: HttpHandler) => void }): void => {
    const background = options.background ?? process.env.NODE_ENV !== "test";
    const runtime = options.runtime ?? (background ? createRuntime(runtimeConfigFromEnv(process.env), {
      onFailed: (job, error) => app.log.error({ delivery: job.id, event: job.name, err: describeError(error) }, "delivery failed after every retry"),
      onScheduleError: (task, error) => app.log.error({ task, err: describeError(error) }, "scheduled task failed"),
    }) : null);
    const services = options.services ?? servicesFromEnvironment(app, runtime ? { serializer: runtime.serializer, knownCheckRuns: runtime.checkRuns, eventRecords: runtime.eventRecords } : {}, runtime?.sharedSpool);
    app.log.info({ signingKey: formatFingerprint(services.signingKey.keyId), keyId: services.signingKey.keyId }, "evidence signing key (pin this fingerprint: SHA-256 of the public key's SPKI)");
    options.onServices?.(services);
    const metrics = new RuntimeMetrics(background);
    const metricsCounter = metrics.requestCounter();
    const router = new EventRouter<Context>();
    // Evidence intents a previous process kept (webhook facts not yet turned into records).
    if (background) void resumeEvidence(services, app.log, async (id) => (await app.auth(id ?? undefined)) as unknown as GitHubClient).catch((error: unknown) => app.log.error({ err: describeError(error) }, "could not read the evidence spool; it is read again on the next sweep"));

    /** Wraps a handler: per-event request counting, payload validation, logs with the delivery id. */
    const handle =
      (name: string, work: (gh: GitHubClient, log: Logger, context: Context) => Promise<void>) =>
      async (context: Context): Promise<void> => {
        const gh = context.octokit as unknown as GitHubClient;
        const eventCounter = new RequestCounter();
        installRequestAccounting(gh, { cache: services.etagCache, counters: [services.counter, eventCounter, metricsCounter] });
        installSecondaryRateLimitRetry(gh);
        const log = context.log.child({ delivery: context.id, event: name });
        try {
          await work(gh, log, context);
        } catch (error) {
          if (error instanceof UnexpectedPayload) {
            log.warn({ problem: error.message }, "unexpected payload; skipped");
            return;
          }
          log.error({ err: describeError(error) }, "handler failed");
          throw error; // the queue retries it with backoff
        } finally {
          log.info({ requests: eventCounter.counted, notModified: eventCounter.notModified }, "requests for this event");
        }
      };
    const on = (events: string | readonly string[], handler: (context: Context) => Promise<void>) => router.on(events, handler);

    on(
      PR_ACTIONS.map((a) => `pull_request.${a}` as const),
      handle("pull_request", async (gh, log, context) => {
        const pr = pullRequestOf(context.payload);
        const action = (context.payload as { action: string }).action;
        const push = synchronizeOf(context.payload);
        const labeled = labeledOf(context.payload);
        await evaluatePullRequest(gh, log, services, pr, { post: true, knownHeadSha: pr.headSha, ...(NEW_HEAD_ACTIONS.has(action) ? { headSha: pr.headSha } : {}), ...(push ? { push } : {}), ...(labeled ? { labeled } : {}) });
      }),
    );

    on(
      "pull_request.closed",
      handle("pull_request.closed", async (gh, log, context) => {
        const pr = pullRequestOf(context.payload);
        if (!pr.merged) return;
        await recordMergedPullRequest(gh, log, services, pr, context.id, installationIdOf(context.payload));
      }),
    );

    on(
      "push",
      handle("push", async (gh, log, context) => {
        await recordPush(gh, log, services, pushOf(context.payload), context.id, installationIdOf(context.payload));
      }),
    );

    on(
      ["pull_request_review.submitted", "pull_request_review.edited", "pull_request_review.dismissed"],
      handle("pull_request_review", async (gh, log, context) => {
        const pr = pullRequestOf(context.payload);
        await evaluatePullRequest(gh, log, services, pr, { post: true, knownHeadSha: pr.headSha });
      }),
    );

    const reevaluateCommit = async (gh: GitHubClient, log: Logger, repo: { owner: string; repo: string }, sha: string, listed: Parameters<typeof openPullRequestsForCommit>[3]) => {
      const numbers = await openPullRequestsForCommit(gh, repo, sha, listed);
      if (numbers.length === 0) log.info({ sha: sha.slice(0, 12) }, "no open pull request has this head; nothing to evaluate");
      for (const number of numbers) await evaluatePullRequest(gh, log, services, { ...repo, number }, { post: true, knownHeadSha: sha });
    };

    on(
      ["check_run.completed", "check_suite.completed"],
      handle("checks", async (gh, log, context) => {
        const field = "check_run" in (context.payload as object) ? "check_run" : "check_suite";
        const event = checkEventOf(context.payload, field);
        // Our own check run completing must not re-trigger us.
        if (event.appSlug === (await services.appSlug())) return;
        await reevaluateCommit(gh, log, event, event.headSha, event.pullRequests);
      }),
    );

    on(
      "status",
      handle("status", async (gh, log, context) => {
        const event = statusEventOf(context.payload);
        if (event.context === OWN_CHECK_NAME) return;
        await reevaluateCommit(gh, log, event, event.sha, []);
      }),
    );

    on(
      ["check_run.rerequested", "check_suite.rerequested"],
      handle("rerequested", async (gh, log, context) => {
        const field = "check_run" in (context.payload as object) ? "check_run" : "check_suite";
        const event = checkEventOf(context.payload, field);
        if (field === "check_run" && event.appSlug !== (await services.appSlug())) return;
        // A re-run gets a fresh check run.
        await services.knownCheckRuns.delete(`${event.owner}/${event.repo}@${event.headSha}`.toLowerCase());
        const numbers = await openPullRequestsForCommit(gh, event, event.headSha, event.pullRequests);
        for (const number of numbers) await evaluatePullRequest(gh, log, services, { ...event, number }, { post: true, headSha: event.headSha });
      }),
    );

    on(
      "merge_group.checks_requested",
      handle("merge_group", async (gh, log, context) => {
        const group = mergeGroupOf(context.payload);
        if (group.pullNumbers.length === 0) {
          log.warn({ headRef: group.headRef }, "merge group names no pull request; skipped");
          return;
        }
        await evaluateMergeGroup(gh, log, services, group);
      }),
    );

    // A new or reopened secret-scanning alert changes secrets.repository for every open PR.
    on(
      ["secret_scanning_alert.created", "secret_scanning_alert.reopened", "secret_scanning_alert.resolved", "secret_scanning_alert.publicly_leaked"] as const,
      handle("secret_scanning_alert", async (gh, log, context) => {
        const repo = repoOf(context.payload);
        const open = await gh.paginate("GET /repos/{owner}/{repo}/pulls", { owner: repo.owner, repo: repo.repo, state: "open", per_page: 100 });
        log.info({ openPullRequests: open.length }, "secret-scanning alert changed; re-evaluating open pull requests");
        for (const pr of open) await evaluatePullRequest(gh, log, services, { ...repo, number: pr.number }, { post: true, knownHeadSha: pr.head.sha });
      }),
    );

    // The org settings audit: the whole org on installation, one repository on its settings events.
    const orgOf = (payload: unknown): string | null => {
      const p = payload as { organization?: { login?: string }; installation?: { account?: { login?: string } }; repository?: { owner?: { login?: string } } };
      return p.organization?.login ?? p.repository?.owner?.login ?? p.installation?.account?.login ?? null;
    };
    const ownChange = async (payload: unknown) => isOwnChange(payload as never, await services.appSlug());

    // A workflow in the archive repository can ask for the export (type soc2-guard-export).
    on(
      "repository_dispatch",
      handle("repository_dispatch", async (gh, log, context) => {
        const request = parseDispatchPayload(context.payload, services.now());
        if (request.kind === "ignored") return;
        if (request.kind === "invalid") {
          log.warn({ repository: request.repository, problem: request.problem }, "export request refused");
          return;
        }
        const config = (await loadConfig(gh, request.organization)).config;
        if (request.repository.toLowerCase() !== `${request.organization}/${config.archive.repository}`.toLowerCase()) {
          log.warn({ repository: request.repository }, "export requests are only taken from the archive repository");
          return;
        }
        await exportOrganization(gh, log, services, request.organization, request.period, request.reexport);
      }),
    );

    on(
      ["installation.created", "installation_repositories.added", "organization.member_added", "organization.member_removed"],
      handle("audit-org", async (gh, log, context) => {
        const org = orgOf(context.payload);
        if (!org) throw new UnexpectedPayload("no organization in the payload");
        log.info({ account: repoOrAccount(context.payload) }, "auditing the organization");
        await runAudit(gh, log, services, { org, allowFix: !(await ownChange(context.payload)), deliveryId: context.id });
      }),
    );

    on(
      ["repository.created", "repository.publicized", "repository.privatized", "branch_protection_rule", "repository_ruleset", "member"] as const,
      handle("audit-repository", async (gh, log, context) => {
        const repo = repoOf(context.payload);
        const change = visibilityChange(context.payload as never, services.now().toISOString());
        if (change) log.warn({ change }, "repository visibility changed (confidentiality)");
        await runAudit(gh, log, services, { org: repo.owner, repo: repo.repo, allowFix: !(await ownChange(context.payload)), deliveryId: context.id });
      }),
    );

    // ── how events reach the handlers ──
    if (!runtime) {
      // Tests: Probot's receive() works the event at once and surfaces its errors.
      app.onAny(async (context) => {
        await router.dispatch(context as unknown as Context);
      });
      return;
    }

    const accept = async (job: WebhookJob): Promise<EnqueueResult> => {
      const result = await runtime.queue.enqueue(job);
      (result === "queued" ? metrics.received : metrics.duplicates).inc({ event: job.name });
      return result;
    };
    // Under `probot run`, Probot's own webhook middleware verifies and calls this; our server's ingress answers 202 itself.
    app.onAny(async (context) => {
      await accept({ id: context.id, name: context.name, payload: context.payload, receivedAt: Date.now() });
    });

    runtime.queue.start(async (job, attempt) => {
      const installationId = (job.payload as { installation?: { id?: number } } | null)?.installation?.id;
      const octokit = await app.auth(installationId);
      const context = new Context({ id: job.id, name: job.name, payload: job.payload } as never, octokit, app.log);
      const log = app.log.child({ delivery: job.id, event: job.name, attempt });
      try {
        const handled = await router.dispatch(context);
        metrics.processed.inc({ event: job.name });
        if (handled > 0 && CHECK_EVENTS.has(job.name)) metrics.eventToCheck.observe((Date.now() - job.receivedAt) / 1000);
      } catch (error) {
        metrics.failed.inc({ event: job.name });
        log.warn({ err: describeError(error) }, "delivery failed; the queue retries it with backoff");
        throw error;
      }
    });

    // ── scheduled work, once across replicas ──
    /** True once shutdown began: not ready, no redelivery asked for. */
    let draining = false;
    const tasks: ScheduledTask[] = [];
    if (process.env.SOC2_GUARD_DAILY !== "off") {
      // The daily pass: evidence reconciliation (and the spool), then every organization's settings (2FA changes send no event).
      tasks.push({
        name: "daily-reconcile-and-audit",
        cadence: { kind: "daily", hourUtc: Number(process.env.SOC2_GUARD_DAILY_HOUR_UTC ?? 3) },
        run: async () => {
          await forEachOrganizationInstallation(
            app,
            async (gh, org) => {
              installRequestAccounting(gh, { cache: services.etagCache, counters: [services.counter, metricsCounter] });
              await reconcileOrganization(gh, app.log, services, org);
              await runAudit(gh, app.log, services, { org, allowFix: true });
            },
            (org, error) => app.log.error({ org, err: describeError(error) }, "daily audit failed"),
          );
        },
      });
    }
    if (process.env.SOC2_GUARD_EXPORT_SCHEDULE !== "off" && process.env.SOC2_GUARD_DAILY !== "off") {
      // The monthly export: first of the month, 02:00 UTC by default (SOC2_GUARD_EXPORT_SCHEDULE="DAY HOUR").
      const [day, hour] = (process.env.SOC2_GUARD_EXPORT_SCHEDULE ?? "1 2").split(/\s+/).map(Number);
      tasks.push({
        name: "monthly-export",
        // SOC2_GUARD_EXPORT_EVERY_SECONDS (soak only): fire every N seconds to prove one export per period across replicas.
        cadence: process.env.SOC2_GUARD_EXPORT_EVERY_SECONDS
          ? { kind: "every", ms: Number(process.env.SOC2_GUARD_EXPORT_EVERY_SECONDS) * 1000, atStart: false }
          : { kind: "monthly", dayOfMonth: day ?? 1, hourUtc: hour ?? 2 },
        // A failed export is tried again, backing off, not a month later; an organization already exported answers "already exported".
        retry: { attempts: 8, baseMs: Number(process.env.SOC2_GUARD_EXPORT_RETRY_BASE_MS ?? 60_000), capMs: 3_600_000 },
        run: async (firedAt) => {
          const period = previousMonthLabel(firedAt);
          const failed: string[] = [];
          await forEachOrganizationInstallation(
            app,
            (gh, org) => exportOrganization(gh, app.log, services, org, period).then(() => undefined),
            (org, error) => {
              failed.push(org);
              app.log.error({ org, period, err: describeError(error) }, "monthly export failed; it is tried again");
            },
          );
          if (failed.length > 0) throw new Error(`the ${period} export failed for ${failed.join(", ")}`);
        },
      });
    }
    const recoveryMinutes = process.env.SOC2_GUARD_RECOVERY_MINUTES ?? "5";
    if (recoveryMinutes !== "off") {
      tasks.push({
        name: "delivery-recovery",
        cadence: { kind: "every", ms: Number(recoveryMinutes) * 60_000, atStart: true },
        run: async () => {
          const appClient = (await app.auth()) as unknown as GitHubClient;
          installRequestAccounting(appClient, { counters: [services.counter, metricsCounter] });
          const result = await recoverDeliveries({
            attempts: (since) => hookDeliveriesSince(appClient, since),
            redeliver: (id) => requestRedelivery(appClient, id),
            known: (guid) => runtime.queue.knows(guid),
            marks: runtime.marks,
            now: services.now,
            stopping: () => draining,
          });
          metrics.redelivered.inc(result.redelivered.length);
          if (result.failed > 0) app.log.info({ ...result, redelivered: result.redelivered.length, givenUp: result.givenUp.length }, "delivery recovery");
          if (result.givenUp.length > 0) app.log.error({ deliveries: result.givenUp.slice(0, 20) }, "deliveries still failing after every redelivery we asked for: see the app's Advanced tab");
        },
      });
    }
    void runtime.schedules.start(tasks).catch((error: unknown) => app.log.error({ err: describeError(error) }, "schedules could not start"));

    // ── the HTTP side: health, metrics, ingress, shutdown ──
    // Without a finer report from the evidence path: records waiting for 15 minutes on end are stuck.
    let waitingSince: number | null = null;
    const spoolStuck = (): string | null => {
      const waiting = services.pendingEvidence();
      if (waiting === 0) waitingSince = null;
      else waitingSince ??= Date.now();
      return waitingSince !== null && Date.now() - waitingSince > 15 * 60_000 ? `${waiting} evidence records waiting for the archive for over 15 minutes` : null;
    };
    let appAuthCheckedAt = 0;
    const health = healthEndpoints({
      metrics,
      draining: () => draining,
      beforeScrape: async () => {
        metrics.observeQueue(await runtime.queue.stats());
        metrics.evidenceWaiting.set(services.pendingEvidence());
      },
      checks: [
        { name: runtime.kind === "redis" ? "redis" : "state", check: () => runtime.storeProblem() },
        {
          name: "github",
          check: async () => {
            if (Date.now() - appAuthCheckedAt < 60_000) return null;
            await (await app.auth()).request("GET /app");
            appAuthCheckedAt = Date.now();
            return null;
          },
        },
        { name: "evidence", check: async () => (services.evidenceProblem ? services.evidenceProblem() : spoolStuck()) },
      ],
    });
    try {
      probotOptions?.addHandler?.(health);
      // The auditor's portal under /soc2-guard/ on the app's own HTTP server.
      probotOptions?.addHandler?.(portalHandler(app, services));
    } catch {
      // Probot without a server (a bench, a test): the caller serves the endpoints itself
    }
    const handleRef: AppRuntime = {
      runtime,
      metrics,
      services,
      health,
      ingress: (path) =>
        webhookIngress({
          path,
          verify: (body, signature) => app.webhooks.verify(body, signature),
          accept,
          onRejected: (reason, id) => app.log.warn({ delivery: id, reason }, "webhook refused"),
          onError: (error, id) => app.log.error({ delivery: id, err: describeError(error) }, "could not queue the delivery"),
        }),
      idle: () => runtime.queue.idle(),
      shutdown: async (graceMs) => {
        draining = true;
        await runtime.schedules.stop();
        // The evidence path finishes what it is collecting in the same grace; the rest stays in its spool.
        await Promise.all([runtime.queue.drain(graceMs), drainEvidence(services, graceMs)]);
        await runtime.close();
      },
    };
    options.onRuntime?.(handleRef);
  };
}

/** Services from the environment, as `probot run` starts the app: keys checked first (production refuses to start without them). */
function servicesFromEnvironment(app: Probot, shared: Partial<AppServices>, sharedSpool?: SharedSpools): AppServices {
  const keys = loadAppKeys(process.env);
  if (keys.throwaway.length > 0) app.log.warn({ throwaway: keys.throwaway }, "running with throwaway keys (development): evidence signed now cannot be verified after a restart");
  const interval = Number(process.env.SOC2_GUARD_CHECKPOINT_INTERVAL_MS ?? 60_000);
  return createServices(
    {
      appSlug: memo(async () => process.env.APP_SLUG ?? (await (await app.auth()).request("GET /app")).data?.slug ?? "soc2-guard"),
      appId: memo(async () => (Number(process.env.APP_ID) > 0 ? Number(process.env.APP_ID) : ((await (await app.auth()).request("GET /app")).data?.id ?? null))),
      fingerprintKey: keys.fingerprintKey,
      signingKey: keys.signingKey,
      previousSigningKey: keys.previousSigningKey,
      ...shared,
    },
    {
      archiveDir: process.env.ARCHIVE_DIR,
      spoolDir: process.env.SOC2_GUARD_SPOOL_DIR ?? join(process.cwd(), ".soc2-guard", "pending"),
      ...(sharedSpool ? { sharedSpool } : {}),
      checkpoints: {
        intervalMs: Number.isFinite(interval) && interval >= 0 ? interval : 60_000,
        ...(process.env.SOC2_GUARD_CHECKPOINTS_FILE ? { file: process.env.SOC2_GUARD_CHECKPOINTS_FILE } : {}),
        log: { warn: (fields, message) => app.log.warn(fields, message), info: (fields, message) => app.log.info(fields, message) },
      },
    },
  );
}

function repoOrAccount(payload: unknown): string {
  try {
    const r = repoOf(payload);
    return `${r.owner}/${r.repo}`;
  } catch {
    return String((payload as { installation?: { account?: { login?: string } } }).installation?.account?.login ?? "unknown");
  }
}

function installationIdOf(payload: unknown): number | null {
  const id = (payload as { installation?: { id?: unknown } }).installation?.id;
  return typeof id === "number" ? id : null;
}

function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= fn().catch((error) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}

export default createApp();
