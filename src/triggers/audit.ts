// Settings events and the daily pass → the org audit → drift issues. Changes the app made
// itself are audited but never fixed again, so a fix can never loop.

import type { GitHubClient } from "../github/client.js";
import type { AppServices } from "./services.js";
import type { Logger } from "./evaluate-pull-request.js";
import { auditOrganization, auditRepository, type AuditResult } from "../github/org-audit-run.js";
import { syncDriftIssues } from "../github/org-audit-issues.js";
import { loadConfig } from "../github/config-loader.js";

export interface AuditTrigger {
  org: string;
  /** One repository, or the whole organization. */
  repo?: string;
  /** false when the app's own change triggered this. */
  allowFix: boolean;
}

export async function runAudit(gh: GitHubClient, log: Logger, services: AppServices, trigger: AuditTrigger): Promise<AuditResult> {
  const resolved = await loadConfig(gh, trigger.org);
  const options = { cache: services.etagCache, now: services.now, allowFix: trigger.allowFix };
  const result = trigger.repo
    ? await auditRepository(gh, trigger.org, trigger.repo, resolved.config, options)
    : await auditOrganization(gh, trigger.org, resolved.config, options);
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
