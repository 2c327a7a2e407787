// Write pacing per installation. Probot's throttling plugin keeps one limiter per
// installation id, but paces every GraphQL request as a write (queries included, so an
// evaluation — one facts query, one check-run write — waits for two slots) at a fixed one
// a second. This plugin paces only real writes — REST calls other than GET/HEAD and GraphQL
// mutations — per installation at the rate we choose, and opens the plugin's own write
// slot. With Redis the slots are shared by every replica (one schedule per installation).
// GitHub's guidance for content-creating requests: serial, about one a second.

import type { Redis } from "ioredis";
import type { ProbotOctokit } from "probot";

export const DEFAULT_WRITES_PER_SECOND = 1;

const AUTH_PATH = /^\/app\/installations\/[^/]+\/access_tokens$/;

/** A write in GitHub's sense: it creates or changes something. */
export function isWriteRequest(options: { method?: string; url?: string; query?: unknown }): boolean {
  const method = (options.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD") return false;
  const path = new URL(String(options.url ?? "/"), "http://github.test").pathname;
  if (AUTH_PATH.test(path)) return false;
  if (path.endsWith("/graphql")) return /^\s*mutation\b/.test(String(options.query ?? ""));
  return true;
}

/** Hands out write slots `intervalMs` apart per key; resolves when the caller's slot comes. */
export interface WriteSlots {
  wait(key: string): Promise<void>;
}

export class LocalWriteSlots implements WriteSlots {
  private readonly next = new Map<string, number>();
  constructor(private readonly intervalMs: number) {}
  async wait(key: string): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next.get(key) ?? 0);
    this.next.set(key, at + this.intervalMs);
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}

// Atomically: my slot is max(now, next); next becomes my slot + interval.
const TAKE_SLOT = `
local now = tonumber(ARGV[1])
local next = tonumber(redis.call("get", KEYS[1]) or "0")
local at = math.max(now, next)
redis.call("set", KEYS[1], at + tonumber(ARGV[2]), "PX", math.max(1000, at + tonumber(ARGV[2]) - now + 1000))
return at - now`;

export class RedisWriteSlots implements WriteSlots {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly intervalMs: number,
  ) {}
  async wait(key: string): Promise<void> {
    const delay = Number(await this.redis.eval(TAKE_SLOT, 1, `${this.prefix}:write-slot:${key}`, String(Date.now()), String(this.intervalMs)));
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  }
}

export function paceWrites(Octokit: typeof ProbotOctokit, writesPerSecond: number, slots: WriteSlots = new LocalWriteSlots(Math.ceil(1000 / writesPerSecond))): typeof ProbotOctokit {
  if (!(writesPerSecond > 0)) throw new Error(`writes per second must be positive, got ${writesPerSecond}`);
  const open = { key: () => ({ schedule: <T>(_options: unknown, fn: () => Promise<T>) => fn() }) };
  const Paced = Octokit.plugin((octokit, options) => {
    const throttle = ((options as { throttle?: { enabled?: boolean; id?: string } }).throttle ?? {});
    if (throttle.enabled === false) return {};
    const key = String(throttle.id ?? "app");
    octokit.hook.wrap("request", async (request, requestOptions) => {
      if (isWriteRequest(requestOptions as never)) await slots.wait(key);
      return request(requestOptions);
    });
    return {};
  });
  return Paced.defaults((options: Record<string, unknown>) => ({ ...options, throttle: { ...(options.throttle as object), write: open } })) as unknown as typeof ProbotOctokit;
}
