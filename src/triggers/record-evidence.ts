// Change lands → evidence. A merged pull request is re-evaluated at merge time and
// recorded; a push to a protected branch that no merged PR explains is recorded as an
// unreviewed change and gets a justification issue in the archive repository.

import type { GitHubClient } from "../github/client.js";
import type { AppServices } from "./services.js";
import type { Logger } from "./evaluate-pull-request.js";
import { loadPullRequest } from "../github/facts-loader.js";
import { evaluate } from "../verdict/evaluate.js";
import { buildDirectPushRecord, buildPullRequestRecord, type PushEvent } from "../evidence/record.js";
import { isExplainedByMergedPullRequest, isRecordedBranch } from "../evidence/direct-push.js";
import { openDirectPushIssue, openRetroReviewIssue } from "../github/evidence-issues.js";
import { loadConfig } from "../github/config-loader.js";

const MERGE_VISIBLE_RETRY_MS = [500, 2_000, 5_000];

export async function recordMergedPullRequest(gh: GitHubClient, log: Logger, services: AppServices, ref: { owner: string; repo: string; number: number }, deliveryId: string): Promise<void> {
  const load = async () => loadPullRequest(gh, ref, { appSlug: await services.appSlug(), withPatches: true, updateMergeCache: services.updateMergeCache, now: services.now });
  // The webhook says merged; GitHub's API can lag behind its own webhook for a moment.
  let loaded = await load();
  for (const delayMs of MERGE_VISIBLE_RETRY_MS) {
    if (loaded.facts.pr.merged) break;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    loaded = await load();
  }
  if (!loaded.facts.pr.merged) {
    log.warn({ pr: `${ref.owner}/${ref.repo}#${ref.number}` }, "the webhook says merged but GitHub does not show the merge yet; the daily reconciliation will record it");
    return;
  }
  const verdict = evaluate(loaded.facts, loaded.resolved, { fingerprintKey: services.fingerprintKey, now: services.now().toISOString() }, deliveryId, services.controls);
  const archive = services.archiveFor(gh, ref.owner, loaded.resolved.config.archive);
  let reviewIssueUrl: string | null = null;
  if (verdict.exceptionApplied && !(await archive.has(`${ref.owner}/${ref.repo}#${ref.number}@${loaded.facts.pr.mergeCommitSha}`))) {
    reviewIssueUrl = await openRetroReviewIssue(gh, services, ref.owner, loaded.resolved.config.archive, loaded.facts, verdict.exception).catch((error: unknown) => {
      log.warn({ err: String((error as Error).message) }, "could not open the retroactive review issue");
      return null;
    });
  }
  const record = buildPullRequestRecord({
    facts: loaded.facts,
    results: verdict.results,
    resolved: loaded.resolved,
    exception: verdict.exception,
    exceptionApplied: verdict.exceptionApplied,
    reviewIssueUrl,
    mergeMethod: loaded.mergeMethod,
    meta: { deliveryId, appVersion: services.appVersion, collectedAt: services.now().toISOString() },
  });
  const result = await archive.append([record]);
  logArchiveResult(log, archive.description, record.id, result);
  // Say it where the engineers look too: on the merged PR's check run.
  if (result.spooled > 0 && loaded.ownCheckRun) {
    await noteArchiveProblem(gh, ref, loaded.ownCheckRun.id, verdict.title, verdict.summary, archive.description, result.problem ?? "unknown problem").catch((error: unknown) => {
      log.warn({ err: String((error as Error).message) }, "could not add the archive problem to the check run");
    });
  }
}

async function noteArchiveProblem(gh: GitHubClient, ref: { owner: string; repo: string }, checkRunId: number, title: string, summary: string, where: string, problem: string): Promise<void> {
  await gh.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
    owner: ref.owner,
    repo: ref.repo,
    check_run_id: checkRunId,
    output: {
      title,
      summary: `> [!WARNING]\n> The evidence record for this merge could not be written to ${where}: ${problem}\n> It is kept and will be written on the next attempt; nothing is lost.\n\n${summary}`.slice(0, 65_000),
    },
  });
}

export async function recordPush(gh: GitHubClient, log: Logger, services: AppServices, push: PushEvent & { created: boolean; deleted: boolean; defaultBranch: string; owner: string; repo: string }, deliveryId: string): Promise<void> {
  const resolved = await loadConfig(gh, push.owner, push.repo);
  if (!isRecordedBranch(push.ref, push.defaultBranch, resolved.config.protectedBranches) || push.deleted) return;
  // The archive repository's own pushes are the evidence being written.
  if (push.repo === resolved.config.archive.repository) return;
  const { data: pulls } = await gh.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { owner: push.owner, repo: push.repo, commit_sha: push.after });
  const associated = pulls.map((p) => ({ number: p.number, mergedAt: p.merged_at ?? null, mergeCommitSha: p.merge_commit_sha ?? null }));
  if (isExplainedByMergedPullRequest({ ref: push.ref, after: push.after, created: push.created, deleted: push.deleted, commits: push.commits }, associated)) {
    log.info({ after: push.after.slice(0, 12) }, "push is a pull request merge; its evidence comes from the PR");
    return;
  }
  const archive = services.archiveFor(gh, push.owner, resolved.config.archive);
  const record = buildDirectPushRecord({ push, branchRules: null, configHash: resolved.hash, meta: { deliveryId, appVersion: services.appVersion, collectedAt: services.now().toISOString() } });
  const result = await archive.append([record]);
  logArchiveResult(log, archive.description, record.id, result);
  // One justification issue per push: only when this delivery wrote the record.
  if (result.written.length > 0) {
    await openDirectPushIssue(gh, services, push.owner, resolved.config.archive, record).catch((error: unknown) => {
      log.warn({ err: String((error as Error).message) }, "could not open the direct-push justification issue");
    });
  }
}

function logArchiveResult(log: Logger, where: string, id: string, result: { written: unknown[]; duplicates: string[]; spooled?: number; problem?: string | null }): void {
  if (result.spooled) log.error({ id, archive: where, spooled: result.spooled, problem: result.problem }, "evidence could not be archived; kept for retry");
  else if (result.written.length > 0) log.info({ id, archive: where }, "evidence recorded");
  else log.info({ id, archive: where }, "evidence already recorded (redelivery); nothing written");
}
