// The recovery pass over GitHub's delivery log (fake log and marks): what it asks GitHub to
// redeliver, and what it leaves alone.

import { describe, expect, it } from "vitest";
import { MAX_REDELIVERIES, recoverDeliveries, type RecoveryDeps } from "../../src/runtime/delivery-recovery.js";
import { FileOnceMarks } from "../../src/runtime/once-marks.js";
import type { HookDeliveryAttempt } from "../../src/github/transport/hook-deliveries.js";

const NOW = new Date("2026-12-01T12:00:00Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);

/** A delivery log GitHub keeps: attempts are appended, read newest first. */
class FakeLog {
  readonly attempts: HookDeliveryAttempt[] = [];
  readonly asked: number[] = [];
  add(guid: string, statusCode: number, at: Date, redelivery = false): HookDeliveryAttempt {
    const attempt = { id: this.attempts.length + 1, guid, deliveredAt: at, statusCode, redelivery, event: "pull_request" };
    this.attempts.push(attempt);
    return attempt;
  }
  deps(overrides: Partial<RecoveryDeps> = {}, marks = new FileOnceMarks(null, () => NOW.getTime())): RecoveryDeps {
    const attempts = this.attempts;
    return {
      attempts: async function* () {
        yield [...attempts].reverse();
      },
      redeliver: async (id) => void this.asked.push(id),
      known: async () => false,
      marks,
      now: () => NOW,
      ...overrides,
    };
  }
}

describe("delivery recovery", () => {
  it("asks again for a delivery whose redelivery failed too (the app was shutting down), never twice for the same failed attempt", async () => {
    const log = new FakeLog();
    const marks = new FileOnceMarks(null, () => NOW.getTime());
    const first = log.add("g-1", 0, ago(60_000));
    expect((await recoverDeliveries(log.deps({}, marks))).redelivered).toEqual(["g-1"]);
    expect(log.asked).toEqual([first.id]);
    // Our request is on its way: the same failed attempt is still the latest, nothing is asked.
    expect((await recoverDeliveries(log.deps({}, marks))).alreadyAsked).toBe(1);
    // GitHub's redelivery found no server (every replica was stopping): a new failed attempt.
    const again = log.add("g-1", 0, ago(30_000), true);
    expect((await recoverDeliveries(log.deps({}, marks))).redelivered).toEqual(["g-1"]);
    expect(log.asked).toEqual([first.id, again.id]);
    // Its redelivery succeeded: nothing more.
    log.add("g-1", 202, ago(20_000), true);
    expect((await recoverDeliveries(log.deps({}, marks))).failed).toBe(0);
    expect(log.asked).toHaveLength(2);
  });

  it("asks nothing once shutdown began", async () => {
    const log = new FakeLog();
    log.add("g-1", 0, ago(60_000));
    log.add("g-2", 502, ago(60_000));
    const result = await recoverDeliveries(log.deps({ stopping: () => true }));
    expect(result.interrupted).toBe(true);
    expect(log.asked).toEqual([]);
  });

  it.each([
    ["a delivery the app has queued (GitHub only missed the answer)", (log: FakeLog) => log.add("queued", 0, ago(60_000)), { known: async (guid: string) => guid === "queued" }],
    ["a failure younger than the settle time (GitHub may still be answering)", (log: FakeLog) => log.add("fresh", 0, ago(1_000)), {}],
    ["a delivery that succeeded on another attempt", (log: FakeLog) => (log.add("later-ok", 0, ago(90_000)), log.add("later-ok", 200, ago(80_000), true)), {}],
    ["a delivery past GitHub's retention", (log: FakeLog) => log.add("old", 0, ago(4 * 24 * 3600 * 1000)), { attempts: async function* (since: Date) { if (ago(4 * 24 * 3600 * 1000) >= since) yield []; } }],
  ])("leaves alone %s", async (_name, stage, overrides) => {
    const log = new FakeLog();
    stage(log);
    await recoverDeliveries(log.deps(overrides as Partial<RecoveryDeps>));
    expect(log.asked).toEqual([]);
  });

  it(`gives up on a delivery after ${MAX_REDELIVERIES} redeliveries that all failed`, async () => {
    const log = new FakeLog();
    log.add("refused", 400, ago(600_000));
    for (let i = 0; i < MAX_REDELIVERIES; i++) log.add("refused", 400, ago(500_000 - i * 1000), true);
    const result = await recoverDeliveries(log.deps());
    expect(result.givenUp).toEqual(["refused"]);
    expect(log.asked).toEqual([]);
  });

  it("gives the claim back when GitHub refuses the request, so the next pass asks again", async () => {
    const log = new FakeLog();
    const marks = new FileOnceMarks(null, () => NOW.getTime());
    log.add("g-1", 0, ago(60_000));
    await expect(recoverDeliveries(log.deps({ redeliver: async () => Promise.reject(new Error("HTTP 502")) }, marks))).rejects.toThrow("HTTP 502");
    expect((await recoverDeliveries(log.deps({}, marks))).redelivered).toEqual(["g-1"]);
  });
});
