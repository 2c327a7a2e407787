// The emergency-change exception: a configured label added by an allowed person turns
// enforced failures into a recorded exception with a retroactive review due.

import type { Facts } from "../facts.js";
import type { ExceptionsConfig } from "../config/types.js";
import { emergencyReasonFrom } from "./emergency-reason.js";

export interface ExceptionState {
  /** The label is on the pull request. */
  requested: boolean;
  /** The label was added by someone allowed to declare an emergency. */
  authorised: boolean;
  label: string;
  declaredBy: string | null;
  declaredAt: string | null;
  reason: string;
  reviewDueAt: string | null;
}

/** Logins or `team:slug` entries. */
export function isAllowed(login: string, allowed: string[], teams: Facts["access"]["teams"]): boolean {
  const lower = login.toLowerCase();
  return allowed.some((entry) =>
    entry.startsWith("team:")
      ? (teams[entry.slice(5)] ?? []).some((m) => m.toLowerCase() === lower)
      : entry.toLowerCase() === lower,
  );
}

export function evaluateException(facts: Facts, config: ExceptionsConfig): ExceptionState {
  const label = facts.pr.labels.find((l) => l.name.toLowerCase() === config.label.toLowerCase());
  const none: ExceptionState = { requested: false, authorised: false, label: config.label, declaredBy: null, declaredAt: null, reason: "", reviewDueAt: null };
  if (!label) return none;
  const declaredBy = label.addedBy;
  const authorised = declaredBy !== null && isAllowed(declaredBy, config.allowed, facts.access.teams);
  const declaredAt = label.addedAt ?? facts.collectedAt;
  const due = new Date(Date.parse(declaredAt) + config.reviewWithinHours * 3_600_000).toISOString();
  return {
    requested: true,
    authorised,
    label: label.name,
    declaredBy,
    declaredAt,
    reason: emergencyReasonFrom(facts.pr.body) ?? `label "${label.name}" added by ${declaredBy ? `@${declaredBy}` : "an unknown actor"}`,
    reviewDueAt: authorised ? due : null,
  };
}
