// Entry points for the org settings audit, called by the Probot triggers, the
// daily schedule and the CLI. Loading is I/O (org-audit-loader), judging is pure
// (src/audit/), effects are opt-in (fixes) or separate (syncDriftIssues).
//
// Which events call what (wired by the app):
//   installation.created, installation_repositories.added → auditOrganization (all repositories) + syncDriftIssues(summary)
//   daily schedule                                      → auditOrganization + syncDriftIssues(summary)
//   repository.created, repository.publicized/privatized,
//   branch_protection_rule.*, repository_ruleset.*      → auditRepository(that repository) + syncDriftIssues
//     (publicized/privatized also → visibilityChange(payload) as a confidentiality record)
//   member.*                                            → auditRepository(payload.repository) (collaborator access changed)
//   organization.member_added/removed/member_invited,
//   organization (2FA setting changes arrive as no event; the daily pass catches them)
//                                                       → auditOrganization
//   Any event where isOwnChange(payload, appSlug)       → audit with { allowFix: false } — never fix in a loop.

import type { GitHubClient } from "../transport/client.js";
import { installRequestAccounting, type EtagCache, type RequestCounter } from "../transport/request-accounting.js";
import { loadListedRepository, loadOrgContext, loadRepositoryFacts, type ListedRepository, type OrgContext } from "./org-audit-loader.js";
import { applyFixes, type SettingsChangeRecord } from "./org-audit-fixer.js";
import { evaluateRepository, type RepositoryAudit } from "../../audit/evaluate.js";
import { auditConfigOf, type AuditableConfig } from "../../audit/config.js";
import type { AppliedChange } from "../../audit/report.js";
import { minimatch } from "minimatch";

export interface AuditOptions {
  /** Shared across passes so unchanged org-level answers come back as free 304s. */
  cache?: EtagCache;
  counters?: RequestCounter[];
  now?: () => Date;
  /** false when the trigger was the app's own change: report, never fix. Default true. */
  allowFix?: boolean;
  batchSize?: number;
  concurrency?: number;
}

export interface AuditResult {
  org: string;
  audits: RepositoryAudit[];
  /** Fixes applied this pass, by repository full name (for syncDriftIssues). */
  applied: Record<string, AppliedChange[]>;
  /** One record per applied (or failed) fix, for the evidence trail. */
  changes: SettingsChangeRecord[];
}

function prepare(gh: GitHubClient, options: AuditOptions): void {
  if (options.cache || options.counters) installRequestAccounting(gh, { ...(options.cache ? { cache: options.cache } : {}), counters: options.counters ?? [] });
}

/** Which listed repositories the config audits. */
export function selectRepositories(repositories: ListedRepository[], config: AuditableConfig): ListedRepository[] {
  const audit = auditConfigOf(config);
  const matches = (name: string, patterns: string[]) => patterns.some((p) => minimatch(name, p, { nocase: true }));
  return repositories.filter(
    (r) =>
      (audit.includeArchived || !r.archived) &&
      (audit.includeForks || !r.fork) &&
      (audit.include.length === 0 || matches(r.name, audit.include)) &&
      !matches(r.name, audit.exclude),
  );
}

async function judge(gh: GitHubClient, context: OrgContext, repositories: ListedRepository[], config: AuditableConfig, options: AuditOptions): Promise<AuditResult> {
  const loadOptions = { ...(options.batchSize ? { batchSize: options.batchSize } : {}), ...(options.concurrency ? { concurrency: options.concurrency } : {}), ...(options.now ? { now: options.now } : {}) };
  const facts = await loadRepositoryFacts(gh, context, repositories, loadOptions);
  let audits = facts.map((f) => evaluateRepository(f, config));
  const applied: Record<string, AppliedChange[]> = {};
  const changes: SettingsChangeRecord[] = [];
  if (options.allowFix !== false) {
    for (const audit of audits) {
      if (!audit.fixes.some((c) => c.mode === "apply")) continue;
      const outcome = await applyFixes(gh, audit.repo.fullName, audit.fixes, options.now);
      applied[audit.repo.fullName] = outcome.applied;
      changes.push(...outcome.records);
    }
    // Re-read what we changed so the report shows the settings as they are now.
    const changed = repositories.filter((r) => applied[r.full_name]?.some((c) => c.ok));
    if (changed.length > 0) {
      const refreshed = new Map((await loadRepositoryFacts(gh, context, changed, loadOptions)).map((f) => [f.repo.fullName, evaluateRepository(f, config)]));
      audits = audits.map((a) => refreshed.get(a.repo.fullName) ?? a);
    }
  }
  return { org: context.org.org, audits, applied, changes };
}

/** Audits every repository the config selects in `org`. */
export async function auditOrganization(gh: GitHubClient, org: string, config: AuditableConfig, options: AuditOptions = {}): Promise<AuditResult> {
  prepare(gh, options);
  const context = await loadOrgContext(gh, org);
  return judge(gh, context, selectRepositories(context.repositories, config), config, options);
}

/** Audits one repository (after an event about it); org-level answers are conditional requests. */
export async function auditRepository(gh: GitHubClient, org: string, repo: string, config: AuditableConfig, options: AuditOptions = {}): Promise<AuditResult> {
  prepare(gh, options);
  const [context, listed] = await Promise.all([loadOrgContext(gh, org, { listRepositories: false }), loadListedRepository(gh, org, repo)]);
  return judge(gh, context, [listed], config, options);
}
