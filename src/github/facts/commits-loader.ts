// The PR's commits as facts: identities from the facts query (author, committer and every
// `Co-authored-by:` trailer GitHub maps to an account), who pushed each commit, and for
// each merge commit whether it is a clean update-merge (src/github/facts/update-merge.ts, cached).
//
// Who pushed: our own check run on a commit records the sender of the `synchronize` event
// that made it the head and the head before (src/github/check-run/own-check-record.ts); a force-push
// timeline event names its actor. Either pushed the commits the new head has and the old
// head had not. A commit no push explains (pushed before the PR was opened, or while the
// app missed the event) has no known pusher, and review.approval says so.

import type { GitHubClient } from "../transport/client.js";
import type { CommitFacts } from "../../facts.js";
import type { GqlCommit } from "./pull-request-answer.js";
import { classifyMergeCommit, type UpdateMergeCache } from "./update-merge.js";
import { decodeOwnCheckRecord, type OwnCheckRecord } from "../check-run/own-check-record.js";

export interface Push {
  pusher: string;
  before: string | null;
  after: string;
}

export async function commitFacts(
  gh: GitHubClient,
  ref: { owner: string; repo: string },
  nodes: GqlCommit[],
  base: { branch: string; sha: string },
  cache: UpdateMergeCache,
  pushes: { appSlug: string; forcePushes: Push[] } = { appSlug: "soc2-guard", forcePushes: [] },
): Promise<CommitFacts[]> {
  const records = ownRecordsOf(nodes, pushes.appSlug);
  const recorded = [...records].flatMap(([after, r]) => (r.push ? [{ pusher: r.push.pusher, before: r.push.before, after }] : []));
  const pushedBy = pushersOf(nodes, [...recorded, ...pushes.forcePushes]);
  return Promise.all(
    nodes.map(async (c) => {
      const parents = c.parents.nodes.map((p) => p.oid);
      const parentCount = Math.max(parents.length, c.parents.totalCount ?? 0);
      const merge = parentCount < 2 ? null : await classifyMergeCommit(gh, { repo: { owner: ref.owner, repo: ref.repo }, sha: c.oid, parents, parentCount, base }, cache);
      // The first author is the git author; the rest are trailers.
      const coAuthors = (c.authors?.nodes ?? []).slice(1).flatMap((a) => (a.user?.login ? [a.user.login] : []));
      return {
        sha: c.oid,
        parents,
        authorLogin: c.author?.user?.login ?? null,
        committerLogin: c.committer?.user?.login ?? null,
        message: c.message,
        updateMerge: merge?.kind ?? "not-merge",
        ...(merge?.reason ? { updateMergeReason: merge.reason } : {}),
        ...(coAuthors.length > 0 ? { coAuthorLogins: coAuthors } : {}),
        ...(c.authors && c.authors.totalCount > c.authors.nodes.length ? { coAuthorsTruncated: true } : {}),
        pushedBy: pushedBy.get(c.oid) ?? [],
      } satisfies CommitFacts;
    }),
  );
}

/** The commits with `push` applied: its pusher pushed what its new head has and its old head had not. */
export function withPush(commits: CommitFacts[], push: Push): CommitFacts[] {
  const asNodes = commits.map((c) => ({ oid: c.sha, parents: { nodes: c.parents.map((oid) => ({ oid })) } })) as unknown as GqlCommit[];
  const pushed = pushersOf(asNodes, [push]);
  return commits.map((c) => {
    const by = pushed.get(c.sha);
    if (!by) return c;
    const known = c.pushedBy ?? [];
    return { ...c, pushedBy: [...known, ...by.filter((p) => !known.some((k) => k.toLowerCase() === p.toLowerCase()))] };
  });
}

/** Our own check run's record on each commit that has one. */
export function ownRecordsOf(nodes: GqlCommit[], appSlug: string): Map<string, OwnCheckRecord> {
  const records = new Map<string, OwnCheckRecord>();
  for (const c of nodes) {
    for (const suite of c.ownRuns?.nodes ?? []) {
      if (suite.app?.slug !== appSlug) continue;
      for (const run of suite.checkRuns.nodes) {
        const record = decodeOwnCheckRecord(run.externalId);
        if (record) records.set(c.oid, { ...records.get(c.oid), ...record });
      }
    }
  }
  return records;
}

/** Commit → everyone who pushed it: a push brought the commits its new head has and its old head had not. */
export function pushersOf(nodes: GqlCommit[], pushes: Push[]): Map<string, string[]> {
  const parents = new Map(nodes.map((c) => [c.oid, c.parents.nodes.map((p) => p.oid)]));
  const ancestry = (sha: string | null): Set<string> => {
    const seen = new Set<string>();
    const stack = sha ? [sha] : [];
    while (stack.length > 0) {
      const current = stack.pop()!;
      if (seen.has(current) || !parents.has(current)) continue;
      seen.add(current);
      stack.push(...parents.get(current)!);
    }
    return seen;
  };
  const result = new Map<string, string[]>();
  for (const push of pushes) {
    const before = ancestry(push.before);
    for (const sha of ancestry(push.after)) {
      if (before.has(sha)) continue;
      const list = result.get(sha) ?? [];
      if (!list.some((p) => p.toLowerCase() === push.pusher.toLowerCase())) list.push(push.pusher);
      result.set(sha, list);
    }
  }
  return result;
}
