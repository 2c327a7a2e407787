// Records that could not be archived yet (archive missing, no permission, GitHub down, a
// record GitHub refused) wait here — one file per record on disk (spool-directory.ts), so
// a restart loses nothing, or in a store the replicas share (Redis), so a replica that dies
// strands nothing: the others' sweeps write what it left — and are written first on the
// next append or retry. Retries
// back off to a cap and never stop while something waits. When the archive itself is
// unreachable the whole batch waits; when a batch is refused for another reason, each
// record is tried alone, so one bad record never blocks the others. Nothing is dropped.

import type { AppendResult, EvidenceArchive } from "./archive.js";
import { ArchiveUnavailableError } from "./archive.js";
import type { EvidenceRecord } from "./record.js";
import { backoffMs, type SpoolEntry, type SpoolLog } from "./spool-directory.js";
import { DirectorySpoolStore, MemorySpoolStore, type SpoolStore } from "./spool-store.js";

export interface SpooledAppendResult extends AppendResult {
  /** Records kept for a later retry, with the reason they could not be written now. */
  spooled: number;
  problem: string | null;
}

export interface SpoolOptions {
  now?: () => Date;
  log?: SpoolLog;
  /** First retry delay and the cap the backoff grows to. */
  retryBaseMs?: number;
  retryCapMs?: number;
  /** A shared store is swept this often for records other replicas left (default 15 s). */
  sweepMs?: number;
}

/** What waits, for `/readyz` and the waiting-records issue. */
export interface SpoolHealth {
  pending: number;
  /** When the longest-waiting record was first kept. */
  oldestSince: string | null;
  lastProblem: string | null;
}

export class SpoolingArchive implements EvidenceArchive {
  private readonly spool: SpoolStore<EvidenceRecord>;
  /** Ids an append is writing now: kept in the spool, not sent twice. */
  private readonly inFlight = new Set<string>();
  /** The writes in flight, so an append whose records they carry can wait for them. */
  private readonly writing = new Set<Promise<SpooledAppendResult>>();
  private retryTimer: NodeJS.Timeout | null = null;
  private retryAttempt = 0;
  private lastProblem: string | null = null;
  private stopped = false;
  private sweepTimer: NodeJS.Timeout | null = null;
  /** The last append's spooling and batch choice: the next one waits for it. */
  private picking: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;

  constructor(
    private readonly inner: EvidenceArchive,
    /** A store, a directory (one file per record), or null: in memory only. */
    spool: SpoolStore<EvidenceRecord> | string | null,
    private readonly options: SpoolOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.spool = spool === null ? new MemorySpoolStore() : typeof spool === "string" ? new DirectorySpoolStore<EvidenceRecord>(spool, options.log) : spool;
    if (this.spool.shared) {
      // Records a replica that died had kept: written by whichever replica sweeps first.
      const sweep = () => void this.refresh().then(() => (this.pendingCount > 0 ? this.retry() : undefined)).catch(() => undefined);
      this.sweepTimer = setInterval(sweep, options.sweepMs ?? 15_000);
      this.sweepTimer.unref();
      sweep();
    }
  }

  get description(): string {
    return this.inner.description;
  }

  private entries(): Promise<Array<SpoolEntry<EvidenceRecord>>> {
    return this.spool.list();
  }

  /** Re-reads the store (a shared one changes under us). */
  async refresh(): Promise<number> {
    return (await this.entries()).length;
  }

  get pendingCount(): number {
    return this.spool.snapshot().pending;
  }

  health(): SpoolHealth {
    const kept = this.spool.snapshot();
    return { pending: kept.pending, oldestSince: kept.oldestSince, lastProblem: kept.pending > 0 ? (this.lastProblem ?? kept.lastProblem) : null };
  }

  async has(id: string): Promise<boolean> {
    return (await this.spool.has(id)) || this.inner.has(id);
  }

  read() {
    return this.inner.read();
  }

