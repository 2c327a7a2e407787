// One monthly export, from any trigger (schedule, repository_dispatch, CLI): if the
// period's issue exists, stop — it is the lock. Otherwise list the population, read the
// period's records once (streaming), reconcile and backfill, build the files, commit
// them in one commit (or none if already there), open the issue through the issue sink,
// and close a duplicate if another replica raced us.

import type { ReexportRequest } from "../../export/dispatch.js";
import { capIssueBody, neutralise } from "../../evidence/untrusted-text.js";
import type { GitHubClient } from "../transport/client.js";
import type { EvidenceArchive } from "../../evidence/archive.js";
import type { IssueSink } from "../../evidence/issue-sink.js";
import type { RepositoryPopulation } from "../../evidence/reconcile.js";
import { exportDirectory, exportPeriod, hasEnded } from "../../export/period.js";
import { PeriodSelector } from "../../export/period-selection.js";
import { buildExportFiles, buildExportIssue, EXPORT_FILES } from "../../export/export-files.js";
import { EXPORT_LABEL, exportIssueKey } from "../../export/issue-body.js";
import type { ReconciliationCounts, ExportSummary } from "../../export/summary.js";
import type { ExportIssueLookup, ExportStore } from "../../export/ports.js";
import { LocalExportStore } from "../../export/local-store.js";
import { listOrganizationRepositories, loadPopulations, type OrgRepository } from "./export-population.js";
import { loadAccessFacts } from "./export-access.js";
import { reconcileForExport, type Backfill } from "./export-reconcile.js";
import { GitHubExportStore } from "./export-store.js";
import { GitHubExportIssues } from "./export-issues.js";
import { chartHistory } from "../../export/chart-history.js";
import { signCheckpoint } from "../../trust/checkpoint.js";
import { buildSnapshot, signExport, signedSection, SNAPSHOT_FILE } from "../../export/export-seal.js";
import { formatFingerprint, type SigningKey } from "../../trust/signing-key.js";

export type ArchiveLocation = { kind: "directory"; dir: string } | { kind: "repository"; owner: string; repo: string; branch: string; htmlBase?: string };

export interface ExportLog {
  info: (message: string) => void;
  warn: (message: string) => void;
}

export interface MonthlyExportDeps {
  /** null: no GitHub access (local archive only): no reconciliation, no access review. */
  gh: GitHubClient | null;
  /** Where backfilled records are appended (the app's archive for the organization). */
  archive: EvidenceArchive;
  /** Where the export reads records and writes files: the same archive's location. */
  location: ArchiveLocation;
  issues: IssueSink;
  now: () => Date;
  log: ExportLog;
  /** Builds backfilled records; without it, missing changes are reported, not backfilled. */
  backfill?: Backfill | null;
  /** Overrides for tests: the store and issue look-ups derived from `location`. */
  store?: ExportStore;
  lookup?: ExportIssueLookup;
  /**
   * Signs the export: snapshot.json (the inputs that are not records) joins the files, and
   * the issue carries the period's signed checkpoint and the export statement (file hashes).
   */
  signingKey?: SigningKey;
}

export interface MonthlyExportRequest {
  org: string;
  /** YYYY-MM */
  period: string;
  dryRun?: boolean;
  /** Export a period that was exported already: a new issue says so, why and who asked. */
  reexport?: ReexportRequest | null;
}

export type MonthlyExportResult =
  | { status: "exported"; issueUrl: string; committed: boolean; summary: ExportSummary; files: Map<string, string>; movedToFiles: string[] }
  | { status: "already-exported"; issueUrl: string }
  | { status: "dry-run"; summary: ExportSummary; files: Map<string, string>; issue: { title: string; body: string } }
  | { status: "refused"; reason: string };

function edges(deps: MonthlyExportDeps): { store: ExportStore; lookup: ExportIssueLookup | null } {
  if (deps.location.kind === "directory") {
    const local = new LocalExportStore(deps.location.dir);
    return { store: deps.store ?? local, lookup: deps.lookup ?? local };
  }
  const { owner, repo } = deps.location;
  return {
    store: deps.store ?? new GitHubExportStore(deps.gh!, deps.location),
    lookup: deps.lookup ?? (deps.gh ? new GitHubExportIssues(deps.gh, owner, repo) : null),
  };
}

