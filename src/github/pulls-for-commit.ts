// Which open pull requests have this commit as their head. Check payloads list only
// same-repository PRs (fork PRs come with an empty list), so we ask GitHub.

import type { GitHubClient } from "./client.js";

export interface PayloadPullRef {
  number: number;
  head: { sha: string };
  base: { repo: { name: string } };
}

export async function openPullRequestsForCommit(
  gh: GitHubClient,
  repo: { owner: string; repo: string },
  sha: string,
  fromPayload: PayloadPullRef[] = [],
): Promise<number[]> {
  const listed = fromPayload.filter((p) => p.head.sha === sha && p.base.repo.name === repo.repo).map((p) => p.number);
  if (listed.length > 0) return listed;
  const { data } = await gh.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { owner: repo.owner, repo: repo.repo, commit_sha: sha, per_page: 100 });
  const associated = data.filter((p) => p.state === "open" && p.head.sha === sha).map((p) => p.number);
  if (associated.length > 0) return associated;
  // Fork heads are not "associated" with the base repository's commits; search finds them.
  const search = await gh.request("GET /search/issues", { q: `repo:${repo.owner}/${repo.repo} is:pr is:open sha:${sha}`, per_page: 20 });
  return search.data.items.map((i) => i.number);
}
