// Is a push to a recorded branch exactly the landing of a merged pull request? Only a
// merged PR whose base is that branch, whose merge commit is the push's head, and whose
// landing is the whole push explains it: the merge commit (first parent = the branch
// before, second parent = the PR's head, everything else the PR's own commits), the
// squash commit (one commit on the old head), or the PR's commits rebased one by one.
// Anything else — a commit merged into another branch and then pushed here, a force push,
// extra commits on top of a merge — is an unreviewed change. Pure.

export interface PushFacts {
  ref: string;
  before: string;
  after: string;
  created: boolean;
  deleted: boolean;
  forced: boolean;
}

/** A pull request GitHub associates with the pushed head commit. */
export interface AssociatedPull {
  number: number;
  baseRef: string;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  headSha: string;
}

export interface LandedCommit {
  sha: string;
  parents: string[];
  message: string;
  author: string | null;
}

/** `GET /compare/{before}...{after}`: what the push added to the branch. */
export interface PushComparison {
  status: "ahead" | "behind" | "diverged" | "identical";
  totalCommits: number;
  /** Oldest first, as GitHub lists them. */
  commits: LandedCommit[];
}

/** The branch names a push must be recorded for: the default branch and the configured ones. */
export function isRecordedBranch(ref: string, defaultBranch: string, protectedBranches: string[]): boolean {
  if (!ref.startsWith("refs/heads/")) return false;
  const branch = ref.slice("refs/heads/".length);
  return branch === defaultBranch || protectedBranches.includes(branch);
}

export const branchOf = (ref: string): string => ref.replace(/^refs\/heads\//, "");

/** The merged PRs that could have landed as this push: base is the branch, merge commit is its head. */
export function landingCandidates(push: PushFacts, associated: AssociatedPull[]): AssociatedPull[] {
  if (push.deleted || push.created) return [];
  return associated.filter((pr) => pr.mergedAt !== null && pr.baseRef === branchOf(push.ref) && pr.mergeCommitSha === push.after);
}

/**
 * Whether `comparison` (before...after) is exactly `pull`'s landing. `pullCommits` are the
 * PR's commits, oldest first (`GET /pulls/{n}/commits`), `complete` false when the listing
 * was cut short — then nothing is proved and the push counts as unexplained.
 */
export function isLandingOf(push: PushFacts, pull: AssociatedPull, comparison: PushComparison, pullCommits: LandedCommit[], complete: boolean): boolean {
  if (!complete || comparison.status !== "ahead" || comparison.totalCommits !== comparison.commits.length) return false;
  const bySha = new Map(comparison.commits.map((c) => [c.sha, c]));
  // The first-parent line from the new head back to the old one: what landed, one by one.
  const line: LandedCommit[] = [];
  for (let c = bySha.get(push.after); c; c = bySha.get(c.parents[0] ?? "")) {
    line.unshift(c);
    if (c.parents[0] === push.before) break;
    if (line.length > comparison.commits.length) return false;
  }
  if (line.length === 0 || line[0]!.parents[0] !== push.before || line.at(-1)!.sha !== pull.mergeCommitSha) return false;
  if (line.length === 1) {
    const landed = line[0]!;
    if (landed.parents.length === 1) return comparison.commits.length === 1; // squash (or a one-commit rebase)
    if (landed.parents.length !== 2 || landed.parents[1] !== pull.headSha) return false;
    // A merge commit brings in the PR's commits and nothing else.
    const prShas = new Set(pullCommits.map((c) => c.sha));
    return comparison.commits.every((c) => c.sha === landed.sha || prShas.has(c.sha));
  }
  // Rebase: the PR's commits replayed in order — same messages and authors, one parent each.
  if (line.length !== comparison.commits.length || line.length !== pullCommits.length) return false;
  return line.every((c, i) => c.parents.length === 1 && c.message === pullCommits[i]!.message && c.author === pullCommits[i]!.author);
}
