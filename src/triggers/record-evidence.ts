// Change lands → evidence. What the record needs from the webhook is kept on disk first
// (evidence/evidence-intake.ts) and only then fetched: a merged pull request is
// re-evaluated at merge time and recorded; a push to a recorded branch that is not exactly
// a merged PR's landing is recorded as an unreviewed change and gets a justification issue
// in the archive repository. A GitHub outage delays the record; it never drops it.

import { join } from "node:path";
import type { GitHubClient } from "../github/transport/client.js";
import type { AppServices } from "./services.js";
import type { Logger } from "./evaluate-pull-request.js";
import type { PushEventPayload } from "./payloads.js";
import { loadPullRequest } from "../github/facts/facts-loader.js";
import { evaluate } from "../verdict/evaluate.js";
import { buildDirectPushRecord, buildPullRequestRecord, pullRequestRecordId, pushRecordId } from "../evidence/record.js";
import { branchOf, isLandingOf, isRecordedBranch, landingCandidates } from "../evidence/direct-push.js";
import { directPushIssue, evidenceWaitingIssue, retroReviewIssue } from "../evidence/issue-bodies.js";
import { loadConfig } from "../github/facts/config-loader.js";
import { EvidenceIntake, type IntakeHealth } from "../evidence/evidence-intake.js";
import { DirectorySpoolStore, moveSpool } from "../evidence/spool-store.js";
import { loadPushLanding } from "../github/evidence/evidence-push-landing.js";

const MERGE_VISIBLE_RETRY_MS = [500, 2_000, 5_000];

/** What a record needs from the webhook, persisted before anything is fetched. */
export type EvidenceIntent =
  | { kind: "merged-pull-request"; ref: { owner: string; repo: string; number: number }; mergeCommitSha: string | null; deliveryId: string; receivedAt: string; installationId: number | null }
  | { kind: "push"; push: PushEventPayload; deliveryId: string; receivedAt: string; installationId: number | null };

/** How the intake gets a client for an intent a previous process left (installation → client). */
export type ClientFactory = (installationId: number | null) => Promise<GitHubClient>;

interface IntakeContext {
  intake: EvidenceIntake<EvidenceIntent>;
  /** The latest client seen per installation: retries in this process reuse it. */
  clients: Map<number | null, GitHubClient>;
  clientFor: ClientFactory | null;
  log: Logger;
}

/** Keyed by the services' intake slot, which copies of the services share. */
const contexts = new WeakMap<AppServices["evidenceIntake"], IntakeContext>();

/** The intake of these services, created on first use. */
export function evidenceIntakeOf(services: AppServices, log: Logger): IntakeContext {
  let context = contexts.get(services.evidenceIntake);
  if (context) return context;
  services.evidenceLog.use({ warn: (fields, message) => log.warn(fields, message) });
  const created: IntakeContext = {
    clients: new Map(),
    clientFor: null,
    log,
    intake: new EvidenceIntake<EvidenceIntent>({
      dir: services.spoolDir ? join(services.spoolDir, "intake") : null,
      // Replicas share the intents (Redis): what one accepted and did not finish, another takes over.
      ...(services.sharedSpool ? { store: services.sharedSpool<EvidenceIntent>("intake") } : {}),
      now: services.now,
      retryBaseMs: services.evidenceRetry.baseMs,
      retryCapMs: services.evidenceRetry.capMs,
      overdueMs: services.evidenceRetry.overdueMs,
      log: {
        info: (fields, message) => created.log.info(fields, message),
        warn: (fields, message) => created.log.warn(fields, message),
        error: (fields, message) => created.log.error(fields, message),
      },
      work: async (intent) => {
        const gh = created.clients.get(intent.installationId) ?? (created.clientFor ? await created.clientFor(intent.installationId) : null);
        if (!gh) throw new Error(`no GitHub client for installation ${intent.installationId ?? "(none)"} yet`);
        created.clients.set(intent.installationId, gh);
        if (intent.kind === "merged-pull-request") await collectMergedPullRequest(gh, created.log, services, intent.ref, intent.deliveryId);
        else await collectPush(gh, created.log, services, intent.push, intent.deliveryId);
      },
      onOverdue: (health, oldest) => reportWaitingEvidence(created, services, health, oldest),
    }),
  };
  services.evidenceIntake.current = created.intake;
  contexts.set(services.evidenceIntake, created);
  return created;
}

/**
 * At start-up: picks up intents a previous process left, with clients made from their
 * installation ids. Returns how many wait.
 */
