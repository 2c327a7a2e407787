// The pages past the first of each list the PullRequestFacts query reads. Each reader runs
// only when the first page says more exist (`hasNextPage`, `totalCount`), so a usual PR
// costs nothing here; where GitHub itself stops listing, the reader says so instead of
// pretending the list is whole.

import type { GitHubClient } from "../transport/client.js";
import { CHECKS_ON_COMMIT, MORE_CHECK_RUNS, MORE_COMMITS, MORE_FILES, MORE_REVIEWS } from "./queries.js";
import type { GqlCheckRun, GqlCheckSuite, GqlCommit, GqlCommitChecks, GqlPullRequest, GqlReview, GqlStatusContext, PageInfo } from "./pull-request-answer.js";
import type { IncompleteFact } from "../../facts.js";

/** GitHub lists at most this many commits of a pull request (REST and GraphQL). */
export const GITHUB_MAX_PR_COMMITS = 250;
/** GitHub lists at most this many changed files of a pull request. */
export const GITHUB_MAX_PR_FILES = 3000;

interface PrVariables {
  owner: string;
  repo: string;
  number: number;
}

type PullRequestPage<K extends string, N> = { repository: { pullRequest: Record<K, { pageInfo: PageInfo; nodes: N[] }> } };

async function restOfConnection<K extends "commits" | "files" | "reviews", N>(gh: GitHubClient, query: string, variables: PrVariables, key: K, first: { pageInfo?: PageInfo; nodes: N[] }): Promise<N[]> {
  const nodes = [...first.nodes];
  for (let page = first.pageInfo; page?.hasNextPage && page.endCursor; ) {
    const more = await gh.graphql<PullRequestPage<K, N>>(query, { ...variables, after: page.endCursor });
    const connection = more.repository.pullRequest[key];
    nodes.push(...connection.nodes);
    page = connection.pageInfo;
  }
  return nodes;
}

export async function allCommits(gh: GitHubClient, variables: PrVariables, gpr: GqlPullRequest): Promise<{ commits: GqlCommit[]; incomplete: IncompleteFact | null }> {
  const nodes = await restOfConnection(gh, MORE_COMMITS, variables, "commits", gpr.commits);
  const commits = nodes.map((n: { commit: GqlCommit }) => n.commit);
  const incomplete =
    commits.length < gpr.commits.totalCount
      ? {
          fact: "commits" as const,
          reason: `GitHub lists only ${commits.length} of this pull request's ${gpr.commits.totalCount} commits (its limit is ${GITHUB_MAX_PR_COMMITS}), so who contributed and which commits approvals cover cannot be known: split the change into smaller pull requests`,
        }
      : null;
  return { commits, incomplete };
}

export async function allChangedPaths(gh: GitHubClient, variables: PrVariables, gpr: GqlPullRequest): Promise<{ paths: string[]; renamed: string[]; incomplete: IncompleteFact | null }> {
  const nodes = await restOfConnection(gh, MORE_FILES, variables, "files", gpr.files);
  const paths = nodes.map((n: { path: string }) => n.path);
  // GraphQL names a renamed file by its new path only; its old path comes from the REST list.
  const renamed = nodes.filter((n: { changeType?: string }) => n.changeType === "RENAMED").map((n: { path: string }) => n.path);
  const incomplete =
    paths.length < gpr.files.totalCount
      ? {
          fact: "changedPaths" as const,
          reason: `GitHub lists only ${paths.length} of this pull request's ${gpr.files.totalCount} changed files (its limit is ${GITHUB_MAX_PR_FILES}), so path rules and code owners cannot be checked: split the change into smaller pull requests`,
        }
      : null;
  return { paths, renamed, incomplete };
}

export async function allReviews(gh: GitHubClient, variables: PrVariables, gpr: GqlPullRequest): Promise<GqlReview[]> {
  // Older recorded answers have no pageInfo: fall back to totalCount, which must then match.
  const reviews = await restOfConnection(gh, MORE_REVIEWS, variables, "reviews", gpr.reviews);
  if (reviews.length < gpr.reviews.totalCount) throw new IncompleteAnswerError(`GitHub returned ${reviews.length} of ${gpr.reviews.totalCount} reviews`);
  return reviews;
}

/** GitHub answered with a list shorter than its own count: the answer cannot be trusted as complete. */
export class IncompleteAnswerError extends Error {}

interface CommitObject {
  repository: { object: GqlCommitChecks | null };
}

/**
 * Every check suite (with every run) and status on `oid`. `first` is what the facts query
 * already holds for that commit, or null when the commit it read is not `oid` (the PR moved
 * on while the query ran): then the checks are read by oid, so CI is always read on headRefOid.
 */
export async function allChecksOn(gh: GitHubClient, { owner, repo }: { owner: string; repo: string }, oid: string, first: GqlCommitChecks | null): Promise<{ suites: GqlCheckSuite[]; contexts: GqlStatusContext[] }> {
  let commit = first;
  if (!commit || commit.oid !== oid) {
    commit = (await gh.graphql<CommitObject>(CHECKS_ON_COMMIT, { owner, repo, oid })).repository.object;
  }
  if (!commit) return { suites: [], contexts: [] };
  const suites = [...(commit.checkSuites?.nodes ?? [])];
  for (let page = commit.checkSuites?.pageInfo; page?.hasNextPage && page.endCursor; ) {
    const more: GqlCommitChecks | null = (await gh.graphql<CommitObject>(CHECKS_ON_COMMIT, { owner, repo, oid, after: page.endCursor })).repository.object;
    suites.push(...(more?.checkSuites?.nodes ?? []));
    page = more?.checkSuites?.pageInfo;
  }
  const complete = await Promise.all(suites.map((suite) => allRunsOf(gh, suite)));
  return { suites: complete, contexts: commit.status?.contexts ?? [] };
}

async function allRunsOf(gh: GitHubClient, suite: GqlCheckSuite): Promise<GqlCheckSuite> {
  if (!suite.checkRuns.pageInfo?.hasNextPage) return suite;
  const runs: GqlCheckRun[] = [...suite.checkRuns.nodes];
  for (let page: PageInfo | undefined = suite.checkRuns.pageInfo; page?.hasNextPage && page.endCursor; ) {
    const more: { node: { checkRuns: { pageInfo: PageInfo; nodes: GqlCheckRun[] } } | null } = await gh.graphql(MORE_CHECK_RUNS, { suite: suite.id, after: page.endCursor });
    runs.push(...(more.node?.checkRuns.nodes ?? []));
    page = more.node?.checkRuns.pageInfo;
  }
  return { ...suite, checkRuns: { ...suite.checkRuns, nodes: runs } };
}
