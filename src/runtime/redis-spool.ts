// The evidence spools shared by replicas: one Redis hash per spool (entry id → entry JSON),
// and a lease key per entry being worked on. A replica that dies holding intents or
// records leaves them here; its leases expire and the others' sweeps pick them up.
// Use a Redis with persistence (AOF): these entries are evidence not yet archived.

import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { SpoolEntry } from "../evidence/spool-directory.js";
import { oldestFirst, snapshotOf, type SpoolSnapshot, type SpoolStore } from "../evidence/spool-store.js";

// Take the lease if free or already ours (then renew it).
const LEASE = `local v = redis.call("get", KEYS[1])
if v == false or v == ARGV[1] then redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export class RedisSpoolStore<T> implements SpoolStore<T> {
  readonly shared = true;
  private readonly key: string;
  /** This process's lease token. */
  private readonly owner = randomUUID();
  /** As of the last listing, adjusted by this process's own puts and removes. */
  private last: SpoolSnapshot = { pending: 0, oldestSince: null, lastProblem: null };

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Which spool, e.g. "intake" or "records/acme_compliance-evidence_main". */
    private readonly name: string,
  ) {
    this.key = `${prefix}:spool:${name}`;
  }

  private leaseKey(id: string): string {
    return `${this.prefix}:spool-lease:${this.name}:${id}`;
  }

  async put(entry: SpoolEntry<T>): Promise<void> {
    const added = await this.redis.hset(this.key, entry.id, JSON.stringify(entry));
    if (added === 1) this.last = { ...this.last, pending: this.last.pending + 1, oldestSince: this.last.oldestSince ?? entry.since };
    if (entry.lastProblem) this.last = { ...this.last, lastProblem: entry.lastProblem };
  }

  async get(id: string): Promise<SpoolEntry<T> | null> {
    const text = await this.redis.hget(this.key, id);
    return text === null ? null : (JSON.parse(text) as SpoolEntry<T>);
  }

  async has(id: string): Promise<boolean> {
    return (await this.redis.hexists(this.key, id)) === 1;
  }

  async remove(id: string): Promise<void> {
    if ((await this.redis.hdel(this.key, id)) === 1) this.last = { ...this.last, pending: Math.max(0, this.last.pending - 1) };
    if (this.last.pending === 0) this.last = { pending: 0, oldestSince: null, lastProblem: null };
  }

  async list(): Promise<Array<SpoolEntry<T>>> {
    const all = await this.redis.hgetall(this.key);
    const entries: Array<SpoolEntry<T>> = [];
    for (const text of Object.values(all)) {
      try {
        entries.push(JSON.parse(text) as SpoolEntry<T>);
      } catch {
        // never written by us: left in place for an operator, never blocking the others
      }
    }
    entries.sort(oldestFirst);
    this.last = snapshotOf(entries);
    return entries;
  }

  snapshot(): SpoolSnapshot {
    return this.last;
  }

  async lease(id: string, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.eval(LEASE, 1, this.leaseKey(id), this.owner, String(Math.max(1, Math.round(ttlMs))))) === 1;
  }

  async releaseLease(id: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.leaseKey(id), this.owner);
  }
}
