// Trigger → facts → controls → verdict → check run, for one pull request.
//
// Two rules hold for every run we write:
// - it is the verdict of every pull request it is shown on: GitHub shows a commit's run on
//   every open PR whose head the commit is, so those PRs are evaluated together and the
//   run passes only if all of them pass (a merge group's run likewise stands for all the
//   PRs in the group, and is written on the group's commit only);
// - a failed evaluation never leaves a stale success: when the facts cannot be gathered
//   (after the client's retries) or the evaluation itself throws, the run on the current
//   head becomes a failure that says so, with the evaluation id.

import { createHash, randomUUID } from "node:crypto";
import type { GitHubClient } from "../github/transport/client.js";
import { loadPullRequest, type LoadedPullRequest, type PullRequestRef } from "../github/facts/facts-loader.js";
import { createInProgressCheckRun, findOwnCheckRun, writeEvaluationError, writeVerdict } from "../github/check-run/check-run-writer.js";
import { openPullRequestsForCommit } from "../github/check-run/pulls-for-commit.js";
import { mergeGroupMembers } from "../github/check-run/merge-queue-members.js";
import { evaluate } from "../verdict/evaluate.js";
import { evaluateOffMainThread } from "../verdict/off-thread.js";
import { catalogue } from "../controls/index.js";
import { combineVerdicts, type PullVerdict } from "../verdict/combine.js";
import type { Verdict } from "../verdict/types.js";
import type { AppServices, EventRecord } from "./services.js";
import { encodeOwnCheckRecord, type OwnCheckRecord } from "../github/check-run/own-check-record.js";
import { withPush } from "../github/facts/commits-loader.js";

export interface Logger {
  info: (obj: object, msg?: string) => void;
  warn: (obj: object, msg?: string) => void;
  error: (obj: object, msg?: string) => void;
}

export interface EvaluationOutcome {
  loaded: LoadedPullRequest;
  /** This pull request's own verdict. */
  verdict: Verdict;
  /** What the check run says: this verdict combined with every PR sharing the head. */
  posted: Verdict;
  checkRunId: number | null;
  evaluationId: string;
}

export interface EvaluateOptions {
  /** The head the event announced a new commit for; lets us show "in progress" before the facts are in. */
  headSha?: string;
  /** The head the event's payload names (any event): where a failed evaluation is reported if GitHub cannot tell us the current one. */
  knownHeadSha?: string;
  /** Post the check run (false for `soc2-guard check`). */
  post: boolean;
  /** The push a `synchronize` announced: recorded on the new head's check run (who pushed counts). */
  push?: { pusher: string; before: string; after: string };
  /** The label a `labeled` event added, by whom, while which commit was the head. */
  labeled?: { label: string; by: string; headSha: string };
  /** Every push and label event waiting for this evaluation, coalesced ones included (set by evaluatePullRequest). */
  events?: EventRecord[];
}

