// Webhooks that never arrived: GitHub does not redeliver a failed delivery by itself. This
// pass reads the app's recent delivery log, finds the deliveries (guids) with no successful
// attempt, and asks GitHub to redeliver each once — never one already in our queue (it did
// arrive; GitHub only missed our answer), never twice (a claim per guid, shared by replicas).

import type { HookDeliveryAttempt } from "../github/transport/hook-deliveries.js";
import type { OnceMarks } from "./once-marks.js";

/** GitHub keeps deliveries for 3 days; redeliveries are only possible within that window. */
export const DELIVERY_RETENTION_MS = 3 * 24 * 3600 * 1000;

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
}

export interface RecoveryResult {
  attempts: number;
  failed: number;
  alreadyQueued: number;
  alreadyAsked: number;
  redelivered: string[];
}

export async function recoverDeliveries(deps: RecoveryDeps): Promise<RecoveryResult> {
  const now = deps.now().getTime();
  const since = new Date(now - DELIVERY_RETENTION_MS);
  const byGuid = new Map<string, { ok: boolean; latest: HookDeliveryAttempt }>();
  let attempts = 0;
  for await (const page of deps.attempts(since)) {
    for (const attempt of page) {
      attempts++;
      const ok = attempt.statusCode >= 200 && attempt.statusCode < 300;
      const seen = byGuid.get(attempt.guid);
      if (!seen) byGuid.set(attempt.guid, { ok, latest: attempt });
      else {
        seen.ok ||= ok;
        if (attempt.deliveredAt > seen.latest.deliveredAt) seen.latest = attempt;
      }
    }
  }
  const result: RecoveryResult = { attempts, failed: 0, alreadyQueued: 0, alreadyAsked: 0, redelivered: [] };
  const settle = deps.settleMs ?? 10_000;
  for (const [guid, { ok, latest }] of byGuid) {
    if (ok || now - latest.deliveredAt.getTime() < settle) continue;
    result.failed++;
    if (await deps.known(guid)) {
      result.alreadyQueued++;
      continue;
    }
    const remaining = Math.ceil((latest.deliveredAt.getTime() + DELIVERY_RETENTION_MS - now) / 1000);
    if (remaining <= 0 || !(await deps.marks.claim(`redeliver:${guid}`, remaining))) {
      result.alreadyAsked++;
      continue;
    }
    try {
      await deps.redeliver(latest.id);
    } catch (error) {
      await deps.marks.release(`redeliver:${guid}`); // the next pass asks again
      throw error;
    }
    result.redelivered.push(guid);
  }
  return result;
}
