// The webhook endpoint: verify the signature, put the delivery in the durable queue under
// its delivery id, answer 202. Nothing is worked here, so the answer takes milliseconds
// and a crash after it loses nothing. A forged or unsigned delivery is refused before
// anything is queued; if the queue cannot take the job (Redis down), the answer is 503
// and GitHub records a failed delivery, which the recovery job asks for again.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { EnqueueResult, WebhookJob } from "./job.js";

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface IngressOptions {
  path: string;
  verify: (body: string, signature: string) => Promise<boolean>;
  accept: (job: WebhookJob) => Promise<EnqueueResult>;
  /** Largest body taken (GitHub caps payloads at 25 MB). */
  maxBytes?: number;
  onRejected?: (reason: string, id: string | undefined) => void;
  onError?: (error: unknown, id: string) => void;
}

export function webhookIngress(options: IngressOptions): HttpHandler {
  const maxBytes = options.maxBytes ?? 25 * 1024 * 1024;
  return async (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "");
    if (path !== options.path.replace(/\/+$/, "")) return false;
    const reply = (status: number, body: object) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      return true;
    };
    if (req.method !== "POST") return reply(405, { error: "POST only" });
    const id = header(req, "x-github-delivery");
    const name = header(req, "x-github-event");
    const signature = header(req, "x-hub-signature-256");
    if (!id || !name || !signature) {
      options.onRejected?.("missing headers", id);
      return reply(400, { error: "Required headers missing: x-github-event, x-hub-signature-256, x-github-delivery" });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) return reply(413, { error: "payload too large" });
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks).toString("utf8");
    if (!(await options.verify(body, signature).catch(() => false))) {
      options.onRejected?.("signature does not match", id);
      return reply(401, { error: "signature does not match event payload and secret" });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return reply(400, { error: "payload is not JSON" });
    }
    try {
      const result = await options.accept({ id, name, payload, receivedAt: Date.now() });
      return reply(202, { id, result });
    } catch (error) {
      options.onError?.(error, id);
      return reply(503, { error: "queue unavailable; the delivery was not accepted" });
    }
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
