// The emergency-change exception: a configured label turns enforced failures into a
// recorded exception with a retroactive review due — when someone else declared it, for
// this commit. The declarer must be allowed, and must not be the pull request's author or
// a contributor (unless `exceptions.allowSelfDeclared`, recorded as such). The exception
// covers the head commit at the time of the label: our own check run on that commit records
// who labelled it; a later push makes a new head with no such record, which ends the
// exception until an allowed person labels again.

import type { Facts } from "../facts.js";
import type { ExceptionsConfig } from "../config/types.js";
import { emergencyReasonFrom } from "./emergency-reason.js";
import { contributorsOf } from "./review-approval.js";
import { shortSha } from "./format.js";

export interface ExceptionState {
  /** The label is on the pull request. */
  requested: boolean;
  /** Declared on the head commit by someone allowed to, who is not the author or a contributor (or self-declaring is allowed). */
  authorised: boolean;
  label: string;
  declaredBy: string | null;
  declaredAt: string | null;
  reason: string;
  reviewDueAt: string | null;
  /** The commit the exception covers (the head when it was declared). */
  commit?: string | null;
  /** The declarer is the author or a contributor, accepted because `exceptions.allowSelfDeclared` is on. */
  selfDeclared?: boolean;
  /** Why a requested exception is not authorised. */
  refusedBecause?: string;
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
  // The loader reads the declaration from our check run on the head; a hand-built snapshot
  // without one falls back to the label's timeline actor.
  const onHead = facts.pr.emergencyDeclaredBy;
  const declaredBy = onHead === undefined ? label.addedBy : onHead;
  const declaredAt = label.addedAt ?? facts.collectedAt;
  const lower = declaredBy?.toLowerCase() ?? null;
  const self = lower !== null && (lower === facts.pr.author.login.toLowerCase() || contributorsOf(facts.pr.commits).has(lower));
  const refusedBecause =
    declaredBy === null
      ? onHead === null
        ? `the label was not added while ${shortSha(facts.pr.headSha)} was the head (a push ends an emergency): an allowed person must add it again`
        : "who added the label is not known"
      : !isAllowed(declaredBy, config.allowed, facts.access.teams)
        ? `it was added by @${declaredBy}, who is not allowed to declare emergency changes (exceptions.allowed)`
        : self && !config.allowSelfDeclared
          ? `@${declaredBy} is the author of or a contributor to this pull request: an emergency is declared by someone else (or set exceptions.allowSelfDeclared)`
          : undefined;
  const authorised = refusedBecause === undefined;
  const due = new Date(Date.parse(declaredAt) + config.reviewWithinHours * 3_600_000).toISOString();
  return {
    requested: true,
    authorised,
    label: label.name,
    declaredBy,
    declaredAt,
    reason: emergencyReasonFrom(facts.pr.body) ?? `label "${label.name}" added by ${declaredBy ? `@${declaredBy}` : "an unknown actor"}`,
    reviewDueAt: authorised ? due : null,
    commit: facts.pr.headSha,
    selfDeclared: authorised && self,
    ...(refusedBecause ? { refusedBecause } : {}),
  };
}
