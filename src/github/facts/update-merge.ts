// Decides whether a merge commit on a PR branch is a clean update-merge: its other parent
// is on the base branch, and its tree is exactly the clean three-way merge of its parents.
// Such a merge keeps approvals fresh and makes nobody a contributor; any other merge is an
// ordinary push.
//
// A tree fact, compared per path by blob id through three compares (each lists the blob id
// of every changed path): the PR side's changes since the merge base (B...P1), the base
// side's (B...P2), and what the merge changed on top of the PR (P1...M). A clean merge
// changes exactly the paths the base side changed and the PR side did not, to the base
// side's blobs. A path changed on both sides to different blobs cannot be proven clean by
// blob ids (it would need a content merge): not clean, and the reason says so. So is a
// compare that lists GitHub's maximum of 300 files (it may hold more), and an octopus merge.
//
// Cached: the tree fact by repository and merge commit (commits never change), the
// classification by repository, merge commit and base head (the base side must be on it).

import type { GitHubClient } from "../transport/client.js";
import type { UpdateMergeKind } from "../../facts.js";
import { httpStatus } from "../transport/http-status.js";

export interface MergeClassification {
  kind: UpdateMergeKind;
  /** Why a merge is not a clean update-merge; absent when it is one. */
  reason?: string;
}

export type UpdateMergeCache = Map<string, MergeClassification>;

/** GitHub's compare lists at most this many files; a list this long may be cut. */
export const COMPARE_MAX_FILES = 300;

export interface CompareFile {
  filename: string;
  status: string;
  sha?: string | null;
  previous_filename?: string;
}

export interface MergeToClassify {
  repo: { owner: string; repo: string };
  sha: string;
  parents: string[];
  /** All parents, when GitHub counted more than it listed. */
  parentCount?: number;
  base: { branch: string; sha: string };
}

export async function classifyMergeCommit(gh: GitHubClient, merge: MergeToClassify, cache: UpdateMergeCache): Promise<MergeClassification> {
  const repoKey = `${merge.repo.owner}/${merge.repo.repo}`.toLowerCase();
  const key = `class:${repoKey}@${merge.sha}:${merge.base.sha}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const count = Math.max(merge.parents.length, merge.parentCount ?? 0);
  if (count > 2) return { kind: "other-merge", reason: `an octopus merge (${count} parents) is never a clean update-merge` };
  const [prSide, baseSide] = merge.parents;
  if (!prSide || !baseSide) return { kind: "other-merge", reason: "not a two-parent merge" };
  const compare = async (base: string, head: string) => {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/compare/{basehead}", { owner: merge.repo.owner, repo: merge.repo.repo, basehead: `${base}...${head}` });
    return { status: data.status, files: (data.files ?? []) as CompareFile[] };
  };
  try {
    const treeKey = `tree:${repoKey}@${merge.sha}`;
    const [onBase, tree] = await Promise.all([
      compare(baseSide, merge.base.sha),
      cache.get(treeKey) ??
        Promise.all([compare(baseSide, prSide), compare(prSide, baseSide), compare(prSide, merge.sha)]).then(([ours, theirs, merged]) => {
          const fact = treeFact(ours.files, theirs.files, merged.files);
          cache.set(treeKey, fact);
          return fact;
        }),
    ]);
    const result: MergeClassification =
      onBase.status !== "ahead" && onBase.status !== "identical"
        ? { kind: "other-merge", reason: `its second parent ${baseSide.slice(0, 7)} is not on ${merge.base.branch}` }
        : tree;
    cache.set(key, result);
    return result;
  } catch (error) {
    // Unknown is an ordinary push: an approval never survives on a guess.
    const status = httpStatus(error);
    if (status === 404 || status === 422) return { kind: "other-merge", reason: `GitHub could not compare its parents (HTTP ${status})` };
    throw error;
  }
}

/** Path → blob id after the change (null: the path is gone), or a reason the list cannot be trusted. */
function blobsByPath(files: CompareFile[], side: string): Map<string, string | null> | string {
  if (files.length >= COMPARE_MAX_FILES) return `the compare of ${side} lists ${files.length} files, GitHub's limit, so it may hold more`;
  const blobs = new Map<string, string | null>();
  for (const file of files) {
    if (file.status === "renamed" && file.previous_filename) blobs.set(file.previous_filename, null);
    if (file.status === "removed") {
      blobs.set(file.filename, null);
      continue;
    }
    if (!file.sha) return `the compare of ${side} gives no blob id for ${file.filename}`;
    blobs.set(file.filename, file.sha);
  }
  return blobs;
}

/**
 * Whether the merge's tree is the clean three-way merge of its parents, from the PR side's
 * changes since the merge base (`ours`), the base side's (`theirs`) and the merge's own
 * change on top of the PR side (`merged`). Pure.
 */
export function treeFact(ours: CompareFile[], theirs: CompareFile[], merged: CompareFile[]): MergeClassification {
  const pr = blobsByPath(ours, "the pull request's side");
  const base = blobsByPath(theirs, "the base side");
  const actual = blobsByPath(merged, "the merge");
  for (const side of [pr, base, actual]) if (typeof side === "string") return { kind: "other-merge", reason: side };
  const prBlobs = pr as Map<string, string | null>;
  const expected = new Map<string, string | null>();
  for (const [path, blob] of base as Map<string, string | null>) {
    if (!prBlobs.has(path)) expected.set(path, blob);
    else if (prBlobs.get(path) !== blob) {
      return { kind: "other-merge", reason: `${path} changed on both sides, which blob ids cannot prove a clean merge of (treated as not clean)` };
    }
  }
  const got = actual as Map<string, string | null>;
  for (const [path, blob] of got) {
    if (!expected.has(path)) return { kind: "other-merge", reason: `the merge changes ${path}, which the base side did not change` };
    if (expected.get(path) !== blob) return { kind: "other-merge", reason: `the merge's ${path} is not the base side's` };
  }
  for (const path of expected.keys()) if (!got.has(path)) return { kind: "other-merge", reason: `the merge leaves out the base side's change to ${path}` };
  return { kind: "clean-update-merge" };
}
