// Settings events and the daily pass → the org audit → drift issues. Changes the app made
// itself are audited but never fixed again, so a fix can never loop.

import type { GitHubClient } from "../github/transport/client.js";
import type { AppServices } from "./services.js";
import type { Logger } from "./evaluate-pull-request.js";
import { auditOrganization, auditRepository, type AuditResult } from "../github/audit/org-audit-run.js";
import { syncDriftIssues } from "../github/audit/org-audit-issues.js";
import { loadConfig } from "../github/facts/config-loader.js";
import { configuredBy } from "../github/evidence/evidence-settings-change.js";
import { buildSettingsChangeRecord } from "../evidence/record.js";

export interface AuditTrigger {
  org: string;
  /** One repository, or the whole organization. */
  repo?: string;
  /** false when the app's own change triggered this. */
  allowFix: boolean;
  /** The webhook delivery that triggered the audit, for the settings-change records. */
  deliveryId?: string;
}

export async function runAudit(gh: GitHubClient, log: Logger, services: AppServices, trigger: AuditTrigger): Promise<AuditResult> {
  const resolved = await loadConfig(gh, trigger.org);
  const options = { cache: services.etagCache, now: services.now, allowFix: trigger.allowFix };
  const result = trigger.repo
    ? await auditRepository(gh, trigger.org, trigger.repo, resolved.config, options)
    : await auditOrganization(gh, trigger.org, resolved.config, options);
  // Every settings change the app made (or tried) is evidence: before, after, on whose configuration.
  if (result.changes.length > 0) {
    const by = await configuredBy(gh, trigger.org, resolved.sources);
    const records = result.changes.map((c) =>
      buildSettingsChangeRecord({
        repository: c.repository,
        change: { policy: c.policy, request: c.request, description: c.description, before: c.before, after: c.body, outcome: c.outcome, status: c.status },
        configuredBy: by,
        configHash: resolved.hash,
        at: c.at,
        meta: { deliveryId: trigger.deliveryId ?? "settings-audit", appVersion: services.appVersion, collectedAt: services.now().toISOString() },
      }),
    );
    const archive = services.archiveFor(gh, trigger.org, resolved.config.archive);
    const written = await archive.append(records);
    log.info({ org: trigger.org, records: records.length, written: written.written.length, spooled: written.spooled }, "settings changes recorded as evidence");
  }
  const sync = await syncDriftIssues(gh, trigger.org, result.audits, {
    archiveRepository: resolved.config.archive.repository,
    audit: resolved.config.audit,
    now: services.now,
    applied: result.applied,
    summary: trigger.repo === undefined && resolved.config.audit.issues.summary,
  });
  const failing = result.audits.filter((a) => a.results.some((r) => r.status === "fail")).length;
  log.info({ org: trigger.org, repo: trigger.repo ?? "(all)", audited: result.audits.length, failing, fixes: result.changes.length, issues: Object.values(sync.actions).map((a) => a.action) }, "settings audit");
  return result;
}
