// Probot entry: subscribes webhook events to triggers. Thin by design — every decision
// lives in src/controls and src/verdict, every request in src/github.

import type { Context, Probot } from "probot";
import { installRequestAccounting, RequestCounter } from "./github/request-accounting.js";
import { installSecondaryRateLimitRetry } from "./github/secondary-rate-limit.js";
import type { GitHubClient } from "./github/client.js";
import { openPullRequestsForCommit } from "./github/pulls-for-commit.js";
import { OWN_CHECK_NAME } from "./controls/identities.js";
import { createServices, type AppServices } from "./triggers/services.js";
import { describeError, evaluatePullRequest, type Logger } from "./triggers/evaluate-pull-request.js";
import { checkEventOf, mergeGroupOf, pullRequestOf, pushOf, repoOf, statusEventOf, UnexpectedPayload } from "./triggers/payloads.js";
import { recordMergedPullRequest, recordPush } from "./triggers/record-evidence.js";
import { runAudit } from "./triggers/audit.js";
import { isOwnChange } from "./audit/own-change.js";
import { visibilityChange } from "./audit/visibility-change.js";
import { loadFingerprintKey } from "./secrets/fingerprint-key.js";
import { join } from "node:path";
import { WorkTracker } from "./triggers/work-tracker.js";
import { loadConfig } from "./github/config-loader.js";
import { forEachOrganizationInstallation, scheduleDaily } from "./triggers/installations.js";
import { reconcileOrganization } from "./triggers/reconcile-daily.js";
import { exportOrganization } from "./triggers/monthly-export.js";
import { MonthlySchedule } from "./export/schedule.js";
import { parseDispatchPayload } from "./export/dispatch.js";

export interface AppOptions {
  services?: AppServices;
  /** Answer the webhook at once and evaluate in the background (production), or await the work (tests). */
  background?: boolean;
  tracker?: WorkTracker;
  /** Hands the services to the caller (the sandbox's soak watches the evidence spool). */
  onServices?: (services: AppServices) => void;
}

const PR_ACTIONS = ["opened", "reopened", "synchronize", "ready_for_review", "edited", "labeled", "unlabeled"] as const;
const NEW_HEAD_ACTIONS = new Set(["opened", "reopened", "synchronize"]);

