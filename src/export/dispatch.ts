// `repository_dispatch` with event type `soc2-guard-export`, sent to the archive
// repository (by the shipped workflow's cron, or by hand): which organization and month
// to export. Without `client_payload.period`, the month before the event. Only a month
// that has ended is taken. `client_payload.reexport: true` with a `reason` exports a
// past month again; the new export issue says it is a re-export, why, and who asked.

import { exportPeriod, hasEnded, previousMonthLabel } from "./period.js";

export const DISPATCH_EVENT_TYPE = "soc2-guard-export";

export interface ReexportRequest {
  reason: string;
  requestedBy: string | null;
}

export type DispatchRequest =
  | { kind: "export"; organization: string; repository: string; period: string; reexport: ReexportRequest | null }
  | { kind: "invalid"; repository: string; problem: string }
  /** Another event type: not ours. */
  | { kind: "ignored" };

const MAX_REASON = 500;

export function parseDispatchPayload(payload: unknown, now: Date = new Date()): DispatchRequest {
  const p = (payload ?? {}) as { action?: unknown; client_payload?: unknown; repository?: { full_name?: unknown; owner?: { login?: unknown } }; sender?: { login?: unknown } };
  if (p.action !== DISPATCH_EVENT_TYPE) return { kind: "ignored" };
  const repository = typeof p.repository?.full_name === "string" ? p.repository.full_name : "";
  const organization = typeof p.repository?.owner?.login === "string" ? p.repository.owner.login : repository.split("/")[0] ?? "";
  if (!organization) return { kind: "invalid", repository, problem: "the event names no repository" };
  const client = (p.client_payload ?? {}) as { period?: unknown; reexport?: unknown; reason?: unknown };
  const requested = client.period;
  let period: string;
  if (requested === undefined || requested === null || requested === "") period = previousMonthLabel(now);
  else if (typeof requested !== "string" || !exportPeriod(requested)) return { kind: "invalid", repository, problem: `client_payload.period must be YYYY-MM, got ${JSON.stringify(requested).slice(0, 40)}` };
  else period = requested;
  const bounds = exportPeriod(period)!;
  if (!hasEnded(bounds, now)) return { kind: "invalid", repository, problem: `${period} has not ended yet (it ends ${bounds.until}): only a month that has ended can be exported` };
  let reexport: ReexportRequest | null = null;
  if (client.reexport === true) {
    const reason = typeof client.reason === "string" ? client.reason.trim() : "";
    if (!reason) return { kind: "invalid", repository, problem: "a re-export needs client_payload.reason: why the period is exported again" };
    reexport = { reason: reason.slice(0, MAX_REASON), requestedBy: typeof p.sender?.login === "string" ? p.sender.login : null };
  } else if (client.reexport !== undefined && client.reexport !== false) return { kind: "invalid", repository, problem: "client_payload.reexport must be true or false" };
  return { kind: "export", organization, repository, period, reexport };
}
