// "Do this once": a claim on a key that holds for a time, shared by replicas on Redis or
// kept in the state directory by the single embedded process (so a restart remembers).

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { writeFileAtomically } from "../atomic-file.js";

export interface OnceMarks {
  /** True for the first claim of `key` within `ttlSeconds`, false afterwards. */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  /** Gives a claim back (the work it guarded failed and may be tried again). */
  release(key: string): Promise<void>;
}

export class RedisOnceMarks implements OnceMarks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}:once:${key}`, "1", "EX", ttlSeconds, "NX")) === "OK";
  }

  async release(key: string): Promise<void> {
    await this.redis.del(`${this.prefix}:once:${key}`);
  }
}

export class FileOnceMarks implements OnceMarks {
  private readonly marks = new Map<string, number>();
  private readonly path: string | null;

  constructor(stateDir: string | null, private readonly now: () => number = Date.now) {
    this.path = stateDir ? join(stateDir, "once.json") : null;
    if (this.path && existsSync(this.path)) {
      try {
        for (const [key, until] of Object.entries(JSON.parse(readFileSync(this.path, "utf8")) as Record<string, number>)) this.marks.set(key, until);
      } catch {
        // unreadable: start over; the worst case is one more redelivery request
      }
    }
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const now = this.now();
    const until = this.marks.get(key);
    if (until !== undefined && until > now) return false;
    this.marks.set(key, now + ttlSeconds * 1000);
    for (const [k, u] of this.marks) if (u <= now) this.marks.delete(k);
    this.save();
    return true;
  }

  async release(key: string): Promise<void> {
    this.marks.delete(key);
    this.save();
  }

  private save(): void {
    if (this.path) {
      writeFileAtomically(this.path, JSON.stringify(Object.fromEntries(this.marks)));
    }
  }
}
