// The way into the archive: what a record needs from the webhook (payload fields, the
// delivery id) is written to disk BEFORE anything is fetched, then worked on. A GitHub
// outage at merge time delays the record instead of dropping it: the intent waits in the
// spool and is tried again, backing off to a cap, for as long as it takes (at least the
// 72 hours GitHub keeps redelivering for, and on). After `overdueMs` the health says
// records are waiting (for `/readyz`) and `onOverdue` is told once per day (an issue).
// Draining (SIGTERM) stops starting work, lets in-flight work finish up to a deadline, and
// leaves the rest on disk for the next process. With a store the replicas share (Redis),
// each intent is worked under a lease, and every replica sweeps the store: what a replica
// that died had accepted is taken over once its lease expires. Knows nothing of GitHub:
// the work is given.

import { backoffMs, type SpoolEntry, type SpoolLog } from "./spool-directory.js";
import { DirectorySpoolStore, MemorySpoolStore, type SpoolStore } from "./spool-store.js";

/** How long a replica's claim on an intent lasts without renewal (renewed while it works). */
const LEASE_MS = 60_000;

export interface IntakeLog extends SpoolLog {
  info: (fields: Record<string, unknown>, message: string) => void;
  error: (fields: Record<string, unknown>, message: string) => void;
}

export interface IntakeOptions<Intent> {
  /** Null keeps intents in memory only (tests that do not care about restarts). */
  dir: string | null;
  /** A store shared by replicas (Redis); takes the place of `dir`. */
  store?: SpoolStore<Intent>;
  /** How often a shared store is swept for intents nobody works on (default 15 s). */
  sweepMs?: number;
  /** How long a claim on an intent in a shared store lasts unless renewed (default 60 s). */
  leaseMs?: number;
  /** Does what the intent asks; throws to be tried again later. */
  work: (intent: Intent, attempt: number) => Promise<void>;
  log: IntakeLog;
  now?: () => Date;
  retryBaseMs?: number;
  retryCapMs?: number;
  /** How long records may wait before health and `onOverdue` say so (default 72 h). */
  overdueMs?: number;
  /** Told with the longest-waiting intent, so the report goes to its organization. */
  onOverdue?: (health: IntakeHealth, oldest: Intent) => Promise<void>;
}

export interface IntakeHealth {
  pending: number;
  inFlight: number;
  oldestSince: string | null;
  lastProblem: string | null;
  /** Something has waited longer than `overdueMs`. */
  overdue: boolean;
  draining: boolean;
}

export class EvidenceIntake<Intent> {
  private readonly spool: SpoolStore<Intent>;
  private readonly running = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private draining = false;
  private overdueNotified: string | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly now: () => Date;

  constructor(private readonly options: IntakeOptions<Intent>) {
    this.spool = options.store ?? (options.dir ? new DirectorySpoolStore<Intent>(options.dir, options.log) : new MemorySpoolStore<Intent>());
    this.now = options.now ?? (() => new Date());
  }

  private entries(): Promise<Array<SpoolEntry<Intent>>> {
    return this.spool.list();
  }

  /**
   * Persists the intent under `id` (one entry per record: a redelivery replaces nothing
   * that is waiting), then works on it. Resolves when this attempt is over — done, or kept
   * for a later one; never rejects for a failed attempt.
   */
  async accept(id: string, intent: Intent): Promise<void> {
    if (!(await this.spool.has(id))) await this.spool.put({ id, value: intent, since: this.now().toISOString(), attempts: 0, lastProblem: null, notBefore: null });
    if (this.draining) return; // kept for the next process
    await this.run(id);
  }

  /** Works on one entry now unless it is already being worked on. */
  private run(id: string): Promise<void> {
    const current = this.running.get(id);
    if (current) return current;
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
    const job = this.attempt(id).finally(() => this.running.delete(id));
    this.running.set(id, job);
    return job;
  }