  async append(records: EvidenceRecord[]): Promise<SpooledAppendResult> {
    const at = this.now().toISOString();
    const asked = new Set(records.map((r) => r.id));
    // One append at a time spools its records and picks its batch, so a concurrent append
    // sees what this one is writing (the store's calls are asynchronous).
    const picked = this.picking.then(async () => {
      // Spool first: a crash or a concurrent failure while the write is in flight loses nothing.
      for (const r of records) if (!(await this.spool.has(r.id))) await this.spool.put({ id: r.id, value: r, since: at, attempts: 0, lastProblem: null, notBefore: null });
      // Waiting records go first, except those another append is writing right now or that wait out their own backoff.
      const batch = (await this.entries()).filter((e) => !this.inFlight.has(e.id) && (asked.has(e.id) || e.notBefore === null || e.notBefore <= at));
      if (batch.length === 0) return null;
      for (const e of batch) this.inFlight.add(e.id);
      const write = this.write(batch);
      this.writing.add(write);
      return { batch, write };
    });
    this.picking = picked.catch(() => undefined);
    const mine = await picked;
    if (!mine) {
      // Everything asked for is being written by another append: its outcome is ours.
      const outcomes = await Promise.all([...this.writing]);
      const failed = outcomes.find((o) => o.problem !== null);
      return { written: [], duplicates: records.map((r) => r.id), spooled: failed ? this.pendingCount : 0, problem: failed?.problem ?? null };
    }
    try {
      return await mine.write;
    } finally {
      this.writing.delete(mine.write);
      for (const e of mine.batch) this.inFlight.delete(e.id);
    }
  }

  private async write(batch: Array<SpoolEntry<EvidenceRecord>>): Promise<SpooledAppendResult> {
    const outcome = await this.tryWrite(batch);
    if (outcome.problem === null) {
      this.retryAttempt = 0;
      this.lastProblem = null;
    } else this.lastProblem = outcome.problem;
    if (this.pendingCount > 0) this.scheduleRetry();
    return { ...outcome, spooled: outcome.problem === null ? 0 : this.pendingCount };
  }

  private async tryWrite(batch: Array<SpoolEntry<EvidenceRecord>>): Promise<Omit<SpooledAppendResult, "spooled">> {
    try {
      const result = await this.inner.append(batch.map((e) => e.value));
      // Only what this write settled leaves the spool; records another append spooled meanwhile stay.
      for (const e of batch) await this.spool.remove(e.id);
      return { ...result, problem: null };
    } catch (error) {
      const problem = (error as Error).message?.split("\n")[0] ?? String(error);
      if (isArchiveDown(error) || batch.length === 1) {
        for (const e of batch) await this.keepFailed(e, problem, batch.length === 1 && !isArchiveDown(error));
        return { written: [], duplicates: [], problem };
      }
      // Refused for another reason: find the record(s) at fault by writing each alone.
      const result: Omit<SpooledAppendResult, "spooled"> = { written: [], duplicates: [], problem: null };
      for (const e of batch) {
        const one = await this.tryWrite([e]);
        result.written.push(...one.written);
        result.duplicates.push(...one.duplicates);
        result.problem ??= one.problem;
      }
      return result;
    }
  }

  /** Keeps a failed record; a record refused on its own backs off on its own. */
  private async keepFailed(entry: SpoolEntry<EvidenceRecord>, problem: string, refusedAlone: boolean): Promise<void> {
    const attempts = entry.attempts + 1;
    const delay = backoffMs(attempts, this.options.retryBaseMs ?? 1_000, this.options.retryCapMs ?? 300_000);
    await this.spool.put({ ...entry, attempts, lastProblem: problem, notBefore: refusedAlone ? new Date(this.now().getTime() + delay).toISOString() : null });
  }

  /** A failed write is tried again by itself, backing off to the cap, for as long as records wait. */
  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    const delay = backoffMs(++this.retryAttempt, this.options.retryBaseMs ?? 1_000, this.options.retryCapMs ?? 300_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.retry().catch(() => this.scheduleRetry());
    }, delay);
    this.retryTimer.unref();
  }

  /** Writes whatever is waiting; called on a timer and before each export. */
  async retry(): Promise<SpooledAppendResult> {
    if (this.pendingCount === 0 && !this.spool.shared) return { written: [], duplicates: [], spooled: 0, problem: null };
    const result = await this.append([]);
    if (this.pendingCount > 0) this.scheduleRetry();
    return result;
  }

  /** Records an older version kept as lines of one file: moved into the directory once. */
  importLegacySpool(file: string): void {
    if (!(this.spool instanceof DirectorySpoolStore)) return;
    const at = this.now().toISOString();
    const imported = this.spool.importLines(file, (value) => {
      const record = value as EvidenceRecord;
      if (typeof record?.id !== "string") throw new Error("not an evidence record");
      return { id: record.id, value: record, since: at, attempts: 0, lastProblem: null, notBefore: null };
    });
    if (imported > 0) this.scheduleRetry();
  }

  /** Stops the retry timer (shutdown): what waits stays on disk for the next process. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.retryTimer = null;
    this.sweepTimer = null;
  }
}

/** The archive cannot take anything now: every record waits, none is to blame. */
function isArchiveDown(error: unknown): boolean {
  if (error instanceof ArchiveUnavailableError) return true;
  const status = (error as { status?: number }).status;
  return status === undefined || status >= 500 || status === 403 || status === 429 || status === 409 || status === 401;
}
