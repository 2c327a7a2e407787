// `soc2-guard verify --export YYYY-MM`: an export checked as evidence. The period's signed
// export statement (from the export issue, or a copy of it) must verify under the pinned
// key and come from the app; its checkpoint (count, chain head) must be a prefix of the
// chain now; every committed file must have the SHA-256 the app signed; and changes.csv,
// exceptions.csv, access-review.csv and summary.json must follow from the records (the
// first `count` of the chain) and snapshot.json exactly as the export computed them.
// Names every file that differs. Pure apart from the ExportFiles port it reads through.

import type { KeyObject } from "node:crypto";
import type { KeyRing } from "../trust/dsse.js";
import type { StoredLine } from "../evidence/verify.js";
import { verifyChain } from "../evidence/verify.js";
import { GENESIS } from "../evidence/ledger.js";
import type { CheckpointSource } from "../trust/verify-archive.js";
import { exportPeriod, exportDirectory } from "./period.js";
import { selectPeriod } from "./period-selection.js";
import { buildExportFiles } from "./export-files.js";
import { REPORT_FORMAT } from "../web/report.js";
import { exportStatementsIn, sha256, snapshotAccess, snapshotPeriodCommits, verifyExportStatement, SNAPSHOT_FILE, type ExportSnapshot, type ExportStatement } from "./export-seal.js";

/** Where verify reads an export's committed files and the texts that carry its statement. */
export interface ExportFiles {
  read(path: string): Promise<string | null>;
  /** Export issues (or copies of them) that may carry the period's statement. */
  statements(period: string): Promise<CheckpointSource[]>;
}

export type ExportFileStatus = "ok" | "missing" | "differs-from-signed" | "differs-from-records" | "unsigned";

export interface ExportVerification {
  ok: boolean;
  period: string;
  statement: ExportStatement | null;
  statementLocation: string | null;
  checkpoint: { ok: boolean; detail: string };
  files: Array<{ path: string; status: ExportFileStatus; detail: string }>;
  problems: string[];
}

export interface VerifyExportInput {
  period: string;
  files: ExportFiles;
  /** The whole chain as it is now, in order. */
  lines: StoredLine[];
  /** Texts to take the statement from instead of the export issues (a copy of the issue). */
  checkpoints?: CheckpointSource[];
  statementTexts?: CheckpointSource[];
  /** The pinned key, or the trusted ring verify built from it (key rotations followed). */
  publicKey: KeyObject | KeyRing;
  archive?: string | null;
  appLogins?: string[] | null;
}