export async function evaluatePullRequest(
  gh: GitHubClient,
  log: Logger,
  services: AppServices,
  ref: PullRequestRef,
  options: EvaluateOptions,
): Promise<EvaluationOutcome | null> {
  const key = `${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();
  // A push or a label is a fact only its event carries: the serializer may coalesce this call
  // into a run queued by another event, so the event's record waits here for whichever run starts next.
  // With replicas the run may be another replica's, so the records wait in a store they share.
  if (options.push || options.labeled) await services.eventRecords.add(key, { ...(options.push ? { push: options.push } : {}), ...(options.labeled ? { labeled: options.labeled } : {}) });
  return services.serializer.run(key, async () => evaluateNow(gh, log, services, ref, { ...options, events: await services.eventRecords.take(key) }));
}

const knownKey = (ref: { owner: string; repo: string }, sha: string) => `${ref.owner}/${ref.repo}@${sha}`.toLowerCase();

/**
 * The run a write on this commit goes to: the one recorded; else the one the facts saw;
 * else — when someone claimed its creation (another replica, or this process before a
 * crash) — the one GitHub lists. Null: none exists and the creation is ours.
 */
async function ownRunToWrite(gh: GitHubClient, services: AppServices, ref: { owner: string; repo: string }, sha: string, seen: number | null): Promise<number | null> {
  const key = knownKey(ref, sha);
  const recorded = (await services.knownCheckRuns.get(key)) ?? seen;
  if (recorded !== null) return recorded;
  if (await services.knownCheckRuns.claim(key)) return null;
  const listed = await findOwnCheckRun(gh, { ...ref, headSha: sha }, await services.appSlug());
  if (listed !== null) await services.knownCheckRuns.set(key, listed);
  return listed;
}

async function loadAndEvaluate(
  gh: GitHubClient,
  services: AppServices,
  ref: PullRequestRef,
  evaluationId: string,
  event: Pick<EvaluateOptions, "push" | "labeled" | "events"> = {},
): Promise<{ loaded: LoadedPullRequest; verdict: Verdict; record: OwnCheckRecord | null }> {
  const read = await loadPullRequest(gh, ref, { appSlug: await services.appSlug(), appId: (await services.appId?.()) ?? null, withPatches: true, updateMergeCache: services.updateMergeCache, now: services.now });
  const { facts, record } = withEventRecord(read, event);
  const loaded = { ...read, facts };
  const env = { fingerprintKey: services.fingerprintKey, now: services.now().toISOString() };
  // The built-in controls run off the main thread when the input is large; a custom set (tests) runs here.
  const verdict =
    services.controls === catalogue ? await evaluateOffMainThread(loaded.facts, loaded.resolved, env, evaluationId) : evaluate(loaded.facts, loaded.resolved, env, evaluationId, services.controls);
  return { loaded, verdict, record };
}

async function evaluateNow(gh: GitHubClient, log: Logger, services: AppServices, ref: PullRequestRef, options: EvaluateOptions): Promise<EvaluationOutcome | null> {
  const evaluationId = randomUUID();
  const pr = `${ref.owner}/${ref.repo}#${ref.number}`;
  let checkRunId: number | null = null;
  const announced = options.headSha;
  // "In progress" is shown only when the evaluation takes longer than a moment: a fast one
  // creates its check run already completed — one write instead of two (GitHub's write limits).
  let inProgress: Promise<number | null> | null = null;
  let inProgressTimer: NodeJS.Timeout | undefined;
  if (options.post && announced) {
    checkRunId = (await services.knownCheckRuns.get(knownKey(ref, announced))) ?? null;
    if (checkRunId === null) {
      const create = () => {
        const pushRecord = options.push?.after === announced ? { externalId: encodeOwnCheckRecord({ push: { pusher: options.push.pusher, before: options.push.before } }) } : {};
        inProgress = (async () => {
          // Someone else claimed this commit's run (another replica, or this process before a
          // restart): no second run; the completing write below finds theirs.
          if (!(await services.knownCheckRuns.claim(knownKey(ref, announced)))) return null;
          const id = await createInProgressCheckRun(gh, { ...ref, headSha: announced, ...pushRecord }, "Evaluating SOC 2 change controls…", services.now());
          await services.knownCheckRuns.set(knownKey(ref, announced), id);
          return id;
        })();
        inProgress.catch(() => undefined); // awaited below; never an unhandled rejection
      };
      const delay = services.inProgressAfterMs ?? IN_PROGRESS_AFTER_MS;
      if (delay <= 0) create();
      else inProgressTimer = setTimeout(create, delay);
    }
  }
  /** Stops the in-progress timer; the run it created (if it fired) is the one to complete. */
  const settleInProgress = async () => {
    clearTimeout(inProgressTimer);
    if (inProgress) checkRunId = (await inProgress) ?? checkRunId;
  };

  let own: { loaded: LoadedPullRequest; verdict: Verdict; record: OwnCheckRecord | null };
  try {
    own = await loadAndEvaluate(gh, services, ref, evaluationId, options);
  } catch (error) {
    log.error({ err: describeError(error), pr, evaluationId }, "could not evaluate the pull request");
    await settleInProgress().catch(() => undefined);
    if (options.post) await failCurrentHeads(gh, log, services, ref, [announced, options.knownHeadSha], couldNotEvaluate(error, evaluationId));
    throw error;
  }

  const { loaded, verdict, record } = own;
  const { facts } = loaded;
  if (facts.pr.state === "closed" && !facts.pr.merged && options.post) {
    await settleInProgress();
    log.info({ pr }, "pull request is closed; not evaluated");
    return null;
  }
  if (!options.post) return { loaded, verdict, posted: verdict, checkRunId, evaluationId };

  const reportSha = facts.pr.headSha;
  try {
    const posted = await withSharingPulls(gh, log, services, ref, loaded, verdict, evaluationId);
    await settleInProgress();
    // The head may have moved since the webhook: the run created for the announced commit
    // belongs to that commit, never to the new head (which gets its own).
    const existing = (reportSha === announced ? checkRunId : null) ?? (await ownRunToWrite(gh, services, ref, reportSha, loaded.ownCheckRun?.id ?? null));
    if (checkRunId !== null && announced !== undefined && reportSha !== announced) {
      // Close the run of the superseded commit without passing it (cancelled fails a required check).
      await supersede(gh, ref, checkRunId, reportSha, services.now());
      await services.knownCheckRuns.rememberWritten(checkRunId, "superseded");
    }
    // An update that would show exactly what the run shows already is not sent.
    const digest = verdictDigest(posted, evaluationId);
    const externalId = record ? encodeOwnCheckRecord(record) : undefined;
    if (existing !== null && !externalId && (await services.knownCheckRuns.lastWritten(existing)) === digest) {
      checkRunId = existing;
      log.info({ pr, evaluationId, checkRunId }, "verdict unchanged; check run not rewritten");
    } else {
      checkRunId = await writeVerdict(gh, { ...ref, headSha: reportSha, ...(externalId ? { externalId } : {}) }, existing, posted, services.now());
      await services.knownCheckRuns.rememberWritten(checkRunId, digest);
    }
    await services.knownCheckRuns.set(knownKey(ref, reportSha), checkRunId);
    log.info(
      {
        pr,
        head: reportSha.slice(0, 12),
        conclusion: posted.conclusion ?? posted.status,
        evaluationId,
        results: Object.fromEntries(verdict.results.map((r) => [r.id, r.status])),
        ...(loaded.sharedHead.numbers.length > 1 ? { sharedHeadWith: loaded.sharedHead.numbers.filter((n) => n !== ref.number) } : {}),
      },
      "evaluated pull request",
    );
    return { loaded, verdict, posted, checkRunId, evaluationId };
  } catch (error) {
    log.error({ err: describeError(error), pr, evaluationId }, "could not finish the evaluation");
    await settleInProgress().catch(() => undefined);
    await failCurrentHeads(gh, log, services, ref, [reportSha], couldNotEvaluate(error, evaluationId));
    throw error;
  }
}