export async function runMonthlyExport(deps: MonthlyExportDeps, request: MonthlyExportRequest): Promise<MonthlyExportResult> {
  const period = exportPeriod(request.period);
  if (!period) return { status: "refused", reason: `not a month: ${request.period} (expected YYYY-MM)` };
  const now = deps.now();
  if (!hasEnded(period, now)) return { status: "refused", reason: `${period.label} has not ended yet (it ends ${period.until})` };
  if (deps.location.kind === "repository" && !deps.gh) return { status: "refused", reason: "an archive repository needs GitHub access" };
  const dryRun = request.dryRun ?? false;
  const { store, lookup } = edges(deps);
  const key = exportIssueKey(request.org, period.label);

  const existing = await lookup?.find(key, EXPORT_LABEL);
  const reexport = request.reexport ?? null;
  if (existing && !dryRun && !reexport) {
    deps.log.info(`export ${period.label}: already exported (${existing})`);
    return { status: "already-exported", issueUrl: existing };
  }

  // The population first: it places late-recorded pushes in the period while reading.
  const archiveRepo = deps.location.kind === "repository" ? `${deps.location.owner}/${deps.location.repo}`.toLowerCase() : null;
  let repos: OrgRepository[] = [];
  let excluded: string[] = [];
  let populations = new Map<string, RepositoryPopulation>();
  if (deps.gh) {
    const all = await listOrganizationRepositories(deps.gh, request.org);
    // The archive repository's own commits are the evidence, not changes to export.
    repos = all.filter((r) => `${r.owner}/${r.repo}`.toLowerCase() !== archiveRepo);
    excluded = all.filter((r) => !repos.includes(r)).map((r) => `${r.owner}/${r.repo}`);
    populations = await loadPopulations(deps.gh, repos, period);
  }
  const periodCommits = new Map([...populations].map(([repo, p]) => [repo.toLowerCase(), new Map(p.line.map((c) => [c.sha, c.committedAt]))]));
  const readPeriod = async (): Promise<PeriodSelector> => {
    const selector = new PeriodSelector({ period, periodCommits });
    for await (const line of store.periodLines(period, now)) selector.addLine(line);
    return selector;
  };
  let selector = await readPeriod();

  let reconciliation: ReconciliationCounts = { ran: false, reason: "no GitHub access: the records were exported without comparing them with GitHub" };
  let missing: Array<{ change: string; reason: string }> = [];
  let population = 0;
  if (deps.gh) {
    const reconciled = await reconcileForExport({
      populations,
      recorded: selector.finish().recorded,
      archive: deps.archive,
      backfill: deps.backfill ?? null,
      runId: `export:${period.label}`,
      now: deps.now,
      dryRun,
    });
    // Another replica archived the same backfill first: its records are in the chain, not in our hands.
    if (reconciled.archivedByOthers > 0) selector = await readPeriod();
    else for (const record of reconciled.written) selector.addRecord(record, `appended by this export (${record.collectedAt})`, { appendedNow: true });
    population = reconciled.population;
    missing = reconciled.missing;
    if (reconciled.written.length > 0) deps.log.info(`export ${period.label}: backfilled ${reconciled.written.length} missing record(s)`);
  }
  const selected = selector.finish();
  if (deps.gh) reconciliation = { ran: true, population, records: selected.changes.length, addedLate: selected.changes.filter((c) => c.collectedLate).length, missing };

  const access = deps.gh ? await loadAccessFacts(deps.gh, request.org, repos) : null;
  // The chain as the export leaves it (backfills included): the period's checkpoint, signed
  // before the files are built because report.html derives the sampling seed from it.
  const archiveName = deps.location.kind === "repository" ? `${deps.location.owner}/${deps.location.repo}@${deps.location.branch}` : "local";
  let periodCheckpoint: ReturnType<typeof signCheckpoint> | null = null;
  let checkpoint: { count: number; head: string; lastId: string | null } | null = null;
  if (deps.signingKey && store.ledgerHead) {
    const head = await store.ledgerHead();
    checkpoint = { count: head?.count ?? 0, head: head?.hash ?? "0".repeat(64), lastId: head?.lastId ?? null };
    periodCheckpoint = signCheckpoint({ archive: archiveName, ...checkpoint, time: now.toISOString() }, deps.signingKey);
  }
  const exportInput = {
    organization: request.org,
    selected,
    reconciliation,
    access,
    reviewStates: (await lookup?.reviewStates(period)) ?? new Map(),
    now: now.toISOString(),
    archive: store.description,
    repositories: repos.map((r) => `${r.owner}/${r.repo}`),
    excludedRepositories: excluded,
    shardsRead: [...new Set(store.shardsRead)],
    history: store.readExportFile ? await chartHistory((path) => store.readExportFile!(path), period) : [],
    periodCheckpoint: periodCheckpoint?.envelope ?? null,
    signingPublicKey: periodCheckpoint && deps.signingKey ? deps.signingKey.publicKey.export({ type: "spki", format: "der" }).toString("base64") : null,
  };
  const exported = buildExportFiles(exportInput);
  let signed: string[] | undefined;
  if (deps.signingKey && checkpoint && periodCheckpoint) {
    const pushShas = new Set(selected.recorded.flatMap((r) => r.pushShas));
    const snapshot = buildSnapshot({ ...exportInput, period: period.label, chainCount: checkpoint.count, periodCommits, pushShas });
    exported.files.set(`${exportDirectory(period)}/${SNAPSHOT_FILE}`, `${JSON.stringify(snapshot, null, 2)}\n`);
    const signatures = signExport({ organization: request.org, period: period.label, archive: archiveName, checkpoint, files: exported.files, time: now.toISOString() }, deps.signingKey, periodCheckpoint);
    signed = signedSection(signatures, formatFingerprint(deps.signingKey.keyId));
  }
  const paths = EXPORT_FILES.map((f) => `${exportDirectory(period)}/${f}`);

  if (dryRun) {
    const issue = buildExportIssue({ exported, fileLinks: store.fileLinks(paths, "(dry run)"), verifyArgs: store.verifyArgs, ...(signed ? { signed } : {}) });
    return { status: "dry-run", summary: exported.summary, files: exported.files, issue: { title: issue.title, body: issue.body } };
  }
  const write = await store.writeFiles(exported.files, `export: SOC 2 evidence ${period.label} (${exported.summary.totals.changes} changes, seal ${exported.summary.ledger.seal?.hash.slice(0, 12) ?? "none"})`);
  const built = buildExportIssue({ exported, fileLinks: store.fileLinks(paths, write.ref), verifyArgs: store.verifyArgs, ...(signed ? { signed } : {}) });
  // A re-export is its own issue, keyed by when it ran, saying why and who asked; the first export's issue stays.
  const issue = reexport
    ? {
        ...built,
        title: `${built.title} (re-export)`,
        body: capIssueBody(`> [!NOTE]\n> **Re-export** of ${period.label}${reexport.requestedBy ? ` requested by ${neutralise(reexport.requestedBy, 60)}` : ""}${existing ? ` (first export: ${existing})` : ""}. Reason: ${neutralise(reexport.reason, 500)}\n\n${built.body}`),
        key: `${key}@reexport:${now.toISOString()}`,
      }
    : built;
  const opened = await deps.issues.open(issue);
  if (!reexport) await lookup?.settle(key, EXPORT_LABEL);
  deps.log.info(`export ${period.label}: ${write.written ? "committed" : "files already committed"}; issue ${opened.created ? "opened" : "already open"} ${opened.url}`);
  if (reexport) deps.log.info(`export ${period.label}: re-exported (${reexport.reason.slice(0, 80)})`);
  if (!opened.created) return { status: "already-exported", issueUrl: opened.url };
  return { status: "exported", issueUrl: opened.url, committed: write.written, summary: exported.summary, files: exported.files, movedToFiles: issue.moved };
}
