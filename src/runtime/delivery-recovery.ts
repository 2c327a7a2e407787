// Webhooks that never arrived: GitHub does not redeliver a failed delivery by itself. This
// pass reads the app's recent delivery log, finds the deliveries (guids) with no successful
// attempt, and asks GitHub to redeliver each — never one already in our queue (it did
// arrive; GitHub only missed our answer), never twice for the same failed attempt (a claim
// per guid and attempt, shared by replicas). A redelivery that fails too (the app was
// shutting down, or went down again) is a new failed attempt in the log, so a later pass
// asks once more, up to MAX_REDELIVERIES per delivery within GitHub's retention window.

import type { HookDeliveryAttempt } from "../github/transport/hook-deliveries.js";
import type { OnceMarks } from "./once-marks.js";

/** GitHub keeps deliveries for 3 days; redeliveries are only possible within that window. */
export const DELIVERY_RETENTION_MS = 3 * 24 * 3600 * 1000;
/** Redeliveries asked for one delivery at most: one our endpoint refuses for good is not asked for forever. */
export const MAX_REDELIVERIES = 5;

export interface RecoveryDeps {
  /** Attempts within the retention window, newest first, a page at a time. */
  attempts: (since: Date) => AsyncIterable<HookDeliveryAttempt[]>;
  redeliver: (attemptId: number) => Promise<void>;
  /** Did our ingress accept this delivery id (queued, running or done)? */
  known: (guid: string) => Promise<boolean>;
  marks: OnceMarks;
  now: () => Date;
  /** Attempts younger than this are left for the next pass: GitHub may still be answering them. */
  settleMs?: number;
  /** True once shutdown began: no redelivery is asked for then (it would reach a closing server). */
  stopping?: () => boolean;
}

export interface RecoveryResult {
  attempts: number;
  failed: number;
  alreadyQueued: number;
  alreadyAsked: number;
  /** Deliveries asked MAX_REDELIVERIES times already: left alone (logged by the caller). */
  givenUp: string[];
  redelivered: string[];
  /** The pass stopped early because shutdown began. */
  interrupted: boolean;
}

export async function recoverDeliveries(deps: RecoveryDeps): Promise<RecoveryResult> {
  const now = deps.now().getTime();
  const since = new Date(now - DELIVERY_RETENTION_MS);
  const byGuid = new Map<string, { ok: boolean; latest: HookDeliveryAttempt; redeliveries: number }>();
  let attempts = 0;
  for await (const page of deps.attempts(since)) {
    for (const attempt of page) {
      attempts++;
      const ok = attempt.statusCode >= 200 && attempt.statusCode < 300;
      const seen = byGuid.get(attempt.guid);
      if (!seen) byGuid.set(attempt.guid, { ok, latest: attempt, redeliveries: attempt.redelivery ? 1 : 0 });
      else {
        seen.ok ||= ok;
        if (attempt.redelivery) seen.redeliveries++;
        if (attempt.deliveredAt > seen.latest.deliveredAt || (attempt.deliveredAt.getTime() === seen.latest.deliveredAt.getTime() && attempt.id > seen.latest.id)) seen.latest = attempt;
      }
    }
  }
  const result: RecoveryResult = { attempts, failed: 0, alreadyQueued: 0, alreadyAsked: 0, givenUp: [], redelivered: [], interrupted: false };
  const settle = deps.settleMs ?? 10_000;
  for (const [guid, { ok, latest, redeliveries }] of byGuid) {
    if (ok || now - latest.deliveredAt.getTime() < settle) continue;
    result.failed++;
    if (deps.stopping?.()) {
      result.interrupted = true;
      break;
    }
    if (await deps.known(guid)) {
      result.alreadyQueued++;
      continue;
    }
    if (redeliveries >= MAX_REDELIVERIES) {
      result.givenUp.push(guid);
      continue;
    }
    const remaining = Math.ceil((latest.deliveredAt.getTime() + DELIVERY_RETENTION_MS - now) / 1000);
    // Keyed by the failed attempt: a pass that finds the same attempt latest (our request is
    // on its way) does not ask again; one that finds a newer failed attempt does.
    const mark = `redeliver:${guid}:${latest.id}`;
    if (remaining <= 0 || !(await deps.marks.claim(mark, remaining))) {
      result.alreadyAsked++;
      continue;
    }
    try {
      await deps.redeliver(latest.id);
    } catch (error) {
      await deps.marks.release(mark); // the next pass asks again
      throw error;
    }
    result.redelivered.push(guid);
  }
  return result;
}
