// Drift issues in the archive repository: one per audited repository, found again by the
// hidden marker in its body (never by title search), so a pass is idempotent:
//   first failure → create · findings changed → edit in place · fixed → comment + close ·
//   back again → reopen · unchanged → nothing. Comments (which notify) are rate-limited by
//   `repingAfterHours`; edits do not notify. One listing request (conditional) finds them all.

import type { GitHubClient } from "../transport/client.js";
import type { RepositoryAudit } from "../../audit/evaluate.js";
import type { AuditConfig } from "../../config/audit.js";
import { parseDriftMarker, parseSummaryMarker, renderDriftIssue, renderSummaryIssue, summaryHash, type AppliedChange } from "../../audit/report.js";

interface ListedIssue {
  number: number;
  state: "open" | "closed";
  title: string;
  body?: string | null;
  pull_request?: unknown;
}

export interface DriftSyncOptions {
  /** The archive repository (owner is the org). */
  archiveRepository: string;
  audit: AuditConfig;
  now?: () => Date;
  /** Fixes applied this pass, by repository full name, shown in the issue. */
  applied?: Record<string, AppliedChange[]>;
  /** Update the summary issue too (only after a whole-org pass). */
  summary?: boolean;
}

export type DriftAction = "created" | "edited" | "reopened" | "closed" | "unchanged";

export interface DriftSyncResult {
  actions: Record<string, { action: DriftAction; issue: number | null; commented: boolean }>;
  summaryIssue: { number: number; action: "created" | "edited" | "unchanged" } | null;
  duplicatesClosed: number[];
}

export async function syncDriftIssues(gh: GitHubClient, org: string, audits: RepositoryAudit[], options: DriftSyncOptions): Promise<DriftSyncResult> {
  const now = options.now?.() ?? new Date();
  const at = now.toISOString();
  const repo = options.archiveRepository;
  const label = options.audit.issues.label;
  const repingMs = options.audit.issues.repingAfterHours * 3_600_000;
  const listed = (await gh.paginate("GET /repos/{owner}/{repo}/issues", { owner: org, repo, labels: label, state: "all", per_page: 100 })) as unknown as ListedIssue[];
  const issues = listed.filter((i) => !i.pull_request);

  // The issue for each repository: the open one if any, else the most recent; extra open ones are duplicates.
  const byRepo = new Map<string, ListedIssue>();
  const duplicates: ListedIssue[] = [];
  for (const issue of [...issues].sort((a, b) => a.number - b.number)) {
    const marker = parseDriftMarker(issue.body);
    if (!marker) continue;
    const current = byRepo.get(marker.repo);
    if (!current) byRepo.set(marker.repo, issue);
    else if (current.state === "open" && issue.state === "open") duplicates.push(issue);
    else if (issue.state === "open" || current.state === "closed") byRepo.set(marker.repo, issue);
  }

  let labelEnsured = issues.length > 0;
  const ensureLabel = async () => {
    if (labelEnsured) return;
    labelEnsured = true;
    try {
      await gh.request("POST /repos/{owner}/{repo}/labels", { owner: org, repo, name: label, color: "d93f0b", description: "Repository settings drift found by soc2-guard" });
    } catch (error) {
      if ((error as { status?: number }).status !== 422) throw error; // 422: it already exists
    }
  };
  const comment = (issue: number, body: string) => gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: org, repo, issue_number: issue, body });
  const failing = (audit: RepositoryAudit) => audit.results.filter((r) => r.status === "fail").map((r) => `- \`${r.id}\`: ${r.reason}`).join("\n");

  const result: DriftSyncResult = { actions: {}, summaryIssue: null, duplicatesClosed: [] };
  for (const audit of audits) {
    const name = audit.repo.fullName;
    const issue = byRepo.get(name);
    const marker = issue ? parseDriftMarker(issue.body) : null;
    const applied = options.applied?.[name] ?? [];
    const mayPing = !marker || now.getTime() - Date.parse(marker.pinged) >= repingMs;

    if (audit.status !== "fail") {
      if (issue?.state === "open") {
        const fixedBy = applied.some((c) => c.ok) ? " after soc2-guard applied the configured fixes" : "";
        await comment(issue.number, `✅ Fixed: ${name} meets the settings bar again${fixedBy} (audited ${at}). Closing.`);
        await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { owner: org, repo, issue_number: issue.number, state: "closed", state_reason: "completed" });
        result.actions[name] = { action: "closed", issue: issue.number, commented: true };
      } else result.actions[name] = { action: "unchanged", issue: issue?.number ?? null, commented: false };
      continue;
    }

    if (!issue) {
      await ensureLabel();
      const { title, body } = renderDriftIssue(audit, { pinged: at }, applied);
      const { data } = await gh.request("POST /repos/{owner}/{repo}/issues", { owner: org, repo, title, body, labels: [label] });
      result.actions[name] = { action: "created", issue: data.number, commented: false };
      continue;
    }
    if (issue.state === "closed") {
      const { title, body } = renderDriftIssue(audit, { pinged: mayPing ? at : marker!.pinged }, applied);
      await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { owner: org, repo, issue_number: issue.number, title, body, state: "open", state_reason: "reopened" });
      if (mayPing) await comment(issue.number, `❌ The drift is back (audited ${at}):\n\n${failing(audit)}`);
      result.actions[name] = { action: "reopened", issue: issue.number, commented: mayPing };
      continue;
    }
    if (marker?.findings === audit.findingsHash && applied.length === 0) {
      result.actions[name] = { action: "unchanged", issue: issue.number, commented: false };
      continue;
    }
    const { title, body } = renderDriftIssue(audit, { pinged: mayPing ? at : marker!.pinged }, applied);
    await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { owner: org, repo, issue_number: issue.number, title, body });
    if (mayPing) await comment(issue.number, `The findings changed (audited ${at}):\n\n${failing(audit)}`);
    result.actions[name] = { action: "edited", issue: issue.number, commented: mayPing };
  }

  for (const duplicate of duplicates) {
    await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { owner: org, repo, issue_number: duplicate.number, state: "closed", state_reason: "duplicate" });
    result.duplicatesClosed.push(duplicate.number);
  }

  if (options.summary && options.audit.issues.summary) {
    const links: Record<string, number> = {};
    for (const [name, action] of Object.entries(result.actions)) if (action.issue !== null && action.action !== "closed" && audits.find((a) => a.repo.fullName === name)?.status === "fail") links[name] = action.issue;
    const existing = issues.find((i) => parseSummaryMarker(i.body)?.org === org);
    const hash = summaryHash(audits, links);
    if (existing && parseSummaryMarker(existing.body)?.hash === hash) result.summaryIssue = { number: existing.number, action: "unchanged" };
    else {
      const { title, body } = renderSummaryIssue(org, audits, links, at);
      if (existing) {
        await gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { owner: org, repo, issue_number: existing.number, title, body, ...(existing.state === "closed" ? { state: "open" as const } : {}) });
        result.summaryIssue = { number: existing.number, action: "edited" };
      } else {
        await ensureLabel();
        const { data } = await gh.request("POST /repos/{owner}/{repo}/issues", { owner: org, repo, title, body, labels: [label] });
        result.summaryIssue = { number: data.number, action: "created" };
      }
    }
  }
  return result;
}
