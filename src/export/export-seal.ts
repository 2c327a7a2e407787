// What makes an export evidence rather than a report: snapshot.json keeps every input of
// the export that is not in the records (the access review read from GitHub, the review
// issues' states, the reconciliation counts, the population's commit times, the time it
// ran), so the four files can be recomputed from the records alone; and a signed export
// statement (DSSE) binds the period's checkpoint (count, chain head) and the SHA-256 of
// every file. The export issue carries the statement and the checkpoint, so a copy of
// the issue is enough to check a copy of the files. Pure.

import { createHash, type KeyObject } from "node:crypto";
import type { AccessFacts } from "./access-review.js";
import type { ReviewIssueState } from "./exception-row.js";
import type { ReconciliationCounts } from "./summary.js";
import type { ExportInput } from "./export-files.js";
import { asEnvelope, signEnvelope, verifyEnvelope, type DsseEnvelope, type KeyRing } from "../trust/dsse.js";
import { signCheckpoint, type Checkpoint } from "../trust/checkpoint.js";
import type { SigningKey } from "../trust/signing-key.js";
import type { ChartMonth } from "../web/view/types.js";
import { REPORT_FORMAT } from "../web/report.js";

export const SNAPSHOT_SCHEMA = "soc2-guard/export-snapshot@1";
export const SNAPSHOT_FILE = "snapshot.json";
export const EXPORT_PAYLOAD_TYPE = "application/vnd.soc2-guard.export+json";
export const EXPORT_STATEMENT_TYPE = "https://soc2-guard.dev/export/v1";

export interface ExportSnapshot {
  schema: typeof SNAPSHOT_SCHEMA;
  organization: string;
  period: string;
  now: string;
  archive: string;
  repositories: string[];
  excludedRepositories: string[];
  shardsRead: string[];
  reconciliation: ReconciliationCounts;
  reviewStates: Array<[string, ReviewIssueState]>;
  access: (Omit<AccessFacts, "direct" | "teams"> & { direct: Record<string, Array<{ login: string; permission: string; outside: boolean }>>; teams: Record<string, Array<{ slug: string; permission: string }>> }) | null;
  /** Default-branch commit times of the period, only for commits the records name (pushes). */
  periodCommits: Record<string, Record<string, string>>;
  /** Records in the chain when the export read it: the recomputation reads exactly these. */
  chainCount: number;
  /** report.html's chart: the months before, as their exports counted them (absent in older snapshots). */
  chartHistory?: ChartMonth[];
  /** The period's signed checkpoint, whose envelope seeds report.html's sampling (absent in older snapshots). */
  periodCheckpoint?: DsseEnvelope | null;
  /** The public key report.html verifies it with (SPKI DER, base64). */
  signingPublicKey?: string | null;
  /** The report.html format the export wrote (src/web/report.ts REPORT_FORMAT); absent: format 1. */
  reportFormat?: number;
}

export interface ExportStatement {
  _type: typeof EXPORT_STATEMENT_TYPE;
  organization: string;
  period: string;
  archive: string;
  checkpoint: { count: number; head: string; lastId: string | null };
  /** Path → SHA-256 (hex) of the committed bytes, snapshot.json included. */
  files: Record<string, string>;
  time: string;
  keyId: string;
}

export const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

export function buildSnapshot(input: ExportInput & { period: string; chainCount: number; periodCommits: ReadonlyMap<string, ReadonlyMap<string, string>>; pushShas: Set<string> }): ExportSnapshot {
  const periodCommits: Record<string, Record<string, string>> = {};
  for (const [repo, commits] of [...input.periodCommits].sort(([a], [b]) => a.localeCompare(b))) {
    const kept = [...commits].filter(([sha]) => input.pushShas.has(sha)).sort(([a], [b]) => a.localeCompare(b));
    if (kept.length > 0) periodCommits[repo] = Object.fromEntries(kept);
  }
  const access = input.access
    ? { ...input.access, direct: Object.fromEntries([...input.access.direct].sort(([a], [b]) => a.localeCompare(b))), teams: Object.fromEntries([...input.access.teams].sort(([a], [b]) => a.localeCompare(b))) }
    : null;
  return {
    schema: SNAPSHOT_SCHEMA,
    organization: input.organization,
    period: input.period,
    now: input.now,
    archive: input.archive,
    repositories: input.repositories,
    excludedRepositories: input.excludedRepositories,
    shardsRead: input.shardsRead,
    reconciliation: input.reconciliation,
    reviewStates: [...input.reviewStates].sort(([a], [b]) => a.localeCompare(b)),
    access,
    periodCommits,
    chainCount: input.chainCount,
    reportFormat: REPORT_FORMAT,
    ...(input.history ? { chartHistory: input.history } : {}),
    ...(input.periodCheckpoint !== undefined ? { periodCheckpoint: input.periodCheckpoint } : {}),
    ...(input.signingPublicKey !== undefined ? { signingPublicKey: input.signingPublicKey } : {}),
  };
}

