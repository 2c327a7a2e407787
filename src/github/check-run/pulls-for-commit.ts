// Which open pull requests have this commit as their head. A check run belongs to a
// commit, and GitHub shows it on every one of them.
//
// For a pull-request evaluation the facts query already names them (sharedHeadOf): the
// same branch opened into other bases, and other branches at the same commit. For check
// and status events we ask GitHub; check payloads list only same-repository PRs (fork PRs
// come with an empty list).

import type { GitHubClient } from "../transport/client.js";
import type { GqlAssociatedPulls, GqlPullRequest } from "../facts/pull-request-answer.js";

export interface PayloadPullRef {
  number: number;
  head: { sha: string };
  base: { repo: { name: string } };
}

/** The open PRs sharing a head, as the facts query saw them; complete: false when GitHub listed only some. */
export interface SharedHead {
  numbers: number[];
  complete: boolean;
}

/** Every open PR of this repository whose head is the PR's head commit, itself included. */
export function sharedHeadOf(gpr: Pick<GqlPullRequest, "number" | "headRefOid" | "headRef" | "sharedHead">, repository: string): SharedHead {
  const numbers = new Set([gpr.number]);
  let complete = true;
  const take = (list: GqlAssociatedPulls | null | undefined) => {
    if (!list) return;
    if (list.totalCount > list.nodes.length) complete = false;
    for (const p of list.nodes) {
      if (!p || p.headRefOid !== gpr.headRefOid || (p.state !== undefined && p.state !== "OPEN")) continue;
      if (p.baseRepository?.nameWithOwner.toLowerCase() !== repository.toLowerCase()) continue;
      numbers.add(p.number);
    }
  };
  take(gpr.headRef?.associatedPullRequests);
  for (const node of gpr.sharedHead?.nodes ?? []) take(node.commit?.associatedPullRequests);
  return { numbers: [...numbers].sort((a, b) => a - b), complete };
}

export async function openPullRequestsForCommit(
  gh: GitHubClient,
  repo: { owner: string; repo: string },
  sha: string,
  fromPayload: PayloadPullRef[] = [],
): Promise<number[]> {
  const listed = fromPayload.filter((p) => p.head.sha === sha && p.base.repo.name === repo.repo).map((p) => p.number);
  if (listed.length > 0) return listed;
  const associated = (await gh.paginate("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { owner: repo.owner, repo: repo.repo, commit_sha: sha, per_page: 100 }))
    .filter((p) => p.state === "open" && p.head.sha === sha)
    .map((p) => p.number);
  if (associated.length > 0) return associated;
  // Fork heads are not "associated" with the base repository's commits; search finds them.
  const search = await gh.request("GET /search/issues", { q: `repo:${repo.owner}/${repo.repo} is:pr is:open sha:${sha}`, per_page: 20 });
  return search.data.items.map((i) => i.number);
}
