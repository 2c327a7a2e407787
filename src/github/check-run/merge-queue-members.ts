// Which pull requests a merge group holds. A group's commit carries its own pull request
// and every entry ahead of it in the queue, and when the group passes GitHub merges them
// all — so the group's run must stand for each of them. The queue's branch name
// (`gh-readonly-queue/<base>/pr-<n>-<sha>`) names only the last one; the merge queue's
// entries (GraphQL) name the rest. When the queue no longer lists the group, or is longer
// than one page, the membership is unknown and the run fails closed.

import type { GitHubClient } from "../transport/client.js";

export const MERGE_QUEUE_QUERY = /* GraphQL */ `
  query MergeQueueEntries($owner: String!, $name: String!, $branch: String!) {
    repository(owner: $owner, name: $name) {
      mergeQueue(branch: $branch) {
        entries(first: 100) {
          totalCount
          nodes { position headCommit { oid } pullRequest { number } }
        }
      }
    }
  }
`;

interface EntriesAnswer {
  repository: {
    mergeQueue: {
      entries: { totalCount: number; nodes: Array<{ position: number; headCommit: { oid: string } | null; pullRequest: { number: number } | null } | null> };
    } | null;
  } | null;
}

export type MergeGroupMembers = { ok: true; numbers: number[] } | { ok: false; problem: string };

/** Pure: the members from the queue's answer, or why they cannot be known. */
export function membersFromQueue(answer: EntriesAnswer, headSha: string, namedByRef: number[]): MergeGroupMembers {
  const entries = answer.repository?.mergeQueue?.entries;
  if (!entries) return { ok: false, problem: "the base branch has no merge queue GitHub would show soc2-guard" };
  const nodes = entries.nodes.filter((n): n is NonNullable<typeof n> => n !== null).sort((a, b) => a.position - b.position);
  const own = nodes.find((n) => n.headCommit?.oid === headSha);
  if (!own) {
    return {
      ok: false,
      problem: entries.totalCount > nodes.length ? `the merge queue holds ${entries.totalCount} entries and this group is not among the first ${nodes.length}` : "the merge queue no longer lists this group (it was removed or rebuilt)",
    };
  }
  const ahead = nodes.filter((n) => n.position <= own.position);
  if (ahead.some((n) => !n.pullRequest)) return { ok: false, problem: "an entry ahead of this group in the merge queue names no pull request soc2-guard can read" };
  const numbers = [...new Set([...ahead.map((n) => n.pullRequest!.number), ...namedByRef])];
  return { ok: true, numbers };
}

export async function mergeGroupMembers(gh: GitHubClient, group: { owner: string; repo: string; baseRef: string; headSha: string; pullNumbers: number[] }): Promise<MergeGroupMembers> {
  const answer = await gh.graphql<EntriesAnswer>(MERGE_QUEUE_QUERY, { owner: group.owner, name: group.repo, branch: group.baseRef });
  return membersFromQueue(answer, group.headSha, group.pullNumbers);
}
