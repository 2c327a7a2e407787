// Records that could not be archived yet (archive missing, no permission, GitHub down)
// wait here — on disk, so a restart loses nothing — and are written first on the next
// append or retry. Nothing is dropped.

import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import type { AppendResult, EvidenceArchive } from "./archive.js";
import { ArchiveUnavailableError } from "./archive.js";
import type { EvidenceRecord } from "./record.js";

export interface SpooledAppendResult extends AppendResult {
  /** Records kept for a later retry, with the reason they could not be written now. */
  spooled: number;
  problem: string | null;
}

export class SpoolingArchive implements EvidenceArchive {
  private pending: EvidenceRecord[];
  /** Ids an append is writing now: kept in the spool, not sent twice. */
  private readonly inFlight = new Set<string>();
  /** The writes in flight, so an append whose records they carry can wait for them. */
  private readonly writing = new Set<Promise<SpooledAppendResult>>();
  private retryTimer: NodeJS.Timeout | null = null;
  private retryAttempt = 0;

  constructor(
    private readonly inner: EvidenceArchive,
    private readonly spoolFile: string | null,
  ) {
    this.pending = spoolFile && existsSync(spoolFile) ? readFileSync(spoolFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as EvidenceRecord) : [];
  }

  get description(): string {
    return this.inner.description;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  has(id: string): Promise<boolean> {
    return this.pending.some((r) => r.id === id) ? Promise.resolve(true) : this.inner.has(id);
  }

  read() {
    return this.inner.read();
  }

  private persist(): void {
    if (!this.spoolFile) return;
    mkdirSync(dirname(this.spoolFile), { recursive: true });
    writeFileSync(`${this.spoolFile}.tmp`, this.pending.map((r) => `${JSON.stringify(r)}\n`).join(""));
    renameSync(`${this.spoolFile}.tmp`, this.spoolFile);
  }

  async append(records: EvidenceRecord[]): Promise<SpooledAppendResult> {
    // Waiting records go first, except those another append is writing right now.
    const batch = [...this.pending.filter((p) => !this.inFlight.has(p.id)), ...records.filter((r) => !this.pending.some((p) => p.id === r.id))];
    if (batch.length === 0) {
      // Everything asked for is being written by another append: its outcome is ours.
      const outcomes = await Promise.all([...this.writing]);
      const failed = outcomes.find((o) => o.problem !== null);
      return { written: [], duplicates: records.map((r) => r.id), spooled: failed ? this.pending.length : 0, problem: failed?.problem ?? null };
    }
    // Spool first: a crash or a concurrent failure while the write is in flight loses nothing.
    this.keep(batch);
    for (const r of batch) this.inFlight.add(r.id);
    const write = this.write(batch);
    this.writing.add(write);
    try {
      return await write;
    } finally {
      this.writing.delete(write);
      for (const r of batch) this.inFlight.delete(r.id);
    }
  }

  private async write(batch: EvidenceRecord[]): Promise<SpooledAppendResult> {
    try {
      const result = await this.inner.append(batch);
      // Only what this write settled leaves the spool; records another append spooled meanwhile stay.
      const settled = new Set(batch.map((r) => r.id));
      this.pending = this.pending.filter((p) => !settled.has(p.id));
      this.persist();
      this.retryAttempt = 0;
      if (this.pending.length > 0) this.scheduleRetry();
      return { ...result, spooled: 0, problem: null };
    } catch (error) {
      if (!isRetryable(error)) throw error;
      this.scheduleRetry();
      return { written: [], duplicates: [], spooled: this.pending.length, problem: (error as Error).message };
    }
  }

  /** A failed write is tried again by itself, backing off, so the last merge of a burst is not left waiting for the next one. */
  private scheduleRetry(): void {
    if (this.retryTimer || this.retryAttempt >= RETRY_DELAYS_MS.length) return;
    const delay = RETRY_DELAYS_MS[this.retryAttempt++]!;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.retry().catch(() => undefined);
    }, delay);
    this.retryTimer.unref();
  }

  private keep(records: EvidenceRecord[]): void {
    const fresh = records.filter((r) => !this.pending.some((p) => p.id === r.id));
    if (fresh.length === 0) return;
    this.pending = [...this.pending, ...fresh];
    this.persist();
  }

  /** Writes whatever is waiting; called on a timer and before each export. */
  async retry(): Promise<SpooledAppendResult> {
    return this.pending.length === 0 ? { written: [], duplicates: [], spooled: 0, problem: null } : this.append([]);
  }
}

/** After these, records wait for the next append or the daily pass. */
const RETRY_DELAYS_MS = [1_000, 5_000, 15_000, 60_000, 300_000];

function isRetryable(error: unknown): boolean {
  if (error instanceof ArchiveUnavailableError) return true;
  const status = (error as { status?: number }).status;
  return status === undefined || status >= 500 || status === 403 || status === 429 || status === 422 || status === 409;
}
