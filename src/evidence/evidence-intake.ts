// The way into the archive: what a record needs from the webhook (payload fields, the
// delivery id) is written to disk BEFORE anything is fetched, then worked on. A GitHub
// outage at merge time delays the record instead of dropping it: the intent waits in the
// spool and is tried again, backing off to a cap, for as long as it takes (at least the
// 72 hours GitHub keeps redelivering for, and on). After `overdueMs` the health says
// records are waiting (for `/readyz`) and `onOverdue` is told once per day (an issue).
// Draining (SIGTERM) stops starting work, lets in-flight work finish up to a deadline, and
// leaves the rest on disk for the next process. Knows nothing of GitHub: the work is given.

import { backoffMs, SpoolDirectory, type SpoolEntry, type SpoolLog } from "./spool-directory.js";

export interface IntakeLog extends SpoolLog {
  info: (fields: Record<string, unknown>, message: string) => void;
  error: (fields: Record<string, unknown>, message: string) => void;
}

export interface IntakeOptions<Intent> {
  /** Null keeps intents in memory only (tests that do not care about restarts). */
  dir: string | null;
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
  private readonly spool: SpoolDirectory<Intent> | null;
  private readonly memory = new Map<string, SpoolEntry<Intent>>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private draining = false;
  private overdueNotified: string | null = null;
  private readonly now: () => Date;

  constructor(private readonly options: IntakeOptions<Intent>) {
    this.spool = options.dir ? new SpoolDirectory<Intent>(options.dir, options.log) : null;
    this.now = options.now ?? (() => new Date());
  }

  private entries(): Array<SpoolEntry<Intent>> {
    return this.spool ? this.spool.list() : [...this.memory.values()];
  }
  private store(entry: SpoolEntry<Intent>): void {
    if (this.spool) this.spool.put(entry);
    else this.memory.set(entry.id, entry);
  }
  private load(id: string): SpoolEntry<Intent> | null {
    return this.spool ? this.spool.get(id) : (this.memory.get(id) ?? null);
  }
  private drop(id: string): void {
    if (this.spool) this.spool.remove(id);
    else this.memory.delete(id);
  }

  /**
   * Persists the intent under `id` (one entry per record: a redelivery replaces nothing
   * that is waiting), then works on it. Resolves when this attempt is over — done, or kept
   * for a later one; never rejects for a failed attempt.
   */
  async accept(id: string, intent: Intent): Promise<void> {
    const existing = this.load(id);
    if (!existing) this.store({ id, value: intent, since: this.now().toISOString(), attempts: 0, lastProblem: null, notBefore: null });
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
    const entry = this.load(id);
    if (!entry) return;
    try {
      await this.options.work(entry.value, entry.attempts + 1);
      this.drop(id);
    } catch (error) {
      const problem = (error as Error).message?.split("\n")[0] ?? String(error);
      const attempts = entry.attempts + 1;
      const delay = backoffMs(attempts, this.options.retryBaseMs ?? 2_000, this.options.retryCapMs ?? 600_000);
      this.store({ ...entry, attempts, lastProblem: problem, notBefore: new Date(this.now().getTime() + delay).toISOString() });
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

  /** Picks up what a previous process left (at start-up), each when its backoff allows. */
  resume(): number {
    const entries = this.entries();
    const now = this.now().getTime();
    for (const e of entries) this.schedule(e.id, Math.max(0, e.notBefore ? new Date(e.notBefore).getTime() - now : 0));
    return entries.length;
  }

  /** Tries everything waiting now, ignoring backoff (the daily pass, tests). */
  async retryAll(): Promise<void> {
    await Promise.all(this.entries().map((e) => this.run(e.id)));
  }

  health(): IntakeHealth {
    const entries = this.entries();
    const oldestSince = entries[0]?.since ?? null;
    const overdue = oldestSince !== null && this.now().getTime() - new Date(oldestSince).getTime() >= (this.options.overdueMs ?? 72 * 3_600_000);
    return { pending: entries.length, inFlight: this.running.size, oldestSince, lastProblem: entries.find((e) => e.lastProblem)?.lastProblem ?? null, overdue, draining: this.draining };
  }

  private async checkOverdue(): Promise<void> {
    const health = this.health();
    const day = this.now().toISOString().slice(0, 10);
    const oldest = this.entries()[0];
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
    const inFlight = [...this.running.values()];
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(inFlight), new Promise((resolve) => (timeout = setTimeout(resolve, deadlineMs)))]);
    if (timeout) clearTimeout(timeout);
    const left = this.entries().length;
    this.options.log.info({ finished: inFlight.length - this.running.size, left }, "evidence intake drained; what is left stays in the spool for the next start");
    return { finished: inFlight.length - this.running.size, left };
  }
}
