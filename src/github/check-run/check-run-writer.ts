// Writes our one check run per head commit: created in progress, completed with the
// verdict, annotations sent 50 per request as the Checks API requires.

import type { GitHubClient } from "../transport/client.js";
import type { Annotation } from "../../controls/types.js";
import type { Verdict } from "../../verdict/types.js";
import { OWN_CHECK_NAME } from "../../controls/identities.js";

export const ANNOTATIONS_PER_REQUEST = 50;

export interface CheckTarget {
  owner: string;
  repo: string;
  headSha: string;
  /** Our record on this commit (src/github/check-run/own-check-record.ts); written when given, else the head SHA on creation. */
  externalId?: string;
}

export async function createInProgressCheckRun(gh: GitHubClient, target: CheckTarget, title: string, now: Date): Promise<number> {
  const { data } = await gh.request("POST /repos/{owner}/{repo}/check-runs", {
    owner: target.owner,
    repo: target.repo,
    name: OWN_CHECK_NAME,
    head_sha: target.headSha,
    status: "in_progress",
    started_at: now.toISOString(),
    external_id: target.externalId ?? target.headSha,
    output: { title, summary: "soc2-guard is gathering the facts for this commit." },
  });
  return Number(data.id);
}

function toApiAnnotation(a: Annotation) {
  const sameLine = a.startLine === a.endLine;
  return {
    path: a.path,
    start_line: Math.max(1, a.startLine),
    end_line: Math.max(1, a.endLine),
    ...(sameLine && a.startColumn !== undefined ? { start_column: a.startColumn } : {}),
    ...(sameLine && a.endColumn !== undefined ? { end_column: a.endColumn } : {}),
    annotation_level: a.level,
    title: a.title.slice(0, 255),
    message: a.message.slice(0, 64 * 1024),
  };
}

/** Writes the verdict to the existing check run (or a new one), annotations in batches. Returns the check run id. */
export async function writeVerdict(gh: GitHubClient, target: CheckTarget, checkRunId: number | null, verdict: Verdict, now: Date): Promise<number> {
  const batches: Annotation[][] = [];
  for (let i = 0; i < verdict.annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(verdict.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const outputFor = (batch: Annotation[] | undefined) => ({
    title: verdict.title,
    summary: verdict.summary,
    ...(batch && batch.length > 0 ? { annotations: batch.map(toApiAnnotation) } : {}),
  });
  const completion =
    verdict.status === "completed"
      ? { status: "completed" as const, conclusion: verdict.conclusion ?? "failure", completed_at: now.toISOString() }
      : { status: "in_progress" as const };

  let id = checkRunId;
  if (id === null) {
    const { data } = await gh.request("POST /repos/{owner}/{repo}/check-runs", {
      owner: target.owner,
      repo: target.repo,
      name: OWN_CHECK_NAME,
      head_sha: target.headSha,
      external_id: target.externalId ?? target.headSha,
      ...completion,
      output: outputFor(batches[0]),
    });
    id = Number(data.id);
  } else {
    await gh.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      owner: target.owner,
      repo: target.repo,
      check_run_id: id,
      ...completion,
      ...(target.externalId ? { external_id: target.externalId } : {}),
      output: outputFor(batches[0]),
    });
  }
  const runId: number = id;
  for (const batch of batches.slice(1)) {
    await gh.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      owner: target.owner,
      repo: target.repo,
      check_run_id: runId,
      output: outputFor(batch),
    });
  }
  return runId;
}

/** A failing check run that says the evaluation itself could not finish: never a silent pass. */
/** Returns the run's id (a new one when there was none). */
export async function writeEvaluationError(gh: GitHubClient, target: CheckTarget, checkRunId: number | null, message: string, now: Date): Promise<number> {
  const output = {
    title: "soc2-guard could not evaluate this commit",
    summary: `${message}\n\nThe controls were not evaluated, so this check fails rather than passing silently. Use **Re-run** on this check once GitHub recovers.`,
  };
  const body = { status: "completed" as const, conclusion: "failure" as const, completed_at: now.toISOString(), output };
  if (checkRunId === null) {
    const { data } = await gh.request("POST /repos/{owner}/{repo}/check-runs", { owner: target.owner, repo: target.repo, name: OWN_CHECK_NAME, head_sha: target.headSha, external_id: target.headSha, ...body });
    return Number(data.id);
  }
  await gh.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { owner: target.owner, repo: target.repo, check_run_id: checkRunId, ...body });
  return checkRunId;
}

/**
 * Our newest run on a commit as GitHub lists it: the run a replica created and did not live
 * to record (its claim says someone created or was creating one). Null when there is none.
 */
export async function findOwnCheckRun(gh: GitHubClient, target: Pick<CheckTarget, "owner" | "repo" | "headSha">, appSlug: string): Promise<number | null> {
  const { data } = await gh.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner: target.owner, repo: target.repo, ref: target.headSha, check_name: OWN_CHECK_NAME, filter: "all", per_page: 100 });
  const ours = data.check_runs.filter((run) => run.name === OWN_CHECK_NAME && run.app?.slug === appSlug && run.head_sha === target.headSha);
  return ours.length > 0 ? Math.max(...ours.map((run) => Number(run.id))) : null;
}
