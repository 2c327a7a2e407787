// Which check run is ours on a commit, shared by replicas: a replica that evaluates a PR
// after another must update the run the other created, never add a second one. Creation
// is claimed first (SET NX), so a replica that died between creating a run and recording
// its id leaves a claim, and the next one looks the run up on GitHub instead of adding one.

import type { Redis } from "ioredis";
import type { CheckRunStore } from "../triggers/services.js";

/** Check runs outlive their PR's activity by weeks at most; GitHub keeps them 400 days. */
const KEEP_SECONDS = 30 * 24 * 3600;

export class RedisCheckRunStore implements CheckRunStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(key: string): string {
    return `${this.prefix}:check-run:${key}`;
  }

  async get(key: string): Promise<number | undefined> {
    const value = await this.redis.get(this.key(key));
    const id = value === null ? NaN : Number(value);
    return Number.isFinite(id) && id > 0 ? id : undefined;
  }

  /** Atomic across replicas: the key holds "claimed" until the creator records the run's id. */
  async claim(key: string): Promise<boolean> {
    return (await this.redis.set(this.key(key), "claimed", "EX", KEEP_SECONDS, "NX")) === "OK";
  }

  async set(key: string, id: number): Promise<void> {
    await this.redis.set(this.key(key), String(id), "EX", KEEP_SECONDS);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  async lastWritten(id: number): Promise<string | undefined> {
    return (await this.redis.get(`${this.prefix}:check-run-output:${id}`)) ?? undefined;
  }

  async rememberWritten(id: number, digest: string): Promise<void> {
    await this.redis.set(`${this.prefix}:check-run-output:${id}`, digest, "EX", KEEP_SECONDS);
  }
}