/** This PR's verdict combined with every other open PR whose head is the same commit. */
async function withSharingPulls(gh: GitHubClient, log: Logger, services: AppServices, ref: PullRequestRef, loaded: LoadedPullRequest, verdict: Verdict, evaluationId: string): Promise<Verdict> {
  const head = loaded.facts.pr.headSha;
  let numbers = loaded.sharedHead.numbers;
  if (!loaded.sharedHead.complete) numbers = [...new Set([...numbers, ...(await openPullRequestsForCommit(gh, ref, head))])];
  const others = numbers.filter((n) => n !== ref.number);
  if (others.length === 0) return verdict;
  const pulls: PullVerdict[] = [{ number: ref.number, baseRef: loaded.facts.pr.baseRef, verdict }];
  for (const number of others) {
    const entry = await evaluateMember(gh, log, services, { ...ref, number }, evaluationId);
    // A PR whose head moved on no longer shows this commit's run.
    if (entry && (entry.headSha === null || entry.headSha === head)) pulls.push(entry.pull);
  }
  return combineVerdicts(pulls, { sha: head, evaluationId, scope: "head" });
}

/** One member of a combined run: its verdict, or why it could not be evaluated (which fails the run). Null when closed. */
async function evaluateMember(gh: GitHubClient, log: Logger, services: AppServices, ref: PullRequestRef, evaluationId: string): Promise<{ pull: PullVerdict; headSha: string | null } | null> {
  try {
    const { loaded, verdict } = await loadAndEvaluate(gh, services, ref, evaluationId);
    if (loaded.facts.pr.state === "closed" && !loaded.facts.pr.merged) return null;
    return { pull: { number: ref.number, baseRef: loaded.facts.pr.baseRef, verdict }, headSha: loaded.facts.pr.headSha };
  } catch (error) {
    log.error({ err: describeError(error), pr: `${ref.owner}/${ref.repo}#${ref.number}`, evaluationId }, "could not evaluate a pull request sharing the commit");
    return { pull: { number: ref.number, baseRef: null, verdict: null, error: couldNotEvaluate(error, evaluationId) }, headSha: null };
  }
}