export async function resumeEvidence(services: AppServices, log: Logger, clientFor: ClientFactory): Promise<number> {
  const context = evidenceIntakeOf(services, log);
  context.clientFor = clientFor;
  // Intents a single process kept on disk before the switch to Redis join the shared spool.
  if (services.sharedSpool && services.spoolDir) {
    const moved = await moveSpool(new DirectorySpoolStore<EvidenceIntent>(join(services.spoolDir, "intake")), services.sharedSpool<EvidenceIntent>("intake"));
    if (moved > 0) log.info({ moved }, "evidence intents from the local spool moved into Redis");
  }
  const waiting = await context.intake.resume();
  if (waiting > 0) log.info({ waiting }, "evidence intents left by the previous process will be collected");
  return waiting;
}

/** SIGTERM: finishes in-flight evidence work up to the deadline; the rest stays in the spool. */
export async function drainEvidence(services: AppServices, deadlineMs = 25_000): Promise<{ finished: number; left: number }> {
  const context = contexts.get(services.evidenceIntake);
  return context ? context.intake.drain(deadlineMs) : { finished: 0, left: services.pendingEvidence() };
}

/** Tries every waiting intent now, ignoring backoff (the daily pass; tests). */
export async function retryEvidence(services: AppServices): Promise<void> {
  await contexts.get(services.evidenceIntake)?.intake.retryAll();
}

export async function recordMergedPullRequest(
  gh: GitHubClient,
  log: Logger,
  services: AppServices,
  ref: { owner: string; repo: string; number: number; mergeCommitSha?: string | null },
  deliveryId: string,
  installationId: number | null = null,
): Promise<void> {
  const context = evidenceIntakeOf(services, log);
  context.clients.set(installationId, gh);
  const mergeCommitSha = ref.mergeCommitSha ?? null;
  const id = mergeCommitSha ? pullRequestRecordId(`${ref.owner}/${ref.repo}`, ref.number, mergeCommitSha) : `${ref.owner}/${ref.repo}#${ref.number}@merged:${deliveryId}`;
  await context.intake.accept(id, {
    kind: "merged-pull-request",
    ref: { owner: ref.owner, repo: ref.repo, number: ref.number },
    mergeCommitSha,
    deliveryId,
    receivedAt: services.now().toISOString(),
    installationId,
  });
}

export async function recordPush(gh: GitHubClient, log: Logger, services: AppServices, push: PushEventPayload, deliveryId: string, installationId: number | null = null): Promise<void> {
  if (push.deleted || !push.ref.startsWith("refs/heads/")) return;
  const context = evidenceIntakeOf(services, log);
  context.clients.set(installationId, gh);
  await context.intake.accept(pushRecordId(push.repository, push.after), { kind: "push", push, deliveryId, receivedAt: services.now().toISOString(), installationId });
}

