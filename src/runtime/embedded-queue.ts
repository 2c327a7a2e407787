// The embedded queue: one process, no Redis. Same semantics as the Redis queue — the
// delivery id is the job id, retries with capped exponential backoff, a fixed number of
// concurrent jobs — and every accepted job is appended to a journal on disk before the
// ingress answers, so a restart (or a crash) resumes the work GitHub was told we took.
//
// Journal: `<stateDir>/queue.jsonl`, one JSON object a line: {add: job} when accepted,
// {done: id} when finished (worked or failed for good). Compacted on open. Lines are
// group-committed: the deliveries accepted while one write and fdatasync are under way go
// to disk together in the next, so the event loop never blocks on the disk and a burst of
// deliveries shares one sync instead of queueing behind one each.

import { closeSync, existsSync, fdatasync, mkdirSync, openSync, readFileSync, write } from "node:fs";
import { join } from "node:path";
import { backoffMs, DEFAULT_RETRY, PermanentFailure, type EnqueueResult, type JobHandler, type RetryPolicy, type WebhookJob } from "./job.js";
import type { QueueStats, WorkQueue } from "./queue.js";
import { writeFileAtomically } from "../atomic-file.js";

export interface EmbeddedQueueOptions {
  /** Directory of the journal; null keeps the queue in memory only (tests). */
  stateDir: string | null;
  concurrency?: number;
  retry?: RetryPolicy;
  /** How many finished delivery ids are remembered to refuse replays. */
  rememberIds?: number;
  onFailed?: (job: WebhookJob, error: unknown) => void;
}

type JournalLine = { add: WebhookJob } | { done: string };

export class EmbeddedQueue implements WorkQueue {
  private readonly waiting: WebhookJob[] = [];
  private readonly attempts = new Map<string, number>();
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  /** Every id accepted and not yet forgotten, oldest first (a Set keeps insertion order). */
  private readonly known = new Set<string>();
  private failed = 0;
  private handler: JobHandler | null = null;
  private taking = false;
  private fd: number | null = null;
  /** Lines waiting for the next journal write, and when that write is on disk. */
  private batch: { text: string[]; durable: Promise<void> } | null = null;
  /** The write under way (the next batch starts after it). */
  private writing: Promise<void> = Promise.resolve();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly concurrency: number;
  private readonly retry: RetryPolicy;
  private readonly remember: number;

  constructor(private readonly options: EmbeddedQueueOptions) {
    this.concurrency = options.concurrency ?? 8;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.remember = options.rememberIds ?? 50_000;
    if (options.stateDir) this.openJournal(options.stateDir);
  }

  /** Jobs accepted before a restart and not finished: they are worked again. */
  get resumed(): number {
    return this.resumedCount;
  }
  private resumedCount = 0;

  private openJournal(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, "queue.jsonl");
    const pending = new Map<string, WebhookJob>();
    if (existsSync(path)) {
      for (const text of readFileSync(path, "utf8").split("\n")) {
        if (!text.trim()) continue;
        let line: JournalLine;
        try {
          line = JSON.parse(text) as JournalLine;
        } catch {
          continue; // a line torn by a crash mid-write: its job was never acknowledged
        }
        if ("add" in line) {
          this.remembered(line.add.id);
          pending.set(line.add.id, line.add);
        } else {
          this.remembered(line.done);
          pending.delete(line.done);
        }
      }
    }
    // Compact: the unfinished jobs, and the finished ids as done lines.
    const lines = [...this.known].filter((id) => !pending.has(id)).map((id) => JSON.stringify({ done: id }));
    for (const job of pending.values()) lines.push(JSON.stringify({ add: job }));
    writeFileAtomically(path, lines.length > 0 ? `${lines.join("\n")}\n` : "");
    this.fd = openSync(path, "a");
    this.waiting.push(...pending.values());
    this.resumedCount = pending.size;
  }

  private remembered(id: string): void {
    this.known.delete(id);
    this.known.add(id);
    if (this.known.size > this.remember) {
      const oldest = this.known.values().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }

  /** Resolves once the line is on disk (with every line appended meanwhile). */
  private append(line: JournalLine): Promise<void> {
    const fd = this.fd;
    if (fd === null) return Promise.resolve();
    if (!this.batch) {
      const batch: { text: string[]; durable: Promise<void> } = { text: [], durable: Promise.resolve() };
      batch.durable = this.writing.then(() => {
        if (this.batch === batch) this.batch = null; // later lines go to the next write
        const data = batch.text.join("");
        return new Promise<void>((resolve, reject) => write(fd, data, (error) => (error ? reject(error) : fdatasync(fd, (synced) => (synced ? reject(synced) : resolve())))));
      });
      this.writing = batch.durable.catch(() => undefined);
      this.batch = batch;
    }
    this.batch.text.push(`${JSON.stringify(line)}\n`);
    return this.batch.durable;
  }

  async enqueue(job: WebhookJob): Promise<EnqueueResult> {
    if (this.known.has(job.id)) return "duplicate";
    this.remembered(job.id); // a second delivery of the id while this one is written is a duplicate
    try {
      await this.append({ add: job });
    } catch (error) {
      this.known.delete(job.id); // not accepted: GitHub gets a 503 and the id may come again
      throw error;
    }
    this.waiting.push(job);
    setImmediate(() => this.pump()); // the ingress answers first; starting a job's work can wait a tick
    return "queued";
  }

  async knows(id: string): Promise<boolean> {
    return this.known.has(id);
  }

  start(handler: JobHandler): void {
    this.handler = handler;
    this.taking = true;
    this.pump();
  }

  private pump(): void {
    while (this.taking && this.handler && this.running.size < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      const attempt = (this.attempts.get(job.id) ?? 0) + 1;
      this.attempts.set(job.id, attempt);
      const run = this.handler(job, attempt).then(
        () => this.finish(job),
        (error: unknown) => {
          if (error instanceof PermanentFailure || attempt >= this.retry.attempts) {
            this.failed++;
            this.options.onFailed?.(job, error);
            this.finish(job);
            return;
          }
          const timer = setTimeout(() => {
            this.delayed.delete(job.id);
            this.waiting.push(job);
            this.pump();
          }, backoffMs(attempt, this.retry));
          this.delayed.set(job.id, timer);
        },
      );
      this.running.set(job.id, run);
      void run.finally(() => {
        this.running.delete(job.id);
        this.pump();
        this.notifyIdle();
      });
    }
    this.notifyIdle();
  }

  private finish(job: WebhookJob): void {
    this.attempts.delete(job.id);
    // Not waited for: a done line lost in a crash only means the job is worked once more.
    void this.append({ done: job.id }).catch(() => undefined);
  }

  private notifyIdle(): void {
    if (this.running.size > 0 || this.delayed.size > 0 || (this.taking && this.waiting.length > 0)) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.notifyIdle();
    });
  }

  async drain(graceMs: number): Promise<void> {
    this.taking = false;
    // Retries waiting for their backoff stay in the journal: the next start takes them.
    for (const timer of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.running.values()]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  async stats(): Promise<QueueStats> {
    const now = Date.now();
    const ages = [...this.waiting.map((j) => j.receivedAt)];
    return {
      waiting: this.waiting.length,
      active: this.running.size,
      delayed: this.delayed.size,
      failed: this.failed,
      oldestAgeMs: ages.length > 0 ? now - Math.min(...ages) : 0,
    };
  }

  async close(): Promise<void> {
    await this.drain(0);
    if (this.batch) await this.batch.durable.catch(() => undefined);
    await this.writing;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