export function createApp(options: AppOptions = {}) {
  return (app: Probot): void => {
    const services =
      options.services ??
      createServices({
        appSlug: memo(async () => process.env.APP_SLUG ?? (await (await app.auth()).request("GET /app")).data?.slug ?? "soc2-guard"),
        fingerprintKey: loadFingerprintKey(process.env),
      }, { archiveDir: process.env.ARCHIVE_DIR, spoolDir: process.env.SOC2_GUARD_SPOOL_DIR ?? join(process.cwd(), ".soc2-guard", "pending") });
    options.onServices?.(services);
    const tracker = options.tracker ?? new WorkTracker();
    const background = options.background ?? process.env.NODE_ENV !== "test";

    /** Wraps a handler: per-event request counting, payload validation, background work. */
    const handle =
      (name: string, work: (gh: GitHubClient, log: Logger, context: Context) => Promise<void>) =>
      async (context: Context): Promise<void> => {
        const gh = context.octokit as unknown as GitHubClient;
        const eventCounter = new RequestCounter();
        installRequestAccounting(gh, { cache: services.etagCache, counters: [services.counter, eventCounter] });
        installSecondaryRateLimitRetry(gh);
        const log = context.log.child({ delivery: context.id, event: name });
        const job = (async () => {
          try {
            await work(gh, log, context);
          } catch (error) {
            if (error instanceof UnexpectedPayload) {
              log.warn({ problem: error.message }, "unexpected payload; skipped");
              return;
            }
            log.error({ err: describeError(error) }, "handler failed");
            if (!background) throw error;
          } finally {
            log.info({ requests: eventCounter.counted, notModified: eventCounter.notModified }, "requests for this event");
          }
        })();
        if (background) tracker.add(job);
        else await job;
      };

    app.on(
      PR_ACTIONS.map((a) => `pull_request.${a}` as const),
      handle("pull_request", async (gh, log, context) => {
        const pr = pullRequestOf(context.payload);
        const action = (context.payload as { action: string }).action;
        await evaluatePullRequest(gh, log, services, pr, { post: true, ...(NEW_HEAD_ACTIONS.has(action) ? { headSha: pr.headSha } : {}) });
      }),
    );

    app.on(
      "pull_request.closed",
      handle("pull_request.closed", async (gh, log, context) => {
        const pr = pullRequestOf(context.payload);
        if (!pr.merged) return;
        await recordMergedPullRequest(gh, log, services, pr, context.id);
      }),
    );

    app.on(
      "push",
      handle("push", async (gh, log, context) => {
        await recordPush(gh, log, services, pushOf(context.payload), context.id);
      }),
    );

    app.on(
      ["pull_request_review.submitted", "pull_request_review.edited", "pull_request_review.dismissed"],
      handle("pull_request_review", async (gh, log, context) => {
        await evaluatePullRequest(gh, log, services, pullRequestOf(context.payload), { post: true });
      }),
    );

    const reevaluateCommit = async (gh: GitHubClient, log: Logger, repo: { owner: string; repo: string }, sha: string, listed: Parameters<typeof openPullRequestsForCommit>[3]) => {
      const numbers = await openPullRequestsForCommit(gh, repo, sha, listed);
      if (numbers.length === 0) log.info({ sha: sha.slice(0, 12) }, "no open pull request has this head; nothing to evaluate");
      for (const number of numbers) await evaluatePullRequest(gh, log, services, { ...repo, number }, { post: true });
    };

    app.on(
      ["check_run.completed", "check_suite.completed"],
      handle("checks", async (gh, log, context) => {
        const field = "check_run" in (context.payload as object) ? "check_run" : "check_suite";
        const event = checkEventOf(context.payload, field);
        // Our own check run completing must not re-trigger us.
        if (event.appSlug === (await services.appSlug())) return;
        await reevaluateCommit(gh, log, event, event.headSha, event.pullRequests);
      }),
    );

    app.on(
      "status",
      handle("status", async (gh, log, context) => {
        const event = statusEventOf(context.payload);
        if (event.context === OWN_CHECK_NAME) return;
        await reevaluateCommit(gh, log, event, event.sha, []);
      }),
    );

    app.on(
      ["check_run.rerequested", "check_suite.rerequested"],
      handle("rerequested", async (gh, log, context) => {
        const field = "check_run" in (context.payload as object) ? "check_run" : "check_suite";
        const event = checkEventOf(context.payload, field);
        if (field === "check_run" && event.appSlug !== (await services.appSlug())) return;
        // A re-run gets a fresh check run.
        services.knownCheckRuns.delete(`${event.owner}/${event.repo}@${event.headSha}`.toLowerCase());
        const numbers = await openPullRequestsForCommit(gh, event, event.headSha, event.pullRequests);
        for (const number of numbers) await evaluatePullRequest(gh, log, services, { ...event, number }, { post: true, headSha: event.headSha });
      }),
    );

    app.on(
      "merge_group.checks_requested",
      handle("merge_group", async (gh, log, context) => {
        const group = mergeGroupOf(context.payload);
        if (group.pullNumbers.length === 0) {
          log.warn({ headRef: group.headRef }, "merge group names no pull request; skipped");
          return;
        }
        for (const number of group.pullNumbers) {
          await evaluatePullRequest(gh, log, services, { owner: group.owner, repo: group.repo, number }, { post: true, reportOnSha: group.headSha });
        }
      }),
    );

    // A new or reopened secret-scanning alert changes secrets.repository for every open PR.
    app.on(
      ["secret_scanning_alert.created", "secret_scanning_alert.reopened", "secret_scanning_alert.resolved", "secret_scanning_alert.publicly_leaked"] as never,
      handle("secret_scanning_alert", async (gh, log, context) => {
        const repo = repoOf(context.payload);
        const open = await gh.paginate("GET /repos/{owner}/{repo}/pulls", { owner: repo.owner, repo: repo.repo, state: "open", per_page: 100 });
        log.info({ openPullRequests: open.length }, "secret-scanning alert changed; re-evaluating open pull requests");
        for (const pr of open) await evaluatePullRequest(gh, log, services, { ...repo, number: pr.number }, { post: true });
      }),
    );

    // The org settings audit (DESIGN §7): the whole org on installation, one repository on its settings events.
    const orgOf = (payload: unknown): string | null => {
      const p = payload as { organization?: { login?: string }; installation?: { account?: { login?: string } }; repository?: { owner?: { login?: string } } };
      return p.organization?.login ?? p.repository?.owner?.login ?? p.installation?.account?.login ?? null;
    };
    const ownChange = async (payload: unknown) => isOwnChange(payload as never, await services.appSlug());

    // The daily pass: evidence reconciliation (and the spool), then every organization's
    // settings (2FA changes send no event). Only in a running server, never in tests.
    if (background && process.env.SOC2_GUARD_DAILY !== "off") {
      scheduleDaily(async () => {
        await forEachOrganizationInstallation(
          app,
          async (gh, org) => {
            installRequestAccounting(gh, { cache: services.etagCache, counters: [services.counter] });
            await reconcileOrganization(gh, app.log, services, org);
            await runAudit(gh, app.log, services, { org, allowFix: true });
          },
          (org, error) => app.log.error({ org, err: describeError(error) }, "daily audit failed"),
        );
      }, Number(process.env.SOC2_GUARD_DAILY_HOUR_UTC ?? 3));

      // The monthly export: first of the month, 02:00 UTC by default (SOC2_GUARD_EXPORT_SCHEDULE="DAY HOUR").
      const [day, hour] = (process.env.SOC2_GUARD_EXPORT_SCHEDULE ?? "1 2").split(/\s+/).map(Number);
      new MonthlySchedule(
        async (period) => {
          await forEachOrganizationInstallation(
            app,
            (gh, org) => exportOrganization(gh, app.log, services, org, period).then(() => undefined),
            (org, error) => app.log.error({ org, period, err: describeError(error) }, "monthly export failed"),
          );
        },
        { spec: { dayOfMonth: day ?? 1, hourUtc: hour ?? 2 }, onError: (error, period) => app.log.error({ period, err: describeError(error) }, "monthly export failed") },
      ).start();
    }

    // A workflow in the archive repository can ask for the export (type soc2-guard-export).
    app.on(
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
        await exportOrganization(gh, log, services, request.organization, request.period);
      }),
    );

    app.on(
      ["installation.created", "installation_repositories.added", "organization.member_added", "organization.member_removed"],
      handle("audit-org", async (gh, log, context) => {
        const org = orgOf(context.payload);
        if (!org) throw new UnexpectedPayload("no organization in the payload");
        log.info({ account: repoOrAccount(context.payload) }, "auditing the organization");
        await runAudit(gh, log, services, { org, allowFix: !(await ownChange(context.payload)) });
      }),
    );

    app.on(
      ["repository.created", "repository.publicized", "repository.privatized", "branch_protection_rule", "repository_ruleset", "member"] as never,
      handle("audit-repository", async (gh, log, context) => {
        const repo = repoOf(context.payload);
        const change = visibilityChange(context.payload as never, services.now().toISOString());
        if (change) log.warn({ change }, "repository visibility changed (confidentiality)");
        await runAudit(gh, log, services, { org: repo.owner, repo: repo.repo, allowFix: !(await ownChange(context.payload)) });
      }),
    );
  };
}

function repoOrAccount(payload: unknown): string {
  try {
    const r = repoOf(payload);
    return `${r.owner}/${r.repo}`;
  } catch {
    return String((payload as { installation?: { account?: { login?: string } } }).installation?.account?.login ?? "unknown");
  }
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
