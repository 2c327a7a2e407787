// The organization's repositories and each one's population of changes for a period, in
// batched GraphQL: 25 repositories a query, merged pull requests (newest update first,
// paged until before the period) and the default branch's history since the period's
// start with each commit's merged pull requests inline — so no per-commit look-up. The
// REST loader (evidence-population.ts) costs 2+ requests a repository; this one ~1/25.

import type { GitHubClient } from "../transport/client.js";
import { firstParentLine, inPeriod, type BranchCommit, type MergedPull, type Period, type RepositoryPopulation } from "../../evidence/reconcile.js";

export interface OrgRepository {
  owner: string;
  repo: string;
  defaultBranch: string | null;
  isArchived: boolean;
}

export const REPOSITORIES_PER_QUERY = 25;

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export async function listOrganizationRepositories(gh: GitHubClient, org: string): Promise<OrgRepository[]> {
  const repos: OrgRepository[] = [];
  let after: string | null = null;
  do {
    const data: { organization: { repositories: { nodes: Array<{ name: string; isArchived: boolean; defaultBranchRef: { name: string } | null }>; pageInfo: PageInfo } } | null } = await gh.graphql(
      `query ($org: String!, $after: String) {
  organization(login: $org) {
    repositories(first: 100, after: $after, orderBy: { field: NAME, direction: ASC }) {
      nodes { name isArchived defaultBranchRef { name } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`,
      { org, after },
    );
    const page = data.organization?.repositories;
    if (!page) throw new Error(`organization ${org} not found or not readable`);
    for (const r of page.nodes) repos.push({ owner: org, repo: r.name, defaultBranch: r.defaultBranchRef?.name ?? null, isArchived: r.isArchived });
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return repos;
}

interface PullNode {
  number: number;
  mergedAt: string | null;
  updatedAt: string;
  baseRefName: string;
  mergeCommit: { oid: string } | null;
}

interface CommitNode {
  oid: string;
  committedDate: string;
  message: string;
  parents: { nodes: Array<{ oid: string }> };
  author: { user: { login: string } | null } | null;
  committer: { user: { login: string } | null } | null;
  associatedPullRequests: { nodes: Array<{ merged: boolean }> } | null;
}

interface RepoAnswer {
  pullRequests?: { nodes: PullNode[]; pageInfo: PageInfo };
  defaultBranchRef?: { target: { history?: { nodes: CommitNode[]; pageInfo: PageInfo } } | null } | null;
}

interface Progress {
  target: OrgRepository;
  pulls: MergedPull[];
  commits: CommitNode[];
  pullsAfter: string | null | false;
  historyAfter: string | null | false;
}

const literal = (s: string): string => JSON.stringify(s);

function repoFragment(alias: string, p: Progress, period: Period): string {
  const parts: string[] = [];
  if (p.pullsAfter !== false) {
    parts.push(`pullRequests(states: MERGED, first: 100, orderBy: { field: UPDATED_AT, direction: DESC }${p.pullsAfter ? `, after: ${literal(p.pullsAfter)}` : ""}) {
      nodes { number mergedAt updatedAt baseRefName mergeCommit { oid } }
      pageInfo { hasNextPage endCursor }
    }`);
  }
  if (p.historyAfter !== false && p.target.defaultBranch) {
    // No `until`: the listing starts at the branch head, which the first-parent walk needs.
    parts.push(`defaultBranchRef {
      target { ... on Commit {
        history(first: 100, since: ${literal(period.since)}${p.historyAfter ? `, after: ${literal(p.historyAfter)}` : ""}) {
          nodes {
            oid committedDate message
            parents(first: 1) { nodes { oid } }
            author { user { login } }
            committer { user { login } }
            associatedPullRequests(first: 5) { nodes { merged } }
          }
          pageInfo { hasNextPage endCursor }
        }
      } }
    }`);
  }
  return `${alias}: repository(owner: ${literal(p.target.owner)}, name: ${literal(p.target.repo)}) {
    ${parts.join("\n    ")}
  }`;
}

function finish(p: Progress, period: Period): RepositoryPopulation {
  const commits: BranchCommit[] = p.commits.map((c) => ({
    sha: c.oid,
    parents: c.parents.nodes.map((n) => n.oid),
    committedAt: c.committedDate,
    author: c.author?.user?.login ?? null,
    committer: c.committer?.user?.login ?? null,
    message: c.message,
  }));
  const line = firstParentLine(commits).filter((c) => inPeriod(c.committedAt, period));
  const explainedByPull = new Set(p.commits.filter((c) => (c.associatedPullRequests?.nodes ?? []).some((pr) => pr.merged)).map((c) => c.oid));
  return {
    repository: `${p.target.owner}/${p.target.repo}`,
    defaultBranch: p.target.defaultBranch ?? "",
    pulls: p.pulls.sort((a, b) => a.mergedAt.localeCompare(b.mergedAt) || a.number - b.number),
    line,
    explainedByPull,
  };
}

/** Every repository's population, keyed by `owner/repo`. Requests: about one per 25 repositories. */
export async function loadPopulations(gh: GitHubClient, targets: OrgRepository[], period: Period): Promise<Map<string, RepositoryPopulation>> {
  const progress: Progress[] = targets.map((target) => ({ target, pulls: [], commits: [], pullsAfter: null, historyAfter: target.defaultBranch ? null : false }));
  for (;;) {
    const pending = progress.filter((p) => p.pullsAfter !== false || p.historyAfter !== false);
    if (pending.length === 0) break;
    const batch = pending.slice(0, REPOSITORIES_PER_QUERY);
    const query = `query {\n  ${batch.map((p, i) => repoFragment(`r${i}`, p, period)).join("\n  ")}\n}`;
    const data = await gh.graphql<Record<string, RepoAnswer | null>>(query);
    batch.forEach((p, i) => {
      const answer = data[`r${i}`];
      if (!answer) {
        p.pullsAfter = p.historyAfter = false;
        return;
      }
      if (p.pullsAfter !== false && answer.pullRequests) {
        const nodes = answer.pullRequests.nodes;
        for (const n of nodes) if (n.mergedAt && inPeriod(n.mergedAt, period)) p.pulls.push({ number: n.number, mergeCommitSha: n.mergeCommit?.oid ?? null, mergedAt: n.mergedAt, baseBranch: n.baseRefName });
        // Merged in the period means updated at or after its start: stop once a page ends before it.
        const last = nodes[nodes.length - 1];
        p.pullsAfter = answer.pullRequests.pageInfo.hasNextPage && last && last.updatedAt >= period.since ? answer.pullRequests.pageInfo.endCursor : false;
      } else p.pullsAfter = false;
      if (p.historyAfter !== false) {
        const history = answer.defaultBranchRef?.target?.history;
        if (history) {
          p.commits.push(...history.nodes);
          p.historyAfter = history.pageInfo.hasNextPage ? history.pageInfo.endCursor : false;
        } else p.historyAfter = false;
      }
    });
  }
  return new Map(progress.map((p) => [`${p.target.owner}/${p.target.repo}`, finish(p, period)]));
}