export async function verifyExportFiles(input: VerifyExportInput): Promise<ExportVerification> {
  const result: ExportVerification = { ok: false, period: input.period, statement: null, statementLocation: null, checkpoint: { ok: false, detail: "not checked" }, files: [], problems: [] };
  const period = exportPeriod(input.period);
  if (!period) {
    result.problems.push(`not a month: ${input.period} (expected YYYY-MM)`);
    return result;
  }
  // The statement: signed by the pinned key, from the app, for this period; the latest re-export wins.
  const sources = input.statementTexts ?? (await input.files.statements(period.label));
  let chosen: { statement: ExportStatement; location: string } | null = null;
  for (const source of sources) {
    for (const envelope of exportStatementsIn(source.text)) {
      if (input.appLogins && !(source.author && input.appLogins.some((l) => l.toLowerCase() === source.author!.toLowerCase()))) {
        result.problems.push(`${source.location}: an export statement written by ${source.author ?? "an unknown author"}, not the app: ignored`);
        continue;
      }
      const checked = verifyExportStatement(envelope, input.publicKey);
      if (!checked.ok) {
        result.problems.push(`${source.location}: an export statement that does not verify under the pinned key (${checked.detail})`);
        continue;
      }
      if (checked.statement.period !== period.label) continue;
      if (input.archive && checked.statement.archive.toLowerCase() !== input.archive.toLowerCase()) {
        result.problems.push(`${source.location}: signed for ${checked.statement.archive}, not ${input.archive}`);
        continue;
      }
      if (!chosen || checked.statement.time > chosen.statement.time) chosen = { statement: checked.statement, location: source.location };
    }
  }
  if (!chosen) {
    result.problems.push(`no export statement for ${period.label} signed by the pinned key was found${input.statementTexts ? " in the given issue" : " in the app's export issues"}`);
    return result;
  }
  const statement = chosen.statement;
  result.statement = statement;
  result.statementLocation = chosen.location;

  // The period's checkpoint against the chain now.
  const cp = statement.checkpoint;
  const prefix = input.lines.slice(0, cp.count);
  const chain = verifyChain(prefix, null);
  const hashAt = cp.count === 0 ? GENESIS : (JSON.parse(input.lines[cp.count - 1]?.text ?? "null") as { hash?: string } | null)?.hash;
  if (input.lines.length < cp.count) result.checkpoint = { ok: false, detail: `the period's checkpoint vouches for ${cp.count} records; the archive holds ${input.lines.length}: records were removed or the branch rolled back` };
  else if (!chain.ok) result.checkpoint = { ok: false, detail: `the chain is broken inside the period's checkpoint at ${chain.location}: ${chain.detail}` };
  else if (hashAt !== cp.head) result.checkpoint = { ok: false, detail: `the period's checkpoint signed record #${cp.count} as ${cp.head.slice(0, 12)}…, the archive has ${String(hashAt).slice(0, 12)}… there: the chain was rewritten and re-sealed` };
  else result.checkpoint = { ok: true, detail: `${cp.count} records ending in ${cp.head.slice(0, 12)}… are still the chain's first ${cp.count}` };

  // Every committed file against its signed hash.
  const committed = new Map<string, string>();
  for (const [path, digest] of Object.entries(statement.files)) {
    const text = await input.files.read(path);
    if (text === null) result.files.push({ path, status: "missing", detail: "the app committed and signed this file; it is not there" });
    else if (sha256(text) !== digest) result.files.push({ path, status: "differs-from-signed", detail: "its SHA-256 is not the one the app signed: the file was replaced or edited" });
    else committed.set(path, text);
  }
  const dir = exportDirectory(period);
  for (const name of ["changes.csv", "exceptions.csv", "access-review.csv", "summary.json", SNAPSHOT_FILE]) {
    if (!(`${dir}/${name}` in statement.files)) result.files.push({ path: `${dir}/${name}`, status: "unsigned", detail: "the export statement does not cover this file" });
  }

  // Recompute the files from the records and the snapshot.
  const snapshotText = committed.get(`${dir}/${SNAPSHOT_FILE}`);
  if (snapshotText && result.checkpoint.ok) {
    const snapshot = JSON.parse(snapshotText) as ExportSnapshot;
    const firstShard = `records/${period.since.slice(0, 4)}/${period.since.slice(5, 7)}/${period.since.slice(8, 10)}.jsonl`;
    const read = input.lines.slice(0, snapshot.chainCount).filter((l) => l.location.split(":")[0]! >= firstShard);
    const selected = selectPeriod(read, { period, periodCommits: snapshotPeriodCommits(snapshot) });
    const recomputed = buildExportFiles({
      organization: snapshot.organization,
      selected,
      reconciliation: snapshot.reconciliation,
      access: snapshotAccess(snapshot),
      reviewStates: new Map(snapshot.reviewStates),
      now: snapshot.now,
      archive: snapshot.archive,
      repositories: snapshot.repositories,
      excludedRepositories: snapshot.excludedRepositories,
      shardsRead: snapshot.shardsRead,
      ...(snapshot.chartHistory ? { history: snapshot.chartHistory } : {}),
      ...(snapshot.periodCheckpoint !== undefined ? { periodCheckpoint: snapshot.periodCheckpoint } : {}),
      ...(snapshot.signingPublicKey !== undefined ? { signingPublicKey: snapshot.signingPublicKey } : {}),
    });
    const reportFormat = snapshot.reportFormat ?? 1;
    for (const [path, text] of recomputed.files) {
      const stored = committed.get(path);
      if (stored === undefined) continue;
      if (path.endsWith("/report.html") && reportFormat !== REPORT_FORMAT) result.files.push({ path, status: "ok", detail: `signed; written in report format ${reportFormat}, this version renders format ${REPORT_FORMAT}: checked against its signed hash, not recomputed` });
      else if (stored !== text) result.files.push({ path, status: "differs-from-records", detail: `it does not follow from the records and ${SNAPSHOT_FILE}: ${firstDifference(stored, text)}` });
      else result.files.push({ path, status: "ok", detail: "signed, and recomputed from the records byte for byte" });
    }
  } else if (!snapshotText) result.problems.push(`${dir}/${SNAPSHOT_FILE} could not be used (missing or not as signed): the files were not recomputed`);
  result.files.sort((a, b) => a.path.localeCompare(b.path));
  // A snapshot that matched its signature has no recomputation row of its own: count it as ok.
  if (snapshotText && !result.files.some((f) => f.path.endsWith(SNAPSHOT_FILE))) result.files.push({ path: `${dir}/${SNAPSHOT_FILE}`, status: "ok", detail: "signed" });
  result.ok = result.checkpoint.ok && !result.files.some((f) => f.status !== "ok") && !!snapshotText;
  return result;
}

function firstDifference(stored: string, expected: string): string {
  const a = stored.split("\n");
  const b = expected.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1} is ${JSON.stringify((a[i] ?? "(none)").slice(0, 80))}, the records give ${JSON.stringify((b[i] ?? "(none)").slice(0, 80))}`;
  }
  return "they differ";
}

export function describeExportVerification(result: ExportVerification): string {
  const lines: string[] = [];
  lines.push(`${result.ok ? "ok" : "BROKEN"}: export ${result.period}${result.statementLocation ? ` (statement from ${result.statementLocation})` : ""}`);
  lines.push(`  checkpoint: ${result.checkpoint.ok ? "✔" : "✘"} ${result.checkpoint.detail}`);
  for (const f of result.files) lines.push(`  ${f.status === "ok" ? "✔" : "✘"} ${f.path}: ${f.status} — ${f.detail}`);
  for (const p of result.problems) lines.push(`  ${p}`);
  return `${lines.join("\n")}\n`;
}