  private async attempt(id: string): Promise<void> {
    // Shared: one replica at a time works on an intent; the lease is renewed while it does.
    const leaseMs = this.options.leaseMs ?? LEASE_MS;
    if (this.spool.shared && !(await this.spool.lease(id, leaseMs))) return;
    const renew = this.spool.shared ? setInterval(() => void this.spool.lease(id, leaseMs).catch(() => undefined), leaseMs / 3) : null;
    try {
      await this.attemptLeased(id);
    } finally {
      if (renew) clearInterval(renew);
      if (this.spool.shared) await this.spool.releaseLease(id).catch(() => undefined);
    }
  }

  private async attemptLeased(id: string): Promise<void> {
    const entry = await this.spool.get(id);
    if (!entry) return; // done meanwhile (by another replica)
    try {
      await this.options.work(entry.value, entry.attempts + 1);
      await this.spool.remove(id);
    } catch (error) {
      const problem = (error as Error).message?.split("\n")[0] ?? String(error);
      const attempts = entry.attempts + 1;
      const delay = backoffMs(attempts, this.options.retryBaseMs ?? 2_000, this.options.retryCapMs ?? 600_000);
      await this.spool.put({ ...entry, attempts, lastProblem: problem, notBefore: new Date(this.now().getTime() + delay).toISOString() });
      this.options.log.error({ id, attempts, retryInMs: delay, problem }, "evidence could not be collected yet; the webhook's facts are kept and it will be tried again");
      this.schedule(id, delay);
      await this.checkOverdue();
    }
  }

  private schedule(id: string, delayMs: number): void {
    if (this.draining || this.timers.has(id)) return;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      void this.run(id);
    }, delayMs);
    timer.unref();
    this.timers.set(id, timer);
  }

  /**
   * Picks up what a previous process left (at start-up), each when its backoff allows; with a
   * shared store, keeps sweeping for what other replicas left.
   */
  async resume(): Promise<number> {
    const entries = await this.entries();
    this.scheduleAll(entries);
    if (this.spool.shared && !this.sweepTimer) {
      this.sweepTimer = setInterval(() => void this.entries().then((e) => this.scheduleAll(e), () => undefined), this.options.sweepMs ?? 15_000);
      this.sweepTimer.unref();
    }
    return entries.length;
  }

  private scheduleAll(entries: Array<SpoolEntry<Intent>>): void {
    const now = this.now().getTime();
    for (const e of entries) if (!this.running.has(e.id)) this.schedule(e.id, Math.max(0, e.notBefore ? new Date(e.notBefore).getTime() - now : 0));
  }

  /** Tries everything waiting now, ignoring backoff (the daily pass, tests). */
  async retryAll(): Promise<void> {
    await Promise.all((await this.entries()).map((e) => this.run(e.id)));
  }

  health(): IntakeHealth {
    const kept = this.spool.snapshot();
    const overdue = kept.oldestSince !== null && this.now().getTime() - new Date(kept.oldestSince).getTime() >= (this.options.overdueMs ?? 72 * 3_600_000);
    return { pending: kept.pending, inFlight: this.running.size, oldestSince: kept.oldestSince, lastProblem: kept.lastProblem, overdue, draining: this.draining };
  }

  private async checkOverdue(): Promise<void> {
    const health = this.health();
    const day = this.now().toISOString().slice(0, 10);
    const oldest = (await this.entries())[0];
    if (!health.overdue || !oldest || !this.options.onOverdue || this.overdueNotified === day) return;
    this.overdueNotified = day;
    await this.options.onOverdue(health, oldest.value).catch((error: unknown) => this.options.log.warn({ problem: String((error as Error).message) }, "could not report the waiting evidence"));
  }

  /**
   * Shutdown: start nothing new, wait for in-flight work up to `deadlineMs`, leave the
   * rest on disk. Returns what finished and what stays for the next process.
   */
  async drain(deadlineMs = 25_000): Promise<{ finished: number; left: number }> {
    this.draining = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    const inFlight = [...this.running.values()];
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(inFlight), new Promise((resolve) => (timeout = setTimeout(resolve, deadlineMs)))]);
    if (timeout) clearTimeout(timeout);
    const left = (await this.entries()).length;
    this.options.log.info({ finished: inFlight.length - this.running.size, left }, "evidence intake drained; what is left stays in the spool for the next start");
    return { finished: inFlight.length - this.running.size, left };
  }
}
