// Reconciliation for the export: the batched population (export-population.ts) compared
// with the records read for the period by the evidence reconciliation's own pure
// comparison, and every missing change backfilled (marked collectedLate) in one append.

import { backfilledPushRecord } from "../evidence/evidence-reconcile.js";
import type { EvidenceArchive } from "../../evidence/archive.js";
import { buildPullRequestRecord, type EvidenceRecord, type SealedRecord } from "../../evidence/record.js";
import { reconcileRepository, type PullRequestEvidenceLoader, type RepositoryPopulation } from "../../evidence/reconcile.js";
import type { RecordedChange } from "../../export/period-selection.js";

export interface Backfill {
  /** The app's facts loader and controls for one merged pull request. */
  loadPullRequestEvidence: PullRequestEvidenceLoader;
  /** The config hash in force for a repository, for backfilled direct-push records. */
  configHashFor: (owner: string, repo: string) => Promise<string>;
  appVersion: string;
}

export interface ExportReconciliation {
  population: number;
  written: SealedRecord[];
  /** Backfilled records another writer (a racing replica) had already archived: re-read the period. */
  archivedByOthers: number;
  /** Changes still without a record, with why (no backfill configured, loader failed, dry run). */
  missing: Array<{ change: string; reason: string }>;
}

/**
 * The comparison reads only `id`, `kind`, `repository`, `pullRequest.number` and `push`'s shas of
 * each record: the selection keeps just those, so the archive is not held in memory.
 */
function asRecords(recorded: RecordedChange[]): EvidenceRecord[] {
  return recorded.map(
    (r) =>
      ({
        id: r.id,
        kind: r.kind,
        repository: r.repository,
        pullRequest: r.pullNumber === null ? null : { number: r.pullNumber },
        push: r.kind === "direct-push" ? { after: r.pushShas[0] ?? "", commits: r.pushShas.slice(1).map((sha) => ({ sha })) } : null,
      }) as unknown as EvidenceRecord,
  );
}

export async function reconcileForExport(input: {
  populations: Map<string, RepositoryPopulation>;
  recorded: RecordedChange[];
  archive: EvidenceArchive;
  backfill: Backfill | null;
  runId: string;
  now: () => Date;
  dryRun: boolean;
}): Promise<ExportReconciliation> {
  const records = asRecords(input.recorded);
  const missing: ExportReconciliation["missing"] = [];
  const backfilled: EvidenceRecord[] = [];
  let population = 0;
  for (const [repository, repoPopulation] of input.populations) {
    const result = reconcileRepository(repoPopulation, records);
    population += result.population;
    const changes = [...result.missingPulls.map((p) => ({ change: `${repository}#${p.number}`, pull: p.number, push: null })), ...result.missingPushes.map((p) => ({ change: `${repository}@${p.after.slice(0, 7)}`, pull: null, push: p }))];
    if (changes.length === 0) continue;
    if (input.dryRun || !input.backfill) {
      for (const c of changes) missing.push({ change: c.change, reason: input.dryRun ? "dry run: not backfilled" : "no backfill loader configured" });
      continue;
    }
    const [owner, repo] = repository.split("/") as [string, string];
    const meta = { appVersion: input.backfill.appVersion, deliveryId: input.runId, collectedAt: input.now().toISOString(), collectedLate: true };
    let configHash: string | null = null;
    for (const c of changes) {
      try {
        if (c.pull !== null) backfilled.push(buildPullRequestRecord({ ...(await input.backfill.loadPullRequestEvidence(owner, repo, c.pull)), meta }));
        else if (c.push) backfilled.push(backfilledPushRecord(repository, c.push, (configHash ??= await input.backfill.configHashFor(owner, repo)), meta));
      } catch (error) {
        missing.push({ change: c.change, reason: (error as Error).message });
      }
    }
  }
  const result = backfilled.length > 0 ? await input.archive.append(backfilled) : { written: [], duplicates: [] };
  // A spooling archive keeps what it could not write for later: still missing from this export.
  const landed = new Set([...result.written.map((r) => r.id), ...result.duplicates]);
  for (const r of backfilled) if (!landed.has(r.id)) missing.push({ change: r.id, reason: "backfilled but not yet written: the archive is unavailable" });
  return { population, written: result.written, archivedByOthers: result.duplicates.length, missing };
}
