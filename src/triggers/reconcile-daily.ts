// The daily in-app reconciliation: webhooks are never retried by GitHub, so once a day the
// month so far (and, in the first days of a month, the month before) is compared with the
// ledger and every missing record is backfilled, marked collected late. Then the newest
// checkpoint the app anchored is looked for on the anchor and posted again if it is gone.

import type { GitHubClient } from "../github/transport/client.js";
import type { AppServices } from "./services.js";
import type { Logger } from "./evaluate-pull-request.js";
import { configHashReader, organizationTargets, pullRequestEvidenceLoader, reconcileArchive } from "../github/evidence/evidence-reconcile.js";
import { loadConfig } from "../github/facts/config-loader.js";
import { monthPeriod } from "../evidence/reconcile.js";

export function periodsToReconcile(now: Date): string[] {
  const month = now.toISOString().slice(0, 7);
  if (now.getUTCDate() > 3) return [month];
  const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  return [previous, month];
}

export async function reconcileOrganization(gh: GitHubClient, log: Logger, services: AppServices, org: string): Promise<void> {
  const resolved = await loadConfig(gh, org);
  const archive = services.archiveFor(gh, org, resolved.config.archive);
  await archive.retry();
  const targets = await organizationTargets(gh, org, resolved.config.archive.repository);
  for (const label of periodsToReconcile(services.now())) {
    const period = monthPeriod(label)!;
    const runId = `reconcile:${label}:${services.now().toISOString()}`;
    const report = await reconcileArchive({
      gh,
      archive,
      targets,
      period,
      loadPullRequestEvidence: pullRequestEvidenceLoader(gh, { appSlug: await services.appSlug(), fingerprintKey: services.fingerprintKey, runId, now: services.now }),
      configHashFor: configHashReader(gh),
      appVersion: services.appVersion,
      runId,
      now: services.now,
    });
    log.info({ org, period: label, population: report.population, records: report.found, addedLate: report.added.length, failed: report.failed.length }, "reconciled evidence");
  }
  const publisher = services.checkpointPublisherFor(org, resolved.config.archive);
  if (publisher) log.info({ org, checkpoint: await publisher.reassert() }, "checked the newest anchored checkpoint");
}
