// The population of changes GitHub knows for a period, listed with few requests:
// closed pull requests sorted by `updated_at` (newest first) paged until before the period —
// not the search API, which stops at 1,000 results — and the default branch's commits.

import type { GitHubClient } from "../transport/client.js";
import {
  commitsToExplain,
  firstParentLine,
  inPeriod,
  type BranchCommit,
  type MergedPull,
  type Period,
  type RepositoryPopulation,
} from "../../evidence/reconcile.js";
import type { EvidenceRecord } from "../../evidence/record.js";

const PAGE = 100;

export async function listMergedPulls(gh: GitHubClient, owner: string, repo: string, period: Period): Promise<MergedPull[]> {
  const pulls: MergedPull[] = [];
  for (let page = 1; ; page++) {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/pulls", { owner, repo, state: "closed", sort: "updated", direction: "desc", per_page: PAGE, page });
    for (const p of data) {
      if (p.merged_at && inPeriod(p.merged_at, period)) {
        pulls.push({ number: p.number, mergeCommitSha: p.merge_commit_sha ?? null, mergedAt: p.merged_at, baseBranch: p.base.ref });
      }
    }
    // A PR merged in the period was updated at or after its merge: once a page ends before
    // the period, every later page does too.
    const last = data[data.length - 1];
    if (data.length < PAGE || !last || last.updated_at < period.since) break;
  }
  return pulls.sort((a, b) => a.mergedAt.localeCompare(b.mergedAt) || a.number - b.number);
}

/** The default branch's first-parent line in the period, newest first. */
export async function listFirstParentLine(gh: GitHubClient, owner: string, repo: string, branch: string, period: Period): Promise<BranchCommit[]> {
  // No `until`: the listing then starts at the branch head, which the first-parent walk needs.
  const data = await gh.paginate("GET /repos/{owner}/{repo}/commits", { owner, repo, sha: branch, since: period.since, per_page: PAGE });
  const commits: BranchCommit[] = data.map((c) => ({
    sha: c.sha,
    parents: c.parents.map((p) => p.sha),
    committedAt: c.commit.committer?.date ?? c.commit.author?.date ?? "",
    author: c.author?.login ?? null,
    committer: c.committer?.login ?? null,
    message: c.commit.message,
  }));
  return firstParentLine(commits).filter((c) => inPeriod(c.committedAt, period));
}

/** Does a merged pull request contain this commit (a rebased commit, a commit of a merged branch)? */
async function isInMergedPull(gh: GitHubClient, owner: string, repo: string, sha: string): Promise<boolean> {
  const { data } = await gh.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { owner, repo, commit_sha: sha });
  return data.some((p) => p.merged_at !== null && p.merged_at !== undefined);
}

export async function loadRepositoryPopulation(
  gh: GitHubClient,
  target: { owner: string; repo: string; defaultBranch: string },
  period: Period,
  records: EvidenceRecord[],
): Promise<RepositoryPopulation> {
  const { owner, repo, defaultBranch } = target;
  const [pulls, line] = await Promise.all([listMergedPulls(gh, owner, repo, period), listFirstParentLine(gh, owner, repo, defaultBranch, period)]);
  const partial = { repository: `${owner}/${repo}`, defaultBranch, pulls, line };
  // Only commits that are neither a PR's merge commit nor already recorded cost a look-up.
  const explainedByPull = new Set<string>();
  for (const sha of commitsToExplain(partial, records)) {
    if (await isInMergedPull(gh, owner, repo, sha)) explainedByPull.add(sha);
  }
  return { ...partial, explainedByPull };
}
