// The embedded schedules (one process, timers): a failed firing of a task with a retry
// policy is tried again with backoff for the same scheduled time; without one it waits for
// the next firing; stop() cancels a pending retry.

import { describe, expect, it } from "vitest";
import { EmbeddedSchedules } from "../../src/runtime/schedules.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("embedded schedules", () => {
  it("tries a failed firing again with backoff, for the same scheduled time, until it succeeds", async () => {
    const runs: number[] = [];
    const errors: string[] = [];
    const schedules = new EmbeddedSchedules((task) => void errors.push(task));
    await schedules.start([
      {
        name: "export",
        cadence: { kind: "every", ms: 3_600_000, atStart: true },
        retry: { attempts: 5, baseMs: 20, capMs: 80 },
        run: async (at) => {
          runs.push(at.getTime());
          if (runs.length < 3) throw new Error("GitHub answered 502");
        },
      },
    ]);
    const deadline = Date.now() + 3_000;
    while (runs.length < 3 && Date.now() < deadline) await sleep(10);
    await sleep(100);
    await schedules.stop();
    expect(runs).toHaveLength(3);
    expect(new Set(runs).size).toBe(1);
    expect(errors).toEqual(["export", "export"]);
  });

  it("leaves a task without a retry policy for its next firing, and cancels retries on stop", async () => {
    let plain = 0;
    let retried = 0;
    const schedules = new EmbeddedSchedules(() => undefined);
    await schedules.start([
      { name: "recovery", cadence: { kind: "every", ms: 3_600_000, atStart: true }, run: async () => { plain++; } },
      { name: "export", cadence: { kind: "every", ms: 3_600_000, atStart: true }, retry: { attempts: 5, baseMs: 100, capMs: 100 }, run: async () => { retried++; throw new Error("down"); } },
    ]);
    await sleep(20);
    await schedules.stop();
    await sleep(200);
    expect(plain).toBe(1);
    expect(retried).toBe(1);
  });
});