/** The merge's facts, read now; throws (to be tried again) while GitHub cannot give them. */
async function collectMergedPullRequest(gh: GitHubClient, log: Logger, services: AppServices, ref: { owner: string; repo: string; number: number }, deliveryId: string): Promise<void> {
  const load = async () => loadPullRequest(gh, ref, { appSlug: await services.appSlug(), appId: (await services.appId?.()) ?? null, withPatches: true, updateMergeCache: services.updateMergeCache, now: services.now });
  // The webhook says merged; GitHub's API can lag behind its own webhook for a moment.
  let loaded = await load();
  for (const delayMs of MERGE_VISIBLE_RETRY_MS) {
    if (loaded.facts.pr.merged) break;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    loaded = await load();
  }
  if (!loaded.facts.pr.merged) throw new Error(`the webhook says ${ref.owner}/${ref.repo}#${ref.number} was merged but GitHub does not show the merge yet`);
  const verdict = evaluate(loaded.facts, loaded.resolved, { fingerprintKey: services.fingerprintKey, now: services.now().toISOString() }, deliveryId, services.controls);
  const archive = services.archiveFor(gh, ref.owner, loaded.resolved.config.archive);
  let reviewIssueUrl: string | null = null;
  if (verdict.exceptionApplied && !(await archive.has(pullRequestRecordId(`${ref.owner}/${ref.repo}`, ref.number, loaded.facts.pr.mergeCommitSha)))) {
    const pr = loaded.facts.pr;
    const draft = retroReviewIssue({ owner: pr.owner, repo: pr.repo, number: pr.number, title: pr.title, url: pr.url, author: pr.author.login, label: verdict.exception.label, declaredBy: verdict.exception.declaredBy, reason: verdict.exception.reason, reviewDueAt: verdict.exception.reviewDueAt });
    reviewIssueUrl = await services
      .issuesFor(gh, ref.owner, loaded.resolved.config.archive)
      .open(draft)
      .then((r) => r.url)
      .catch((error: unknown) => {
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

/** Is the push the app's own commit to the archive repository (the evidence being written)? */
export async function isOwnArchiveCommit(services: AppServices, push: Pick<PushEventPayload, "owner" | "repo" | "sender" | "pusher">, archiveRepository: string): Promise<boolean> {
  const [archiveOwner, archiveName] = archiveRepository.includes("/") ? (archiveRepository.split("/") as [string, string]) : [push.owner, archiveRepository];
  if (push.owner.toLowerCase() !== archiveOwner.toLowerCase() || push.repo.toLowerCase() !== archiveName.toLowerCase()) return false;
  const bot = `${await services.appSlug()}[bot]`.toLowerCase();
  return (push.sender ?? push.pusher).toLowerCase() === bot || push.pusher.toLowerCase() === bot;
}

async function collectPush(gh: GitHubClient, log: Logger, services: AppServices, push: PushEventPayload, deliveryId: string): Promise<void> {
  const resolved = await loadConfig(gh, push.owner, push.repo);
  if (!isRecordedBranch(push.ref, push.defaultBranch, resolved.config.protectedBranches) || push.deleted) return;
  // The app's own archive commits are the evidence being written; anyone else's push there is a change like any other.
  if (await isOwnArchiveCommit(services, push, resolved.config.archive.repository)) return;
  const { data: pulls } = await gh.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { owner: push.owner, repo: push.repo, commit_sha: push.after });
  const associated = pulls.map((p) => ({ number: p.number, baseRef: p.base.ref, mergedAt: p.merged_at ?? null, mergeCommitSha: p.merge_commit_sha ?? null, headSha: p.head.sha }));
  for (const pull of landingCandidates(push, associated)) {
    const landing = await loadPushLanding(gh, push, pull.number);
    if (isLandingOf(push, pull, landing.comparison, landing.pullCommits, landing.complete)) {
      log.info({ after: push.after.slice(0, 12), pr: pull.number }, "push is exactly a pull request's landing; its evidence comes from the PR");
      return;
    }
  }
  const archive = services.archiveFor(gh, push.owner, resolved.config.archive);
  const record = buildDirectPushRecord({ push, branchRules: null, configHash: resolved.hash, meta: { deliveryId, appVersion: services.appVersion, collectedAt: services.now().toISOString() } });
  const result = await archive.append([record]);
  logArchiveResult(log, archive.description, record.id, result);
  // One justification issue per push: the sink finds the app's own issue by its key.
  if (result.written.length > 0 || result.spooled > 0) {
    await services
      .issuesFor(gh, push.owner, resolved.config.archive)
      .open(directPushIssue(record))
      .catch((error: unknown) => {
        log.warn({ err: String((error as Error).message), branch: branchOf(push.ref) }, "could not open the direct-push justification issue");
      });
  }
}

/** Records have waited past the limit: one issue a day in the archive repository says so. */
async function reportWaitingEvidence(context: IntakeContext, services: AppServices, health: IntakeHealth, oldest: EvidenceIntent): Promise<void> {
  context.log.error({ pending: health.pending, since: health.oldestSince, problem: health.lastProblem }, "evidence records have been waiting too long");
  const gh = context.clients.get(oldest.installationId);
  if (!gh) return;
  const org = oldest.kind === "push" ? oldest.push.owner : oldest.ref.owner;
  const resolved = await loadConfig(gh, org);
  await services.issuesFor(gh, org, resolved.config.archive).open(
    evidenceWaitingIssue({ archive: `${org}/${resolved.config.archive.repository}`, pending: health.pending, oldestSince: health.oldestSince ?? services.now().toISOString(), problem: health.lastProblem, day: services.now().toISOString().slice(0, 10) }),
  );
}

function logArchiveResult(log: Logger, where: string, id: string, result: { written: unknown[]; duplicates: string[]; spooled?: number; problem?: string | null }): void {
  if (result.spooled) log.error({ id, archive: where, spooled: result.spooled, problem: result.problem }, "evidence could not be archived; kept for retry");
  else if (result.written.length > 0) log.info({ id, archive: where }, "evidence recorded");
  else log.info({ id, archive: where }, "evidence already recorded (redelivery); nothing written");
}
