// Where spooled entries (webhook intents, sealed-to-be records) wait: a port, so one process
// keeps them in a directory (spool-directory.ts) or in memory, and replicas share one store
// (Redis, src/runtime/redis-spool.ts) — a replica that dies leaves nothing only it can see.
// A shared store lets several processes see the same entry: `lease` says which one works
// on it now (the lease expires if its holder dies, and another process takes it over).

import { SpoolDirectory, type SpoolEntry, type SpoolLog } from "./spool-directory.js";

export interface SpoolSnapshot {
  pending: number;
  /** When the longest-waiting entry was first kept. */
  oldestSince: string | null;
  lastProblem: string | null;
}

export interface SpoolStore<T> {
  /** Other processes put and take entries too: callers lease before working and sweep for strays. */
  readonly shared: boolean;
  /** Writes (or replaces) the entry; durable once it resolves. */
  put(entry: SpoolEntry<T>): Promise<void>;
  get(id: string): Promise<SpoolEntry<T> | null>;
  has(id: string): Promise<boolean>;
  remove(id: string): Promise<void>;
  /** Every entry, oldest first. */
  list(): Promise<Array<SpoolEntry<T>>>;
  /** What waits, now (a local store) or as of the last operation or listing (a shared one): health is synchronous. */
  snapshot(): SpoolSnapshot;
  /** Takes (or renews) this process's lease on an entry; false when another process holds it. */
  lease(id: string, ttlMs: number): Promise<boolean>;
  releaseLease(id: string): Promise<void>;
}

/** One process, entries in a directory (one file each) so a restart resumes them. */
export class DirectorySpoolStore<T> implements SpoolStore<T> {
  readonly shared = false;
  private readonly directory: SpoolDirectory<T>;

  constructor(dir: string, log?: SpoolLog) {
    this.directory = new SpoolDirectory<T>(dir, log);
  }

  get dir(): string {
    return this.directory.dir;
  }

  async put(entry: SpoolEntry<T>): Promise<void> {
    this.directory.put(entry);
  }
  async get(id: string): Promise<SpoolEntry<T> | null> {
    return this.directory.get(id);
  }
  async has(id: string): Promise<boolean> {
    return this.directory.has(id);
  }
  async remove(id: string): Promise<void> {
    this.directory.remove(id);
  }
  async list(): Promise<Array<SpoolEntry<T>>> {
    return this.directory.list();
  }
  /** Read from disk: other processes sharing the directory count too. */
  snapshot(): SpoolSnapshot {
    return snapshotOf(this.directory.list());
  }
  async lease(): Promise<boolean> {
    return true;
  }
  async releaseLease(): Promise<void> {}

  /** Entries an older version kept as lines of one file: moved in once. */
  importLines(file: string, toEntry: (value: unknown) => SpoolEntry<T>): number {
    return this.directory.importLines(file, toEntry);
  }
}

/** One process, nothing on disk (tests that do not restart). */
export class MemorySpoolStore<T> implements SpoolStore<T> {
  readonly shared = false;
  private readonly entries = new Map<string, SpoolEntry<T>>();
  async put(entry: SpoolEntry<T>): Promise<void> {
    this.entries.set(entry.id, entry);
  }
  async get(id: string): Promise<SpoolEntry<T> | null> {
    return this.entries.get(id) ?? null;
  }
  async has(id: string): Promise<boolean> {
    return this.entries.has(id);
  }
  async remove(id: string): Promise<void> {
    this.entries.delete(id);
  }
  async list(): Promise<Array<SpoolEntry<T>>> {
    return [...this.entries.values()].sort(oldestFirst);
  }
  snapshot(): SpoolSnapshot {
    return snapshotOf([...this.entries.values()].sort(oldestFirst));
  }
  async lease(): Promise<boolean> {
    return true;
  }
  async releaseLease(): Promise<void> {}
}

export function oldestFirst<T>(a: SpoolEntry<T>, b: SpoolEntry<T>): number {
  return a.since < b.since ? -1 : a.since > b.since ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The snapshot of entries listed oldest first. */
export function snapshotOf<T>(entries: Array<SpoolEntry<T>>): SpoolSnapshot {
  return { pending: entries.length, oldestSince: entries[0]?.since ?? null, lastProblem: entries.find((e) => e.lastProblem)?.lastProblem ?? null };
}

/**
 * Moves what a directory holds into another store (a single process switched to Redis):
 * each entry is put there before it leaves the directory, so a crash midway loses nothing.
 */
export async function moveSpool<T>(from: SpoolStore<T>, to: SpoolStore<T>): Promise<number> {
  let moved = 0;
  for (const entry of await from.list()) {
    if (!(await to.has(entry.id))) await to.put(entry);
    await from.remove(entry.id);
    moved++;
  }
  return moved;
}
