// Applies planned fixes (src/audit/fix-plan.ts) — the same calls a dry-run prints — and
// returns one settings-change record per call for the evidence trail: what the setting was
// before, what was sent, what came of it. A classic-protection PUT is laid over the
// protection as it is now (src/audit/classic-protection-merge.ts), so the fix keeps what it
// does not need to change (push restrictions above all). Failures are recorded, not
// thrown: one repository's 403 must not stop the org pass.

import type { GitHubClient } from "../transport/client.js";
import { callPath, type PlannedCall } from "../../audit/fix-plan.js";
import type { AppliedChange } from "../../audit/report.js";
import { preserveClassicProtection, type ClassicProtection } from "../../audit/classic-protection-merge.js";
import { httpStatus } from "../transport/http-status.js";

/** A settings change soc2-guard made (or tried to), for an evidence record. */
export interface SettingsChangeRecord {
  kind: "settings.fix";
  repository: string;
  policy: PlannedCall["policy"];
  request: string;
  /** The setting as GitHub showed it just before the call; null when there was none (or it was unreadable). */
  before: unknown;
  /** What was sent. */
  body: Record<string, unknown>;
  description: string;
  outcome: "applied" | "failed";
  status: number;
  at: string;
}

const CLASSIC_ROUTE = "PUT /repos/{owner}/{repo}/branches/{branch}/protection";

/** The setting a call will replace, read just before it; null when there is none. */
async function readBefore(gh: GitHubClient, call: PlannedCall): Promise<unknown> {
  const read = async (route: string): Promise<unknown> => {
    try {
      return (await gh.request(route, call.params)).data;
    } catch (error) {
      if (httpStatus(error) === 404) return null;
      throw error;
    }
  };
  if (call.route === CLASSIC_ROUTE) return read("GET /repos/{owner}/{repo}/branches/{branch}/protection");
  if (call.route === "PUT /repos/{owner}/{repo}/rulesets/{ruleset_id}") return read("GET /repos/{owner}/{repo}/rulesets/{ruleset_id}");
  if (call.route === "PATCH /repos/{owner}/{repo}") return ((await read("GET /repos/{owner}/{repo}")) as { security_and_analysis?: unknown } | null)?.security_and_analysis ?? null;
  return null; // a new ruleset: nothing before
}

export async function applyFixes(gh: GitHubClient, repository: string, calls: PlannedCall[], now: () => Date = () => new Date()): Promise<{ applied: AppliedChange[]; records: SettingsChangeRecord[] }> {
  const applied: AppliedChange[] = [];
  const records: SettingsChangeRecord[] = [];
  for (const call of calls.filter((c) => c.mode === "apply")) {
    let change: AppliedChange;
    let before: unknown = null;
    let body = call.body;
    try {
      before = await readBefore(gh, call);
      if (call.route === CLASSIC_ROUTE) body = preserveClassicProtection(before as ClassicProtection | null, call.body);
      const response = await gh.request(call.route, { ...call.params, ...body });
      change = { call: { ...call, body }, ok: true, status: response.status };
    } catch (error) {
      const e = error as { message?: string };
      change = { call: { ...call, body }, ok: false, status: httpStatus(error) ?? 0, error: e.message?.split("\n")[0] ?? String(error) };
    }
    applied.push(change);
    records.push({
      kind: "settings.fix",
      repository,
      policy: call.policy,
      request: `${call.route.split(" ")[0]} ${callPath(call)}`,
      before,
      body,
      description: call.description,
      outcome: change.ok ? "applied" : "failed",
      status: change.status,
      at: now().toISOString(),
    });
  }
  return { applied, records };
}