export interface MergeGroupRef {
  owner: string;
  repo: string;
  headSha: string;
  /** The queue's base branch (its merge queue lists the group's entries). */
  baseRef: string;
  /** The pull requests the queue's branch name names (the group's own). */
  pullNumbers: number[];
}

/**
 * A merge group's run, on the group's commit: passes only if every PR in the group passes —
 * its own and every entry ahead of it in the queue, which its commit carries too. The PRs'
 * own runs are not touched.
 */
export async function evaluateMergeGroup(gh: GitHubClient, log: Logger, services: AppServices, group: MergeGroupRef): Promise<Verdict | null> {
  const evaluationId = randomUUID();
  const target = { owner: group.owner, repo: group.repo, headSha: group.headSha };
  let checkRunId = await ownRunToWrite(gh, services, group, group.headSha, null);
  if (checkRunId === null) {
    checkRunId = await createInProgressCheckRun(gh, target, "Evaluating SOC 2 change controls for the merge group…", services.now());
    await services.knownCheckRuns.set(knownKey(group, group.headSha), checkRunId);
  }
  try {
    const members = await mergeGroupMembers(gh, group);
    if (!members.ok) {
      const message = `soc2-guard could not tell which pull requests this merge group holds: ${members.problem} (evaluation \`${evaluationId}\`). Its commit may carry changes nobody evaluated, so it does not pass.`;
      await writeEvaluationError(gh, target, checkRunId, message, services.now());
      await services.knownCheckRuns.rememberWritten(checkRunId, "could-not-evaluate");
      log.warn({ group: group.headSha.slice(0, 12), problem: members.problem, evaluationId }, "merge group membership unknown; failed closed");
      return null;
    }
    const pulls: PullVerdict[] = [];
    for (const number of members.numbers) {
      const entry = await evaluateMember(gh, log, services, { owner: group.owner, repo: group.repo, number }, evaluationId);
      pulls.push(entry?.pull ?? { number, baseRef: null, verdict: null, error: "the pull request is closed" });
    }
    const verdict = combineVerdicts(pulls, { sha: group.headSha, evaluationId, scope: "merge-group" });
    await writeVerdict(gh, target, checkRunId, verdict, services.now());
    await services.knownCheckRuns.rememberWritten(checkRunId, verdictDigest(verdict, evaluationId));
    log.info({ group: group.headSha.slice(0, 12), pulls: members.numbers, conclusion: verdict.conclusion ?? verdict.status, evaluationId }, "evaluated merge group");
    return verdict;
  } catch (error) {
    await writeEvaluationError(gh, target, checkRunId, couldNotEvaluate(error, evaluationId), services.now());
    await services.knownCheckRuns.rememberWritten(checkRunId, "could-not-evaluate");
    throw error;
  }
}

function couldNotEvaluate(error: unknown, evaluationId: string): string {
  const status = (error as { status?: number }).status;
  return status
    ? `GitHub answered HTTP ${status} while soc2-guard gathered the facts (evaluation \`${evaluationId}\`), after retries.`
    : `The evaluation failed: ${describeError(error).message.slice(0, 300)} (evaluation \`${evaluationId}\`).`;
}

/**
 * Fails our run on every head we know of for this PR: the ones the event named, and the
 * PR's current head if GitHub still answers that one request. A run we wrote before is
 * updated; otherwise a new failing run is created, which GitHub then shows for the commit.
 */
