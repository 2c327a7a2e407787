// Applies planned fixes (src/audit/fix-plan.ts) — the same calls a dry-run prints — and
// returns one change record per call for the evidence trail. Failures are recorded, not
// thrown: one repository's 403 must not stop the org pass.

import type { GitHubClient } from "./client.js";
import { callPath, type PlannedCall } from "../audit/fix-plan.js";
import type { AppliedChange } from "../audit/report.js";

/** A settings change soc2-guard made, for an evidence record. */
export interface SettingsChangeRecord {
  kind: "settings.fix";
  repository: string;
  policy: PlannedCall["policy"];
  request: string;
  body: Record<string, unknown>;
  description: string;
  outcome: "applied" | "failed";
  status: number;
  at: string;
}

export async function applyFixes(gh: GitHubClient, repository: string, calls: PlannedCall[], now: () => Date = () => new Date()): Promise<{ applied: AppliedChange[]; records: SettingsChangeRecord[] }> {
  const applied: AppliedChange[] = [];
  const records: SettingsChangeRecord[] = [];
  for (const call of calls.filter((c) => c.mode === "apply")) {
    let change: AppliedChange;
    try {
      const response = await gh.request(call.route, { ...call.params, ...call.body });
      change = { call, ok: true, status: response.status };
    } catch (error) {
      const e = error as { status?: number; message?: string };
      change = { call, ok: false, status: e.status ?? 0, error: e.message?.split("\n")[0] ?? String(error) };
    }
    applied.push(change);
    records.push({
      kind: "settings.fix",
      repository,
      policy: call.policy,
      request: `${call.route.split(" ")[0]} ${callPath(call)}`,
      body: call.body,
      description: call.description,
      outcome: change.ok ? "applied" : "failed",
      status: change.status,
      at: now().toISOString(),
    });
  }
  return { applied, records };
}
