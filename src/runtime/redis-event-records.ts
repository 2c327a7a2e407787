// The push and label events waiting per pull request for the next evaluation, shared by
// replicas: a replica whose call was folded into another replica's run leaves its event's
// record here, and that run takes it (a list per PR, taken and emptied in one step).

import type { Redis } from "ioredis";
import type { EventRecord, EventRecordStore } from "../triggers/services.js";

/** A record nobody takes within a day belonged to a PR no longer evaluated. */
const KEEP_SECONDS = 24 * 3600;
const TAKE = `local items = redis.call("lrange", KEYS[1], 0, -1) redis.call("del", KEYS[1]) return items`;

export class RedisEventRecords implements EventRecordStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(key: string): string {
    return `${this.prefix}:pr-events:${key}`;
  }

  async add(key: string, event: EventRecord): Promise<void> {
    await this.redis.multi().rpush(this.key(key), JSON.stringify(event)).expire(this.key(key), KEEP_SECONDS).exec();
  }

  async take(key: string): Promise<EventRecord[]> {
    const items = (await this.redis.eval(TAKE, 1, this.key(key))) as string[];
    return items.map((text) => JSON.parse(text) as EventRecord);
  }
}