async function failCurrentHeads(gh: GitHubClient, log: Logger, services: AppServices, ref: PullRequestRef, named: Array<string | undefined>, message: string): Promise<void> {
  const heads = new Set(named.filter((s): s is string => typeof s === "string" && s.length > 0));
  try {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: ref.owner, repo: ref.repo, pull_number: ref.number });
    if (data.state === "open") heads.add(data.head.sha);
  } catch (error) {
    log.warn({ err: describeError(error), pr: `${ref.owner}/${ref.repo}#${ref.number}` }, "could not read the pull request's current head either");
  }
  for (const sha of heads) {
    try {
      const runId = await writeEvaluationError(gh, { ...ref, headSha: sha }, await ownRunToWrite(gh, services, ref, sha, null), message, services.now());
      // The next verdict is written in full, whatever the run showed before.
      await services.knownCheckRuns.rememberWritten(runId, "could-not-evaluate");
      await services.knownCheckRuns.set(knownKey(ref, sha), runId);
    } catch (error) {
      // GitHub is down for writes too: the caller's error stands, and the event's redelivery or the next event retries.
      log.error({ err: describeError(error), pr: `${ref.owner}/${ref.repo}#${ref.number}`, head: sha.slice(0, 12) }, "could not mark the run as not evaluated");
    }
  }
}

/**
 * What this event adds to our record on the head: its push (the sender pushed the commits
 * the new head has), or an emergency declaration (the label's sender, for the head at that
 * moment — a label for an older head declares nothing now). Returns the facts as they are
 * with it, and the record to write (null when there is nothing new).
 */
function withEventRecord(loaded: LoadedPullRequest, options: Pick<EvaluateOptions, "push" | "labeled" | "events">): { facts: LoadedPullRequest["facts"]; record: OwnCheckRecord | null } {
  const { facts } = loaded;
  const head = facts.pr.headSha;
  const events = [...(options.events ?? []), { ...(options.push ? { push: options.push } : {}), ...(options.labeled ? { labeled: options.labeled } : {}) }];
  const pushed = events.map((e) => e.push).find((p) => p?.after === head);
  const push = pushed ? { pusher: pushed.pusher, before: pushed.before } : undefined;
  const exceptionLabel = loaded.resolved.config.exceptions.label.toLowerCase();
  const label = events
    .map((e) => e.labeled)
    .filter((l) => l !== undefined && l.headSha === head && l.label.toLowerCase() === exceptionLabel)
    .at(-1);
  const declared = label?.by;
  if (!push && !declared) return { facts, record: null };
  const record: OwnCheckRecord = { ...(loaded.ownRecord ?? {}), ...(push ? { push } : {}), ...(declared ? { exception: { by: declared } } : {}) };
  const commits = push ? withPush(facts.pr.commits, { ...push, after: head }) : facts.pr.commits;
  return { facts: { ...facts, pr: { ...facts.pr, commits, ...(declared ? { emergencyDeclaredBy: declared } : {}) } }, record };
}

/** How long an evaluation may take before its check run is shown in progress. */
export const IN_PROGRESS_AFTER_MS = 2_000;

/** What a check run shows, without the evaluation id (a new one every time): equal → nothing to update. */
function verdictDigest(verdict: Verdict, evaluationId: string): string {
  const summary = verdict.summary.split(evaluationId).join("");
  return createHash("sha256").update(JSON.stringify([verdict.status, verdict.conclusion ?? null, verdict.title, summary, verdict.annotations])).digest("hex");
}

async function supersede(gh: GitHubClient, ref: PullRequestRef, checkRunId: number, newHead: string, now: Date): Promise<void> {
  await gh.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
    owner: ref.owner,
    repo: ref.repo,
    check_run_id: checkRunId,
    status: "completed",
    conclusion: "cancelled",
    completed_at: now.toISOString(),
    output: { title: `Superseded by ${newHead.slice(0, 7)}`, summary: `The pull request's head moved to ${newHead} before this commit was evaluated; see the soc2-guard check on that commit.` },
  });
}

/** Error details safe to log: status and message only, never request bodies or headers. */
export function describeError(error: unknown): { status?: number; message: string } {
  const e = error as { status?: number; message?: string };
  return { ...(e.status ? { status: e.status } : {}), message: String(e.message ?? error).slice(0, 500) };
}
