// Conditional requests and request counting, installed as an Octokit request hook.
//
// GitHub does not count a 304 Not Modified against the rate limit, so every GET we
// repeat (config files, branch rules, permissions) carries the ETag of the last
// answer. The counter is what the bench and the logs report as "requests per event".

import type { GitHubClient as Octokit } from "./client.js";

interface CachedResponse {
  etag: string;
  response: { status: number; url: string; headers: Record<string, unknown>; data: unknown };
}

/** A bounded least-recently-used map of URL → last 200 response with its ETag. */
export class EtagCache {
  private readonly entries = new Map<string, CachedResponse>();
  constructor(private readonly maxEntries = 5_000) {}

  get(key: string): CachedResponse | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: CachedResponse): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Counts requests; `counted` is what GitHub charges against the rate limit (a 304 is free). */
export class RequestCounter {
  counted = 0;
  notModified = 0;
  readonly byRoute = new Map<string, number>();

  /** `headers` of the answer when there was one (metrics read the remaining rate limit). */
  record(route: string, status: number, _headers?: Record<string, unknown>): void {
    if (status === 304) {
      this.notModified++;
      return;
    }
    this.counted++;
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
  }

  snapshot(): { counted: number; notModified: number } {
    return { counted: this.counted, notModified: this.notModified };
  }
}

export interface AccountingOptions {
  cache?: EtagCache;
  /** Called with every finished request; use several counters by composing. */
  counters?: RequestCounter[];
}

type HookOptions = Parameters<Parameters<Octokit["hook"]["wrap"]>[1]>[1];

/** Installs conditional GETs and counting on one Octokit instance. Idempotent per instance. */
export function installRequestAccounting(octokit: Octokit, options: AccountingOptions): void {
  const marked = octokit as Octokit & { __soc2Accounting?: AccountingOptions };
  if (marked.__soc2Accounting) {
    // Already installed: add counters so nested scopes are all credited.
    marked.__soc2Accounting.counters = [...(marked.__soc2Accounting.counters ?? []), ...(options.counters ?? [])];
    return;
  }
  marked.__soc2Accounting = { ...options, counters: [...(options.counters ?? [])] };
  const state = marked.__soc2Accounting;

  octokit.hook.wrap("request", async (request, requestOptions: HookOptions) => {
    const endpoint = octokit.request.endpoint(requestOptions as never) as { method: string; url: string };
    const route = `${endpoint.method} ${String((requestOptions as { url?: string }).url ?? endpoint.url)}`;
    const cacheable = endpoint.method === "GET" && state.cache !== undefined;
    const key = `${endpoint.url}`;
    const cached = cacheable ? state.cache!.get(key) : undefined;
    if (cached) {
      const headers = { ...((requestOptions as { headers?: Record<string, string> }).headers ?? {}) };
      headers["if-none-match"] = cached.etag;
      (requestOptions as { headers?: Record<string, string> }).headers = headers;
    }
    try {
      const response = await request(requestOptions as never);
      for (const counter of state.counters ?? []) counter.record(route, response.status, response.headers as Record<string, unknown>);
      const etag = (response.headers as Record<string, unknown>).etag;
      if (cacheable && typeof etag === "string" && response.status === 200) {
        state.cache!.set(key, {
          etag,
          response: { status: response.status, url: response.url, headers: response.headers as Record<string, unknown>, data: response.data },
        });
      }
      return response;
    } catch (error) {
      const status = (error as { status?: number }).status ?? 0;
      for (const counter of state.counters ?? []) counter.record(route, status, (error as { response?: { headers?: Record<string, unknown> } }).response?.headers);
      if (status === 304 && cached) return cached.response as never;
      throw error;
    }
  });
}
