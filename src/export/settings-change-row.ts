// settings-changes.csv: every repository setting soc2-guard itself changed in the period
// (the org settings audit's `fix: apply`), with who configured the fix. These are changes
// to production too: an auditor sees each one, what it was before and what was sent.

import type { SealedRecord } from "../evidence/record.js";
import type { CsvValue } from "./csv.js";

export interface SettingsChangeRow {
  repository: string;
  when: string;
  policy: string;
  request: string;
  description: string;
  outcome: "applied" | "failed";
  status: number;
  /** The setting as GitHub showed it before, and what was sent: compact JSON. */
  before: string;
  after: string;
  configuredBy: string;
  configCommit: string;
  configSources: string;
  recordId: string;
  recordHash: string;
}

export const SETTINGS_CHANGES_HEADER = [
  "repository",
  "when",
  "policy",
  "request",
  "description",
  "outcome",
  "status",
  "before",
  "after",
  "configured_by",
  "config_commit",
  "config_sources",
  "record_id",
  "record_hash",
] as const;

/** The row of a settings-change record, or null for any other kind. */
export function settingsChangeRow(record: SealedRecord): SettingsChangeRow | null {
  const change = record.settingsChange;
  if (record.kind !== "settings-change" || !change) return null;
  return {
    repository: record.repository,
    when: record.collectedAt,
    policy: change.policy,
    request: change.request,
    description: change.description,
    outcome: change.outcome,
    status: change.status,
    before: JSON.stringify(change.before ?? null),
    after: JSON.stringify(change.after),
    configuredBy: change.configuredBy.login ?? "",
    configCommit: change.configuredBy.commit ?? "",
    configSources: change.configuredBy.sources.join(" "),
    recordId: record.id,
    recordHash: record.hash,
  };
}

export function settingsChangeCsvValues(row: SettingsChangeRow): CsvValue[] {
  return [row.repository, row.when, row.policy, row.request, row.description, row.outcome, row.status, row.before, row.after, row.configuredBy, row.configCommit, row.configSources, row.recordId, row.recordHash];
}
