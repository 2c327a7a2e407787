// Decides whether a merge commit on a PR branch is a clean update-merge: its other parent
// is on the base branch, and it brings in exactly the base branch's changes — nothing
// more. Such a merge keeps approvals fresh; a merge that also edits code does not.
//
// Git would compare trees with a real merge; through the API we compare what the merge
// added on top of the PR (P1...M) with what the base side changed since the merge base
// (P1...P2). Identical added/removed lines per file means nothing was slipped in.
// Results are cached by SHA: commits never change.

import type { GitHubClient } from "./client.js";
import type { UpdateMergeKind } from "../facts.js";

export type UpdateMergeCache = Map<string, UpdateMergeKind>;

interface DiffFile {
  filename: string;
  status: string;
  patch?: string;
}

export async function classifyMergeCommit(
  gh: GitHubClient,
  ref: { owner: string; repo: string },
  sha: string,
  parents: string[],
  baseBranch: string,
  cache: UpdateMergeCache,
): Promise<UpdateMergeKind> {
  const cached = cache.get(sha);
  if (cached) return cached;
  const [prSide, baseSide] = parents;
  if (!prSide || !baseSide || parents.length !== 2) return "other-merge";
  const compare = (base: string, head: string) =>
    gh.request("GET /repos/{owner}/{repo}/compare/{basehead}", { owner: ref.owner, repo: ref.repo, basehead: `${base}...${head}`, per_page: 100 });
  try {
    const [onBase, merged, upstream] = await Promise.all([compare(baseSide, baseBranch), compare(prSide, sha), compare(prSide, baseSide)]);
    const isOnBase = onBase.data.status === "ahead" || onBase.data.status === "identical";
    const kind: UpdateMergeKind =
      isOnBase && sameChanges((merged.data.files ?? []) as DiffFile[], (upstream.data.files ?? []) as DiffFile[]) ? "clean-update-merge" : "other-merge";
    cache.set(sha, kind);
    return kind;
  } catch (error) {
    // Unknown is treated as an ordinary push: an approval never survives on a guess.
    if ([404, 422].includes((error as { status?: number }).status ?? 0)) return "other-merge";
    throw error;
  }
}

/** The lines a diff adds and removes, per file, ignoring context and hunk positions. */
function changedLines(files: DiffFile[]): Map<string, string> {
  const result = new Map<string, string>();
  for (const file of files) {
    if (file.patch === undefined) {
      // Binary or too large: compare by status only, which is weaker but never lenient for text.
      result.set(file.filename, `status:${file.status}`);
      continue;
    }
    const lines = file.patch.split("\n").filter((l) => (l.startsWith("+") || l.startsWith("-")) && !l.startsWith("+++") && !l.startsWith("---"));
    result.set(file.filename, lines.sort().join("\n"));
  }
  return result;
}

export function sameChanges(mergeDiff: DiffFile[], baseDiff: DiffFile[]): boolean {
  const a = changedLines(mergeDiff);
  const b = changedLines(baseDiff);
  if (a.size !== b.size) return false;
  for (const [file, lines] of a) if (b.get(file) !== lines) return false;
  return true;
}
