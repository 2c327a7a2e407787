// What a push added to its branch and what the pull request it may be the landing of
// contains: `GET /compare/{before}...{after}` and `GET /pulls/{n}/commits`. Two requests,
// only for a push whose head is a merged PR's merge commit. Either list cut short by
// GitHub's limits (250 commits) is reported incomplete, and nothing is proved from it.

import type { GitHubClient } from "../transport/client.js";
import type { LandedCommit, PushComparison } from "../../evidence/direct-push.js";

const PULL_COMMITS_LIMIT = 250;

interface ApiCommit {
  sha: string;
  parents: Array<{ sha: string }>;
  commit: { message: string; author?: { name?: string | null; email?: string | null } | null };
}

const landed = (c: ApiCommit): LandedCommit => ({
  sha: c.sha,
  parents: c.parents.map((p) => p.sha),
  message: c.commit.message,
  author: c.commit.author ? `${c.commit.author.name ?? ""} <${c.commit.author.email ?? ""}>` : null,
});

export async function loadPushLanding(
  gh: GitHubClient,
  push: { owner: string; repo: string; before: string; after: string },
  pullNumber: number,
): Promise<{ comparison: PushComparison; pullCommits: LandedCommit[]; complete: boolean }> {
  const { data } = await gh.request("GET /repos/{owner}/{repo}/compare/{basehead}", { owner: push.owner, repo: push.repo, basehead: `${push.before}...${push.after}`, per_page: 250 });
  const comparison: PushComparison = { status: data.status, totalCommits: data.total_commits, commits: (data.commits as ApiCommit[]).map(landed) };
  const commits = (await gh.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", { owner: push.owner, repo: push.repo, pull_number: pullNumber, per_page: 100 })) as ApiCommit[];
  return { comparison, pullCommits: commits.map(landed), complete: commits.length < PULL_COMMITS_LIMIT };
}
