// Is a push to a protected branch explained by a merged pull request? A PR merge (merge,
// squash or rebase) produces nothing new; anything else is an unreviewed change.

export interface AssociatedPull {
  number: number;
  mergedAt: string | null;
  mergeCommitSha: string | null;
}

export interface PushFacts {
  ref: string;
  after: string;
  created: boolean;
  deleted: boolean;
  commits: Array<{ id: string }>;
}

/** The branch names a push must be recorded for: the default branch and the configured ones. */
export function isRecordedBranch(ref: string, defaultBranch: string, protectedBranches: string[]): boolean {
  if (!ref.startsWith("refs/heads/")) return false;
  const branch = ref.slice("refs/heads/".length);
  return branch === defaultBranch || protectedBranches.includes(branch);
}

/** Decides from the PRs GitHub associates with the pushed head commit. */
export function isExplainedByMergedPullRequest(push: PushFacts, associated: AssociatedPull[]): boolean {
  if (push.deleted) return true; // a deletion is a settings event, not a change of code
  // GitHub associates a commit with the PRs that contain it: a merge commit, a squash
  // commit or a rebased commit of a merged PR. A commit no merged PR contains was pushed directly.
  return associated.some((pr) => pr.mergedAt !== null);
}

/**
 * The commits of a push that no merged pull request explains, given the merge commit
 * SHAs of merged PRs (`merge_commit_sha`: the merge, squash or last rebased commit).
 * A push whose head is such a commit is a PR landing: nothing to record. Otherwise every
 * commit that is not itself a PR's merge commit is unexplained.
 */
export function unexplainedPushCommits<C extends { id: string }>(push: { after: string; deleted?: boolean; commits: C[] }, mergedPrShas: ReadonlySet<string>): C[] {
  if (push.deleted) return [];
  if (mergedPrShas.has(push.after)) return [];
  return push.commits.filter((c) => !mergedPrShas.has(c.id));
}
