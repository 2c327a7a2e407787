import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EmbeddedQueue } from "../../src/runtime/embedded-queue.js";
import { backoffMs, PermanentFailure, type WebhookJob } from "../../src/runtime/job.js";

const job = (id: string): WebhookJob => ({ id, name: "pull_request", payload: { action: "opened", n: id }, receivedAt: Date.now() });
const fast = { attempts: 4, baseMs: 5, capMs: 20 };
const dirs: string[] = [];
const stateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "soc2-guard-queue-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the embedded queue", () => {
  it("resumes after a restart the jobs it accepted and had not finished", async () => {
    const dir = stateDir();
    const first = new EmbeddedQueue({ stateDir: dir, retry: fast });
    expect(await first.enqueue(job("a"))).toBe("queued");
    expect(await first.enqueue(job("b"))).toBe("queued");
    // The process dies before any worker started: nothing was taken.
    await first.close();

    const second = new EmbeddedQueue({ stateDir: dir, retry: fast });
    expect(second.resumed).toBe(2);
    const worked: string[] = [];
    second.start(async (j) => void worked.push(j.id));
    await second.idle();
    expect(worked.sort()).toEqual(["a", "b"]);
    await second.close();

    // Finished work is not done again after another restart, and its ids stay known.
    const third = new EmbeddedQueue({ stateDir: dir, retry: fast });
    expect(third.resumed).toBe(0);
    expect(await third.enqueue(job("a"))).toBe("duplicate");
    expect(await third.knows("b")).toBe(true);
    await third.close();
  });

  it("resumes a job that was running when the process stopped", async () => {
    const dir = stateDir();
    const first = new EmbeddedQueue({ stateDir: dir, retry: fast });
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    first.start(() => {
      started();
      return new Promise(() => undefined); // never finishes: the process is killed
    });
    await first.enqueue(job("slow"));
    await running;
    await first.drain(10);
    await first.close();

    const second = new EmbeddedQueue({ stateDir: dir, retry: fast });
    const worked: string[] = [];
    second.start(async (j) => void worked.push(j.id));
    await second.idle();
    expect(worked).toEqual(["slow"]);
    await second.close();
  });

  it("refuses a second job with the same delivery id", async () => {
    const queue = new EmbeddedQueue({ stateDir: null, retry: fast });
    let runs = 0;
    queue.start(async () => void runs++);
    expect(await queue.enqueue(job("same"))).toBe("queued");
    expect(await queue.enqueue(job("same"))).toBe("duplicate");
    await queue.idle();
    expect(await queue.enqueue(job("same"))).toBe("duplicate");
    await queue.idle();
    expect(runs).toBe(1);
  });

  it("retries a failing job with capped exponential backoff until it succeeds", async () => {
    const queue = new EmbeddedQueue({ stateDir: null, retry: fast });
    const at: number[] = [];
    queue.start(async () => {
      at.push(performance.now());
      if (at.length < 3) throw new Error("GitHub answered 502");
    });
    await queue.enqueue(job("flaky"));
    await queue.idle();
    expect(at).toHaveLength(3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(4);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(9);
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, fast))).toEqual([5, 10, 20, 20, 20]);
  });

  it("gives up after the last attempt, and at once on a permanent failure", async () => {
    const failed: string[] = [];
    const queue = new EmbeddedQueue({ stateDir: null, retry: fast, onFailed: (j) => failed.push(j.id) });
    const attempts = new Map<string, number>();
    queue.start(async (j) => {
      attempts.set(j.id, (attempts.get(j.id) ?? 0) + 1);
      if (j.id === "bad-payload") throw new PermanentFailure("no installation");
      throw new Error("always 502");
    });
    await queue.enqueue(job("down"));
    await queue.enqueue(job("bad-payload"));
    await queue.idle();
    expect(Object.fromEntries(attempts)).toEqual({ down: 4, "bad-payload": 1 });
    expect(failed.sort()).toEqual(["bad-payload", "down"]);
    expect((await queue.stats()).failed).toBe(2);
  });

  it("on drain stops taking jobs and leaves the waiting ones in the journal", async () => {
    const dir = stateDir();
    const queue = new EmbeddedQueue({ stateDir: dir, retry: fast, concurrency: 1 });
    const worked: string[] = [];
    let release!: () => void;
    queue.start(async (j) => {
      worked.push(j.id);
      if (j.id === "1") await new Promise<void>((r) => (release = r));
    });
    await queue.enqueue(job("1"));
    await queue.enqueue(job("2"));
    const drained = queue.drain(1_000);
    release();
    await drained;
    expect(worked).toEqual(["1"]);
    await queue.close();
    const next = new EmbeddedQueue({ stateDir: dir, retry: fast });
    expect(next.resumed).toBe(1);
    await next.close();
  });
});