export function snapshotAccess(snapshot: ExportSnapshot): AccessFacts | null {
  if (!snapshot.access) return null;
  return { ...snapshot.access, direct: new Map(Object.entries(snapshot.access.direct)), teams: new Map(Object.entries(snapshot.access.teams)) };
}

export function snapshotPeriodCommits(snapshot: ExportSnapshot): Map<string, Map<string, string>> {
  return new Map(Object.entries(snapshot.periodCommits).map(([repo, commits]) => [repo, new Map(Object.entries(commits))]));
}

/** The statement and the period's checkpoint, both signed (the checkpoint may be signed already: report.html's seed comes from it). */
export function signExport(input: { organization: string; period: string; archive: string; checkpoint: { count: number; head: string; lastId: string | null }; files: Map<string, string>; time: string }, key: SigningKey, signedCheckpoint: { checkpoint: Checkpoint; envelope: DsseEnvelope } | null = null): { statement: DsseEnvelope; checkpoint: { checkpoint: Checkpoint; envelope: DsseEnvelope } } {
  const statement: ExportStatement = {
    _type: EXPORT_STATEMENT_TYPE,
    organization: input.organization,
    period: input.period,
    archive: input.archive,
    checkpoint: input.checkpoint,
    files: Object.fromEntries([...input.files].sort(([a], [b]) => a.localeCompare(b)).map(([path, text]) => [path, sha256(text)])),
    time: input.time,
    keyId: key.keyId,
  };
  return {
    statement: signEnvelope(EXPORT_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement), "utf8"), key),
    checkpoint: signedCheckpoint ?? signCheckpoint({ archive: input.archive, count: input.checkpoint.count, head: input.checkpoint.head, lastId: input.checkpoint.lastId, time: input.time }, key),
  };
}

/** The issue section: the fingerprint, then both envelopes for tools. */
export function signedSection(signed: { statement: DsseEnvelope; checkpoint: { checkpoint: Checkpoint; envelope: DsseEnvelope } }, fingerprint: string): string[] {
  const cp = signed.checkpoint.checkpoint;
  return [
    `Signed by the app's key \`${cp.keyId}\` (fingerprint ${fingerprint}). The period's checkpoint: **${cp.count} records**, chain head \`${cp.head}\`, ${cp.time}. The export statement binds that checkpoint and the SHA-256 of every file of the export (envelopes below); check a copy of the files against a copy of this issue with \`soc2-guard verify --export PERIOD --archive DIR --issue THIS_ISSUE.md --key PUBLIC_KEY.pem\`.`,
    "",
    "```json",
    JSON.stringify(signed.checkpoint.envelope),
    "```",
    "",
    "```json",
    JSON.stringify(signed.statement),
    "```",
  ];
}

export type StatementCheck = { ok: true; statement: ExportStatement } | { ok: false; detail: string };

export function exportStatementsIn(text: string): DsseEnvelope[] {
  const found: DsseEnvelope[] = [];
  for (const match of text.matchAll(/```json\n([^\n]+)\n```/g)) {
    const envelope = asEnvelope(match[1]!);
    if (envelope && envelope.payloadType === EXPORT_PAYLOAD_TYPE) found.push(envelope);
  }
  return found;
}

export function verifyExportStatement(envelope: DsseEnvelope, publicKey: KeyObject | KeyRing): StatementCheck {
  const checked = verifyEnvelope(envelope, publicKey, EXPORT_PAYLOAD_TYPE);
  if (!checked.ok) return { ok: false, detail: checked.detail };
  try {
    const statement = JSON.parse(checked.body.toString("utf8")) as ExportStatement;
    if (statement._type !== EXPORT_STATEMENT_TYPE) return { ok: false, detail: "not a soc2-guard export statement" };
    return { ok: true, statement };
  } catch {
    return { ok: false, detail: "the signed payload is not JSON" };
  }
}
