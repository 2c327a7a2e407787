// GitHub's secondary rate limit (403/429 with retry-after, or a "secondary rate limit"
// message) is temporary by definition. Probot's throttling only logs it, which would fail
// an evaluation or spool evidence for a pause of a few seconds: wait as told, then retry.

import type { GitHubClient } from "./client.js";

export interface SecondaryRetryOptions {
  retries?: number;
  /** Longest wait we accept for one retry; longer waits fail fast and the caller's own retry takes over. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export function isSecondaryRateLimit(error: unknown): { waitMs: number } | null {
  const e = error as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined> } };
  if (e.status !== 403 && e.status !== 429) return null;
  const retryAfter = e.response?.headers?.["retry-after"];
  const secondary = /secondary rate limit|abuse/i.test(e.message ?? "");
  if (retryAfter === undefined && !secondary) return null;
  const seconds = retryAfter !== undefined && Number.isFinite(Number(retryAfter)) ? Number(retryAfter) : 60;
  return { waitMs: seconds * 1000 };
}

export function installSecondaryRateLimitRetry(octokit: GitHubClient, options: SecondaryRetryOptions = {}): void {
  const marked = octokit as GitHubClient & { __soc2SecondaryRetry?: boolean };
  if (marked.__soc2SecondaryRetry) return;
  marked.__soc2SecondaryRetry = true;
  const retries = options.retries ?? 3;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  octokit.hook.wrap("request", async (request, requestOptions) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const limited = isSecondaryRateLimit(error);
        if (!limited || attempt >= retries || limited.waitMs > maxWaitMs) throw error;
        // A little jitter so replicas that were limited together do not return together.
        await sleep(limited.waitMs + Math.floor(Math.random() * 250));
      }
    }
  });
}
