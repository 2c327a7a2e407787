// `repository_dispatch` with event type `soc2-guard-export`, sent to the archive
// repository (by the shipped workflow's cron, or by hand): which organization and month
// to export. Without `client_payload.period`, the month before the event.

import { exportPeriod, previousMonthLabel } from "./period.js";

export const DISPATCH_EVENT_TYPE = "soc2-guard-export";

export type DispatchRequest =
  | { kind: "export"; organization: string; repository: string; period: string }
  | { kind: "invalid"; repository: string; problem: string }
  /** Another event type: not ours. */
  | { kind: "ignored" };

export function parseDispatchPayload(payload: unknown, now: Date = new Date()): DispatchRequest {
  const p = (payload ?? {}) as { action?: unknown; client_payload?: unknown; repository?: { full_name?: unknown; owner?: { login?: unknown } } };
  if (p.action !== DISPATCH_EVENT_TYPE) return { kind: "ignored" };
  const repository = typeof p.repository?.full_name === "string" ? p.repository.full_name : "";
  const organization = typeof p.repository?.owner?.login === "string" ? p.repository.owner.login : repository.split("/")[0] ?? "";
  if (!organization) return { kind: "invalid", repository, problem: "the event names no repository" };
  const requested = (p.client_payload as { period?: unknown } | null | undefined)?.period;
  if (requested === undefined || requested === null || requested === "") return { kind: "export", organization, repository, period: previousMonthLabel(now) };
  if (typeof requested !== "string" || !exportPeriod(requested)) return { kind: "invalid", repository, problem: `client_payload.period must be YYYY-MM, got ${JSON.stringify(requested).slice(0, 40)}` };
  return { kind: "export", organization, repository, period: requested };
}
