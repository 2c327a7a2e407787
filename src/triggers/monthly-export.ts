// The monthly evidence export as the app runs it: from the in-process schedule or a
// `repository_dispatch` in the archive repository. Either way the export issue for the
// period is the lock, so several replicas and several triggers make one export.

import type { ReexportRequest } from "../export/dispatch.js";
import type { GitHubClient } from "../github/transport/client.js";
import type { AppServices } from "./services.js";
import type { Logger } from "./evaluate-pull-request.js";
import { runMonthlyExport, type MonthlyExportResult } from "../github/export/export-run.js";
import { loadConfig } from "../github/facts/config-loader.js";
import { configHashReader, pullRequestEvidenceLoader } from "../github/evidence/evidence-reconcile.js";

/** The month before `now`, as YYYY-MM: what a run on the first of the month exports. */
export function previousMonth(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

export async function exportOrganization(gh: GitHubClient, log: Logger, services: AppServices, org: string, period: string, reexport: ReexportRequest | null = null): Promise<MonthlyExportResult> {
  const resolved = await loadConfig(gh, org);
  const archive = services.archiveFor(gh, org, resolved.config.archive);
  const runId = `export:${period}`;
  const result = await runMonthlyExport(
    {
      gh,
      archive,
      location: services.archiveDir
        ? { kind: "directory", dir: services.archiveDir }
        : { kind: "repository", owner: org, repo: resolved.config.archive.repository, branch: resolved.config.archive.branch },
      issues: services.issuesFor(gh, org, resolved.config.archive),
      now: services.now,
      signingKey: services.signingKey,
      log: { info: (message) => log.info({ org, period }, message), warn: (message) => log.warn({ org, period }, message) },
      backfill: {
        loadPullRequestEvidence: pullRequestEvidenceLoader(gh, { appSlug: await services.appSlug(), fingerprintKey: services.fingerprintKey, runId, now: services.now }),
        configHashFor: configHashReader(gh),
        appVersion: services.appVersion,
      },
    },
    { org, period, reexport },
  );
  log.info({ org, period, status: result.status, ...("issueUrl" in result ? { issue: result.issueUrl } : {}), ...("reason" in result ? { reason: result.reason } : {}) }, "monthly evidence export");
  return result;
}
