// Against a real redis-server: the shared queue, the per-PR lock with coalescing, the
// schedules and the once-marks behave as one system across several "replicas" (instances
// in this process, each with its own connections).

import { describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { RedisQueue } from "../../src/runtime/redis-queue.js";
import { RedisSerializer } from "../../src/runtime/redis-serializer.js";
import { RedisSchedules } from "../../src/runtime/schedules.js";
import { RedisOnceMarks } from "../../src/runtime/once-marks.js";
import { RedisCheckRunStore } from "../../src/runtime/redis-check-runs.js";
import type { WebhookJob } from "../../src/runtime/job.js";
import { redisForSuite, redisSkipReason } from "../helpers/redis-server.js";

const job = (id: string): WebhookJob => ({ id, name: "pull_request", payload: { action: "opened" }, receivedAt: Date.now() });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(redisSkipReason !== null)(`on Redis${redisSkipReason ? ` (${redisSkipReason})` : ""}`, () => {
  const { connect } = redisForSuite();

  it("works a delivery once across replicas, however often it is enqueued", async () => {
    const replicas = [0, 1, 2].map(() => new RedisQueue({ connect, prefix: "t1", retry: { attempts: 3, baseMs: 10, capMs: 50 } }));
    const worked: string[] = [];
    for (const q of replicas) q.start(async (j) => void worked.push(j.id));
    const results = await Promise.all(replicas.flatMap((q) => [q.enqueue(job("d-1")), q.enqueue(job("d-1"))]));
    expect(results.filter((r) => r === "queued")).toHaveLength(1);
    await replicas[0]!.idle();
    // Long after the job was worked (and removed), the id is still known.
    expect(await replicas[1]!.enqueue(job("d-1"))).toBe("duplicate");
    expect(await replicas[2]!.knows("d-1")).toBe(true);
    expect(await replicas[2]!.knows("never-seen")).toBe(false);
    await replicas[0]!.idle();
    expect(worked).toEqual(["d-1"]);
    await Promise.all(replicas.map((q) => q.close()));
  });

  it("retries a failing job with backoff, in whichever replica", async () => {
    const replicas = [0, 1].map(() => new RedisQueue({ connect, prefix: "t2", retry: { attempts: 5, baseMs: 20, capMs: 40 } }));
    let attempts = 0;
    for (const q of replicas)
      q.start(async () => {
        attempts++;
        if (attempts < 3) throw new Error("GitHub answered 502");
      });
    await replicas[0]!.enqueue(job("flaky"));
    await replicas[0]!.idle();
    expect(attempts).toBe(3);
    await Promise.all(replicas.map((q) => q.close()));
  });

  it("gives a dead worker's job to another replica", async () => {
    const dyingConnections: Redis[] = [];
    const dyingConnect = () => {
      const redis = connect();
      dyingConnections.push(redis);
      return redis;
    };
    const dying = new RedisQueue({ connect: dyingConnect, prefix: "t3", lockMs: 1_000, retry: { attempts: 3, baseMs: 10, capMs: 50 } });
    let took!: () => void;
    const taken = new Promise<void>((r) => (took = r));
    dying.start(() => {
      took();
      return new Promise(() => undefined); // hangs: the process is about to be killed
    });
    await dying.enqueue(job("orphan"));
    await taken;
    // SIGKILL: its connections vanish without releasing the job's lock.
    for (const r of dyingConnections) r.disconnect();
    const survivor = new RedisQueue({ connect, prefix: "t3", lockMs: 1_000 });
    const worked: string[] = [];
    survivor.start(async (j) => void worked.push(j.id));
    const deadline = Date.now() + 10_000;
    while (worked.length === 0 && Date.now() < deadline) await sleep(50);
    expect(worked).toEqual(["orphan"]);
    await survivor.close();
  });

  it("serialises one pull request across replicas and coalesces the events of one evaluation into one more", async () => {
    const replicas = [0, 1, 2].map(() => new RedisSerializer(connect(), { prefix: "t4", lockMs: 2_000, pollMs: 10 }));
    let running = 0;
    let overlapping = 0;
    let runs = 0;
    const evaluate = async () => {
      running++;
      if (running > 1) overlapping++;
      runs++;
      await sleep(150);
      running--;
      return runs;
    };
    const first = replicas[0]!.run("o/r#1", evaluate);
    await sleep(20);
    // Ten events for the same PR arrive at the three replicas while it is evaluated.
    const others = Array.from({ length: 10 }, (_, i) => replicas[i % 3]!.run("o/r#1", evaluate));
    await Promise.all([first, ...others]);
    expect(overlapping).toBe(0);
    expect(runs).toBe(2);
    // Another PR is not held up by this one.
    expect(await replicas[1]!.run("o/r#2", async () => "other")).toBe("other");
  });

  it("lets a waiter take over when the lock holder dies", async () => {
    const holder = connect();
    await holder.set("t5:pr-lock:o/r#9", "dead-replica", "PX", 300);
    const serializer = new RedisSerializer(connect(), { prefix: "t5", lockMs: 2_000, pollMs: 20 });
    expect(await serializer.run("o/r#9", async () => "evaluated")).toBe("evaluated");
  });

  it("runs each scheduled firing once across three replicas", async () => {
    const often: number[] = [];
    let atStart = 0;
    const schedules = [0, 1, 2].map(() => new RedisSchedules(connect, "t6", () => undefined));
    const began = Date.now();
    for (const s of schedules) {
      await s.start([
        { name: "often", cadence: { kind: "every", ms: 300, atStart: false }, run: async (at) => void often.push(at.getTime()) },
        { name: "recovery", cadence: { kind: "every", ms: 3_600_000, atStart: true }, run: async () => void atStart++ },
      ]);
    }
    await sleep(1_300);
    await Promise.all(schedules.map((s) => s.stop()));
    const firings = Math.floor((Date.now() - began) / 300) + 1;
    // Three replicas declared both: each firing ran once, and the start-up run once in all.
    expect(atStart).toBe(1);
    expect(often.length).toBeGreaterThanOrEqual(2);
    expect(often.length).toBeLessThanOrEqual(firings);
    expect(new Set(often).size).toBe(often.length);
  });

  it("tries a failed firing again with backoff, for the time it was scheduled, once across replicas (a monthly export is not left for next month)", async () => {
    const runs: number[] = [];
    const schedules = [0, 1, 2].map(() => new RedisSchedules(connect, "t8", () => undefined));
    for (const s of schedules) {
      await s.start([
        {
          name: "export",
          cadence: { kind: "every", ms: 3_600_000, atStart: true },
          retry: { attempts: 5, baseMs: 50, capMs: 200 },
          run: async (at) => {
            runs.push(at.getTime());
            if (runs.length < 3) throw new Error("GitHub answered 502");
          },
        },
      ]);
    }
    const deadline = Date.now() + 5_000;
    while (runs.length < 3 && Date.now() < deadline) await sleep(20);
    await sleep(300);
    await Promise.all(schedules.map((s) => s.stop()));
    expect(runs).toHaveLength(3);
    expect(new Set(runs).size).toBe(1);
  });

  it("shares once-marks and check-run ids between replicas", async () => {
    const a = new RedisOnceMarks(connect(), "t7");
    const b = new RedisOnceMarks(connect(), "t7");
    expect(await a.claim("redeliver:g1", 60)).toBe(true);
    expect(await b.claim("redeliver:g1", 60)).toBe(false);
    await a.release("redeliver:g1");
    expect(await b.claim("redeliver:g1", 60)).toBe(true);
    const runsA = new RedisCheckRunStore(connect(), "t7");
    const runsB = new RedisCheckRunStore(connect(), "t7");
    await runsA.set("o/r@abc", 42);
    expect(await runsB.get("o/r@abc")).toBe(42);
    await runsB.delete("o/r@abc");
    expect(await runsA.get("o/r@abc")).toBeUndefined();
  });
  it("claims a commit's check run once across replicas; the claim holds no id until one is recorded", async () => {
    const [a, b] = [new RedisCheckRunStore(connect(), "t9"), new RedisCheckRunStore(connect(), "t9")];
    const claims = await Promise.all([a.claim("acme/app@abc"), b.claim("acme/app@abc"), a.claim("acme/app@abc")]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await b.get("acme/app@abc")).toBeUndefined();
    await a.set("acme/app@abc", 42);
    expect(await b.get("acme/app@abc")).toBe(42);
    expect(await b.claim("acme/app@abc")).toBe(false);
    await b.delete("acme/app@abc"); // a re-run asks for a fresh run
    expect(await a.claim("acme/app@abc")).toBe(true);
  });
});
