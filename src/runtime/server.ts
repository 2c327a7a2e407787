// The HTTP server that hosts the app in production (`npm start`) and in the sandbox: the
// webhook ingress first (verify → queue → 202), then /healthz, /readyz, /metrics, then
// whatever the app added; SIGTERM stops the listener and drains the workers.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Probot } from "probot";
import { createApp, type AppOptions, type AppRuntime } from "../app.js";
import type { HttpHandler } from "./ingress.js";

export const DEFAULT_WEBHOOK_PATH = "/api/github/webhooks";
/** Kubernetes' default grace is 30 s: finish in-flight work in 25, leave 5 to exit. */
export const DRAIN_GRACE_MS = 25_000;

export interface HostedApp {
  http: Server;
  port: number;
  handle: AppRuntime;
  /** Stop listening, let running jobs finish for up to `graceMs`, leave the rest queued. */
  stop: (graceMs?: number) => Promise<void>;
}

export async function hostApp(probot: Probot, options: { host: string; port: number; webhookPath?: string; app?: AppOptions }): Promise<HostedApp> {
  let handle: AppRuntime | undefined;
  const added: HttpHandler[] = [];
  await probot.load(createApp({ ...options.app, background: true, onRuntime: (h) => (handle = h) }) as never, { cwd: process.cwd(), addHandler: (h: HttpHandler) => void added.push(h) } as never);
  if (!handle) throw new Error("the app did not start its runtime");
  const runtime: AppRuntime = handle;
  const handlers: HttpHandler[] = [runtime.ingress(options.webhookPath ?? DEFAULT_WEBHOOK_PATH), ...added];
  const http = createServer((req, res) => {
    void (async () => {
      try {
        for (const handler of handlers) if (await handler(req, res)) return;
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "Not Found" }));
      } catch (error) {
        probot.log.error({ err: { message: String((error as Error).message ?? error) } }, "request failed");
        if (!res.headersSent) res.writeHead(500).end();
      }
    })();
  });
  http.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port, options.host, () => resolve());
  });
  let stopping: Promise<void> | null = null;
  return {
    http,
    port: (http.address() as AddressInfo).port,
    handle: runtime,
    stop: (graceMs = DRAIN_GRACE_MS) =>
      (stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeIdleConnections();
        await runtime.shutdown(graceMs);
        http.closeAllConnections();
        await closed;
      })()),
  };
}
