// The PR's commits as facts: identities from the facts query, and for each merge commit
// whether it is a clean update-merge (src/github/update-merge.ts, cached by SHA).

import type { GitHubClient } from "./client.js";
import type { CommitFacts } from "../facts.js";
import type { GqlCommit } from "./pull-request-answer.js";
import { classifyMergeCommit, type UpdateMergeCache } from "./update-merge.js";

export async function commitFacts(gh: GitHubClient, ref: { owner: string; repo: string }, nodes: GqlCommit[], baseBranch: string, cache: UpdateMergeCache): Promise<CommitFacts[]> {
  return Promise.all(
    nodes.map(async (c) => {
      const parents = c.parents.nodes.map((p) => p.oid);
      return {
        sha: c.oid,
        parents,
        authorLogin: c.author?.user?.login ?? null,
        committerLogin: c.committer?.user?.login ?? null,
        message: c.message,
        updateMerge: parents.length < 2 ? "not-merge" : await classifyMergeCommit(gh, ref, c.oid, parents, baseBranch, cache),
      } satisfies CommitFacts;
    }),
  );
}
