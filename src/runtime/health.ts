// GET /healthz (the process answers), GET /readyz (it can do its work: each check names
// what is wrong), GET /metrics (Prometheus text).

import type { HttpHandler } from "./ingress.js";
import type { RuntimeMetrics } from "./metrics.js";

export interface ReadinessCheck {
  name: string;
  /** null when fine, else what is wrong. */
  check: () => Promise<string | null>;
}

export interface HealthOptions {
  metrics: RuntimeMetrics;
  checks: ReadinessCheck[];
  /** Refresh gauges (queue depth, evidence waiting) before a scrape. */
  beforeScrape?: () => Promise<void>;
  /** True once shutdown began: not ready, so the load balancer stops sending. */
  draining: () => boolean;
  timeoutMs?: number;
}

export function healthEndpoints(options: HealthOptions): HttpHandler {
  return async (req, res) => {
    if (req.method !== "GET") return false;
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok" }));
      return true;
    }
    if (path === "/readyz") {
      const problems: Record<string, string> = {};
      if (options.draining()) problems.shutdown = "shutting down";
      await Promise.all(
        options.checks.map(async (c) => {
          const problem = await withTimeout(c.check(), options.timeoutMs ?? 3_000).catch((error: unknown) => String((error as Error).message ?? error));
          if (problem) problems[c.name] = problem;
        }),
      );
      const ok = Object.keys(problems).length === 0;
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(ok ? { status: "ready" } : { status: "not ready", problems }));
      return true;
    }
    if (path === "/metrics") {
      await options.beforeScrape?.().catch(() => undefined);
      res.writeHead(200, { "content-type": options.metrics.registry.contentType }).end(await options.metrics.registry.metrics());
      return true;
    }
    return false;
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}
