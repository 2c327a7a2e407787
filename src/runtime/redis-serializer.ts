// Per-pull-request serialisation across replicas, with coalescing. A Redis lock per key
// (token, expiry renewed while held) lets one run at a time, in any replica.
// A caller that finds the lock held raises the key's "again" flag and waits: the holder,
// after its run, consumes the flag and runs once more (ten events during one evaluation →
// one more evaluation). If the holder dies, its lock expires and a waiter takes over.

import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { PullRequestSerializer } from "./serializer.js";

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

export interface RedisSerializerOptions {
  prefix: string;
  /** Lock expiry; renewed every third of it while the holder runs. */
  lockMs?: number;
  pollMs?: number;
}

export class RedisSerializer implements PullRequestSerializer {
  private readonly lockMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisSerializerOptions,
  ) {
    this.lockMs = options.lockMs ?? 15_000;
    this.pollMs = options.pollMs ?? 50;
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T | null> {
    const lock = `${this.options.prefix}:pr-lock:${key}`;
    const again = `${this.options.prefix}:pr-again:${key}`;
    const token = randomUUID();
    let flagged = false;
    for (;;) {
      if ((await this.redis.set(lock, token, "PX", this.lockMs, "NX")) === "OK") {
        // Our own run starts now and sees the newest state: it covers any flag raised so far.
        if (flagged) await this.redis.del(again);
        return this.holding(lock, again, token, task);
      }
      if (!flagged) {
        await this.redis.set(again, "1", "PX", this.lockMs * 4);
        flagged = true;
      } else if ((await this.redis.exists(again)) === 0) {
        return null; // the holder took our flag: its next run started after our event
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  private async holding<T>(lock: string, again: string, token: string, task: () => Promise<T>): Promise<T> {
    const renew = setInterval(() => void this.redis.eval(RENEW, 1, lock, token, String(this.lockMs)).catch(() => undefined), Math.floor(this.lockMs / 3));
    try {
      let result = await task();
      while ((await this.redis.del(again)) === 1) result = await task();
      return result;
    } finally {
      clearInterval(renew);
      await this.redis.eval(RELEASE, 1, lock, token).catch(() => undefined);
    }
  }
}
