// One reconciliation run: list the period's changes from GitHub, compare them with the
// ledger, and backfill every missing record (marked `collectedLate`). Used by
// `soc2-guard reconcile`, `soc2-guard backfill` and the daily in-app pass.

import type { GitHubClient } from "../transport/client.js";
import type { EvidenceArchive } from "../../evidence/archive.js";
import { buildDirectPushRecord, buildPullRequestRecord, type EvidenceRecord } from "../../evidence/record.js";
import { reconcileRepository, type MissingPush, type Period, type PullRequestEvidenceLoader, type RepositoryReconciliation } from "../../evidence/reconcile.js";
import { loadRepositoryPopulation } from "./evidence-population.js";
import { loadPullRequest } from "../facts/facts-loader.js";
import { loadConfig } from "../facts/config-loader.js";
import { evaluate } from "../../verdict/evaluate.js";

const BACKFILL_CHUNK = 100;

export interface ReconcileTarget {
  owner: string;
  repo: string;
  defaultBranch: string;
}

export interface ReconcileInput {
  gh: GitHubClient;
  archive: EvidenceArchive;
  targets: ReconcileTarget[];
  period: Period;
  /** Builds what a backfilled PR record needs (facts, control results, config) — the app's facts loader. */
  loadPullRequestEvidence: PullRequestEvidenceLoader;
  /** The config hash in force for a repository, for backfilled direct-push records. */
  configHashFor: (owner: string, repo: string) => Promise<string>;
  appVersion: string;
  /** Names the run in the records' `deliveryId`, e.g. `reconcile:2026-11`. */
  runId: string;
  now: () => Date;
  /** List and compare only; write nothing. */
  dryRun?: boolean;
}

export interface ReconcileReport {
  period: Period;
  population: number;
  found: number;
  added: string[];
  /** Missing changes that could not be backfilled, with the reason (they stay missing). */
  failed: Array<{ change: string; reason: string }>;
  repositories: RepositoryReconciliation[];
}

function parseRecords(lines: Array<{ text: string }>): EvidenceRecord[] {
  const records: EvidenceRecord[] = [];
  for (const line of lines) {
    try {
      records.push(JSON.parse(line.text) as EvidenceRecord);
    } catch {
      // An unreadable line is verify's business; reconciliation counts what it can read.
    }
  }
  return records;
}

/** A direct push found only in history, as a record marked collected late. */
export function backfilledPushRecord(repository: string, push: MissingPush, configHash: string, meta: { appVersion: string; deliveryId: string; collectedAt: string }): EvidenceRecord {
  const last = push.commits[push.commits.length - 1];
  return buildDirectPushRecord({
    push: {
      repository,
      ref: `refs/heads/${push.branch}`,
      before: push.before ?? "",
      after: push.after,
      // History shows what landed, not how: a force push that rewrote commits is only seen
      // by the webhook at the time; the rewritten-in commits still show here.
      forced: false,
      // The committer of the newest commit is who put it there, as far as history tells.
      pusher: last?.committer ?? last?.author ?? "unknown",
      commits: push.commits.map((c) => ({ id: c.sha, message: c.message, author: { username: c.author } })),
    },
    branchRules: null,
    configHash,
    meta: { ...meta, collectedLate: true },
  });
}

export async function reconcileArchive(input: ReconcileInput): Promise<ReconcileReport> {
  const { gh, archive, period } = input;
  const records = parseRecords((await archive.read()).lines);
  const repositories: RepositoryReconciliation[] = [];
  const backfill: EvidenceRecord[] = [];
  const failed: ReconcileReport["failed"] = [];
  for (const target of input.targets) {
    const population = await loadRepositoryPopulation(gh, target, period, records);
    const result = reconcileRepository(population, records);
    repositories.push(result);
    if (input.dryRun) continue;
    const meta = { appVersion: input.appVersion, deliveryId: input.runId, collectedAt: input.now().toISOString(), collectedLate: true };
    for (const pull of result.missingPulls) {
      try {
        const evidence = await input.loadPullRequestEvidence(target.owner, target.repo, pull.number);
        backfill.push(buildPullRequestRecord({ ...evidence, meta }));
      } catch (error) {
        failed.push({ change: `${target.owner}/${target.repo}#${pull.number}`, reason: (error as Error).message });
      }
    }
    if (result.missingPushes.length > 0) {
      const configHash = await input.configHashFor(target.owner, target.repo);
      for (const push of result.missingPushes) backfill.push(backfilledPushRecord(`${target.owner}/${target.repo}`, push, configHash, meta));
    }
  }
  // A few large appends: one commit per BACKFILL_CHUNK records, not one per record.
  const added: string[] = [];
  for (let start = 0; start < backfill.length; start += BACKFILL_CHUNK) {
    const result = await archive.append(backfill.slice(start, start + BACKFILL_CHUNK));
    added.push(...result.written.map((r) => r.id));
  }
  return {
    period,
    population: repositories.reduce((n, r) => n + r.population, 0),
    found: repositories.reduce((n, r) => n + r.found, 0),
    added,
    failed,
    repositories,
  };
}

/** The app's own facts loader and controls, evaluated now for a PR that merged without a record. */
export function pullRequestEvidenceLoader(gh: GitHubClient, options: { appSlug: string; fingerprintKey: Uint8Array; runId: string; now: () => Date }): PullRequestEvidenceLoader {
  return async (owner, repo, number) => {
    const loaded = await loadPullRequest(gh, { owner, repo, number }, { appSlug: options.appSlug, withPatches: true, updateMergeCache: new Map(), now: options.now });
    const verdict = evaluate(loaded.facts, loaded.resolved, { fingerprintKey: options.fingerprintKey, now: options.now().toISOString() }, options.runId);
    return { facts: loaded.facts, results: verdict.results, resolved: loaded.resolved, exception: verdict.exception, exceptionApplied: verdict.exceptionApplied, mergeMethod: loaded.mergeMethod };
  };
}

/** The config hash in force on the default branches (org `.github` layer + repository file). */
export function configHashReader(gh: GitHubClient): (owner: string, repo: string) => Promise<string> {
  return async (owner, repo) => (await loadConfig(gh, owner, repo)).hash;
}

/** Every repository of an organization, except the archive repository (its commits are the evidence). */
export async function organizationTargets(gh: GitHubClient, org: string, archiveRepository: string | null): Promise<ReconcileTarget[]> {
  const data = await gh.paginate("GET /orgs/{org}/repos", { org, type: "all", per_page: 100 });
  return data.filter((r) => r.name.toLowerCase() !== archiveRepository?.toLowerCase()).map((r) => ({ owner: org, repo: r.name, defaultBranch: r.default_branch ?? "main" }));
}

export async function repositoryTarget(gh: GitHubClient, owner: string, repo: string): Promise<ReconcileTarget> {
  const { data } = await gh.request("GET /repos/{owner}/{repo}", { owner, repo });
  return { owner, repo, defaultBranch: data.default_branch };
}
