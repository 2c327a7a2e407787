// Reconciliation: the population of changes GitHub knows for a period (merged pull
// requests, pushes to the default branch) against the records in the ledger. Pure: the
// GitHub listing and the archive read happen at the edges (src/github/evidence/evidence-reconcile.ts).

import type { EvidenceRecord, buildPullRequestRecord } from "./record.js";

/** A half-open UTC interval [since, until). */
export interface Period {
  label: string;
  since: string;
  until: string;
}

/** `YYYY-MM` → that calendar month in UTC. */
export function monthPeriod(label: string): Period | null {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(label);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  return { label, since: new Date(Date.UTC(year, month - 1, 1)).toISOString(), until: new Date(Date.UTC(year, month, 1)).toISOString() };
}

/** `YYYY-MM-DD` → from that day (UTC) until now: the backfill window. */
export function sincePeriod(day: string, now: Date): Period | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const since = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(since.getTime()) || since.toISOString().slice(0, 10) !== day || since >= now) return null;
  return { label: `since ${day}`, since: since.toISOString(), until: now.toISOString() };
}

export const inPeriod = (at: string, period: Period): boolean => at >= period.since && at < period.until;

export interface MergedPull {
  number: number;
  mergeCommitSha: string | null;
  mergedAt: string;
  baseBranch: string;
}

export interface BranchCommit {
  sha: string;
  parents: string[];
  committedAt: string;
  author: string | null;
  committer: string | null;
  message: string;
}

/**
 * The branch's first-parent line, newest first: the commits that landed on it one by one
 * (merge, squash and rebased commits, direct pushes), without the PR-branch commits a
 * merge commit brings in. `commits` starts at the branch head, as GitHub lists them.
 */
export function firstParentLine(commits: BranchCommit[]): BranchCommit[] {
  const bySha = new Map(commits.map((c) => [c.sha, c]));
  const line: BranchCommit[] = [];
  for (let c = commits[0]; c && line.length < commits.length; c = c.parents[0] ? bySha.get(c.parents[0]) : undefined) line.push(c);
  return line;
}

export interface MissingPush {
  branch: string;
  /** The commit before the first unexplained one (the push's `before`), when known. */
  before: string | null;
  /** The newest commit: the push's `after`, which names the record. */
  after: string;
  /** Oldest first, as a push lists them. */
  commits: BranchCommit[];
}

export interface RepositoryPopulation {
  repository: string;
  defaultBranch: string;
  /** Pull requests merged in the period (any base branch). */
  pulls: MergedPull[];
  /** The default branch's first-parent line, newest first, limited to the period. */
  line: BranchCommit[];
  /** Commits of `line` that a merged pull request contains (rebased commits, squash commits). */
  explainedByPull: ReadonlySet<string>;
}

export interface RepositoryReconciliation {
  repository: string;
  /** Changes GitHub shows for the period: merged PRs plus unreviewed pushes. */
  population: number;
  found: number;
  missingPulls: MergedPull[];
  missingPushes: MissingPush[];
}

const lower = (s: string): string => s.toLowerCase();

/** Every sha a direct-push record of this repository accounts for. */
function recordedPushShas(repository: string, records: EvidenceRecord[]): Map<string, string> {
  const shas = new Map<string, string>();
  for (const r of records) {
    if (r.kind !== "direct-push" || !r.push || lower(r.repository) !== lower(repository)) continue;
    shas.set(r.push.after, r.id);
    for (const c of r.push.commits) shas.set(c.sha, r.id);
  }
  return shas;
}

/** Commits of the line that still need a GitHub look-up: neither a PR's merge commit nor recorded. */
export function commitsToExplain(population: Omit<RepositoryPopulation, "explainedByPull">, records: EvidenceRecord[]): string[] {
  const mergeShas = new Set(population.pulls.map((p) => p.mergeCommitSha).filter((s): s is string => s !== null));
  const recorded = recordedPushShas(population.repository, records);
  return population.line.filter((c) => !mergeShas.has(c.sha) && !recorded.has(c.sha)).map((c) => c.sha);
}

export function reconcileRepository(population: RepositoryPopulation, records: EvidenceRecord[]): RepositoryReconciliation {
  const repo = lower(population.repository);
  const recordedPulls = new Set(
    records.filter((r) => r.kind === "pull-request" && r.pullRequest && lower(r.repository) === repo).map((r) => r.pullRequest!.number),
  );
  const missingPulls = population.pulls.filter((p) => !recordedPulls.has(p.number));

  const mergeShas = new Set(population.pulls.map((p) => p.mergeCommitSha).filter((s): s is string => s !== null));
  const recorded = recordedPushShas(population.repository, records);
  const foundPushRecords = new Set<string>();
  const missingPushes: MissingPush[] = [];
  // Walk oldest → newest; consecutive unexplained, unrecorded commits form one push.
  let current: BranchCommit[] = [];
  const flush = (): void => {
    if (current.length === 0) return;
    missingPushes.push({ branch: population.defaultBranch, before: current[0]!.parents[0] ?? null, after: current[current.length - 1]!.sha, commits: current });
    current = [];
  };
  for (const commit of [...population.line].reverse()) {
    const explained = mergeShas.has(commit.sha) || population.explainedByPull.has(commit.sha);
    const recordId = recorded.get(commit.sha);
    if (explained || recordId) {
      if (recordId && !explained) foundPushRecords.add(recordId);
      flush();
    } else current.push(commit);
  }
  flush();
  const found = population.pulls.length - missingPulls.length + foundPushRecords.size;
  return { repository: population.repository, population: found + missingPulls.length + missingPushes.length, found, missingPulls, missingPushes };
}

/** What building a backfilled pull-request record needs, loaded from GitHub (facts, control results, config). */
export type PullRequestEvidence = Omit<Parameters<typeof buildPullRequestRecord>[0], "meta">;
export type PullRequestEvidenceLoader = (owner: string, repo: string, number: number) => Promise<PullRequestEvidence>;
