// Trigger → facts → controls → verdict → check run, for one pull request.

import { createHash, randomUUID } from "node:crypto";
import type { GitHubClient } from "../github/client.js";
import { loadPullRequest, type LoadedPullRequest, type PullRequestRef } from "../github/facts-loader.js";
import { createInProgressCheckRun, writeEvaluationError, writeVerdict } from "../github/check-run-writer.js";
import { evaluate } from "../verdict/evaluate.js";
import type { Verdict } from "../verdict/types.js";
import type { AppServices } from "./services.js";
import { encodeOwnCheckRecord, type OwnCheckRecord } from "../github/own-check-record.js";
import { withPush } from "../github/commits-loader.js";

export interface Logger {
  info: (obj: object, msg?: string) => void;
  warn: (obj: object, msg?: string) => void;
  error: (obj: object, msg?: string) => void;
}

export interface EvaluationOutcome {
  loaded: LoadedPullRequest;
  verdict: Verdict;
  checkRunId: number | null;
  evaluationId: string;
}

export interface EvaluateOptions {
  /** The head the event announced; lets us show "in progress" before the facts are in. */
  headSha?: string;
  /** Post the check run (false for `soc2-guard check`). */
  post: boolean;
  /** Report on another commit (a merge group's head) instead of the PR head. */
  reportOnSha?: string;
  /** The push a `synchronize` announced: recorded on the new head's check run (who pushed counts). */
  push?: { pusher: string; before: string; after: string };
  /** The label a `labeled` event added, by whom, while which commit was the head. */
  labeled?: { label: string; by: string; headSha: string };
}

export async function evaluatePullRequest(
  gh: GitHubClient,
  log: Logger,
  services: AppServices,
  ref: PullRequestRef,
  options: EvaluateOptions,
): Promise<EvaluationOutcome | null> {
  const key = `${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();
  return services.serializer.run(key, () => evaluateNow(gh, log, services, ref, options));
}

async function evaluateNow(gh: GitHubClient, log: Logger, services: AppServices, ref: PullRequestRef, options: EvaluateOptions): Promise<EvaluationOutcome | null> {
  const evaluationId = randomUUID();
  const knownKey = (sha: string) => `${ref.owner}/${ref.repo}@${sha}`.toLowerCase();
  let checkRunId: number | null = null;
  const announced = options.reportOnSha ?? options.headSha;
  // "In progress" is shown only when the evaluation takes longer than a moment: a fast one
  // creates its check run already completed — one write instead of two (GitHub's write limits).
  let inProgress: Promise<number> | null = null;
  let inProgressTimer: NodeJS.Timeout | undefined;
  if (options.post && announced) {
    checkRunId = (await services.knownCheckRuns.get(knownKey(announced))) ?? null;
    if (checkRunId === null) {
      const create = () => {
        const pushRecord = options.push?.after === announced ? { externalId: encodeOwnCheckRecord({ push: { pusher: options.push.pusher, before: options.push.before } }) } : {};
        inProgress = createInProgressCheckRun(gh, { ...ref, headSha: announced, ...pushRecord }, "Evaluating SOC 2 change controls…", services.now()).then(async (id) => {
          await services.knownCheckRuns.set(knownKey(announced), id);
          return id;
        });
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
    if (inProgress) checkRunId = await inProgress;
  };

  let loaded: LoadedPullRequest;
  try {
    loaded = await loadPullRequest(gh, ref, { appSlug: await services.appSlug(), appId: (await services.appId?.()) ?? null, withPatches: true, updateMergeCache: services.updateMergeCache, now: services.now });
  } catch (error) {
    const status = (error as { status?: number }).status;
    log.error({ err: describeError(error), pr: `${ref.owner}/${ref.repo}#${ref.number}`, evaluationId }, "could not load the facts");
    await settleInProgress();
    if (options.post && announced) {
      await writeEvaluationError(
        gh,
        { ...ref, headSha: announced },
        checkRunId,
        `GitHub answered ${status ? `HTTP ${status}` : "with an error"} while soc2-guard gathered the facts (evaluation \`${evaluationId}\`), after retries.`,
        services.now(),
      );
    }
    throw error;
  }

  const { facts, record } = withEventRecord(loaded, options);
  if (facts.pr.state === "closed" && !facts.pr.merged && options.post) {
    await settleInProgress();
    log.info({ pr: `${ref.owner}/${ref.repo}#${ref.number}` }, "pull request is closed; not evaluated");
    return null;
  }
  const verdict = evaluate(facts, loaded.resolved, { fingerprintKey: services.fingerprintKey, now: services.now().toISOString() }, evaluationId, services.controls);
  const reportSha = options.reportOnSha ?? facts.pr.headSha;
  await settleInProgress();
  if (options.post) {
    // The head may have moved since the webhook: the run created for the announced commit
    // belongs to that commit, never to the new head (which gets its own).
    const known = await services.knownCheckRuns.get(knownKey(reportSha));
    const existing =
      options.reportOnSha !== undefined
        ? checkRunId
        : reportSha === announced
          ? (checkRunId ?? known ?? loaded.ownCheckRun?.id ?? null)
          : (known ?? loaded.ownCheckRun?.id ?? null);
    if (checkRunId !== null && announced !== undefined && options.reportOnSha === undefined && reportSha !== announced) {
      // Close the run of the superseded commit without passing it (cancelled fails a required check).
      await supersede(gh, ref, checkRunId, reportSha, services.now());
      await services.knownCheckRuns.rememberWritten(checkRunId, "superseded");
    }
    // An update that would show exactly what the run shows already is not sent.
    const digest = verdictDigest(verdict, evaluationId);
    const externalId = options.reportOnSha === undefined && record ? encodeOwnCheckRecord(record) : undefined;
    if (existing !== null && !externalId && (await services.knownCheckRuns.lastWritten(existing)) === digest) {
      checkRunId = existing;
      log.info({ pr: `${ref.owner}/${ref.repo}#${ref.number}`, evaluationId, checkRunId }, "verdict unchanged; check run not rewritten");
    } else {
      checkRunId = await writeVerdict(gh, { ...ref, headSha: reportSha, ...(externalId ? { externalId } : {}) }, existing, verdict, services.now());
      await services.knownCheckRuns.rememberWritten(checkRunId, digest);
    }
    await services.knownCheckRuns.set(knownKey(reportSha), checkRunId);
  }
  log.info(
    {
      pr: `${ref.owner}/${ref.repo}#${ref.number}`,
      head: reportSha.slice(0, 12),
      conclusion: verdict.conclusion ?? verdict.status,
      evaluationId,
      results: Object.fromEntries(verdict.results.map((r) => [r.id, r.status])),
    },
    "evaluated pull request",
  );
  return { loaded, verdict, checkRunId, evaluationId };
}

/**
 * What this event adds to our record on the head: its push (the sender pushed the commits
 * the new head has), or an emergency declaration (the label's sender, for the head at that
 * moment — a label for an older head declares nothing now). Returns the facts as they are
 * with it, and the record to write (null when there is nothing new).
 */
function withEventRecord(loaded: LoadedPullRequest, options: EvaluateOptions): { facts: LoadedPullRequest["facts"]; record: OwnCheckRecord | null } {
  const { facts } = loaded;
  const head = facts.pr.headSha;
  const push = options.push?.after === head ? { pusher: options.push.pusher, before: options.push.before } : undefined;
  const label = options.labeled;
  const declared = label && label.headSha === head && label.label.toLowerCase() === loaded.resolved.config.exceptions.label.toLowerCase() ? label.by : undefined;
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
