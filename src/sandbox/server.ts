// The sandbox as a GitHub Enterprise-style server on 127.0.0.1: REST under /api/v3,
// GraphQL at /api/graphql. It authenticates the app like GitHub (an RS256 JWT for /app
// routes, installation tokens for the rest), injects faults per endpoint, and sends the
// app signed webhook deliveries whenever its state changes.

import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, verify, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SandboxState, type AppInfo, type Repo, type SandboxEvent } from "./state.js";
import { Shapes } from "./shapes.js";
import { SandboxRest, type RestResponse } from "./rest.js";
import { SandboxGraphql } from "./graphql.js";
import { Faults } from "./faults.js";
import { SandboxOAuth } from "./oauth.js";

export interface SandboxOptions {
  appId?: number;
  appSlug?: string;
  /** PEM; generated when absent (read it back from `privateKey`). */
  privateKey?: string;
  webhookSecret?: string;
  /** Where deliveries go; may be set later with `setWebhookUrl`. */
  webhookUrl?: string;
  /** Deliver webhooks automatically when state changes (default true). */
  autoDeliver?: boolean;
  random?: () => number;
}

export interface Delivery {
  id: string;
  event: string;
  action: string | null;
  status: number;
  ms: number;
  at: string;
  redelivery: boolean;
  signed: "valid" | "forged" | "unsigned";
}

/** One attempt in the app's webhook delivery log (GET /app/hook/deliveries). */
export interface HookAttempt {
  id: number;
  guid: string;
  event: string;
  action: string | null;
  statusCode: number;
  deliveredAt: string;
  redelivery: boolean;
  ms: number;
  payload: Record<string, unknown>;
}

export interface RequestLog {
  method: string;
  path: string;
  status: number;
  ms: number;
}

export class GitHubSandbox {
  readonly state: SandboxState;
  readonly faults: Faults;
  /** GitHub Enterprise's OAuth web flow for the sandbox's people (the portal's sign-in). */
  readonly oauth: SandboxOAuth;
  readonly privateKey: string;
  readonly webhookSecret: string;
  readonly deliveries: Delivery[] = [];
  readonly requests: RequestLog[] = [];
  /** GitHub's delivery log of the app's webhook: every attempt of every genuine delivery. */
  readonly hookAttempts: HookAttempt[] = [];
  /** Redeliveries the app asked for (POST /app/hook/deliveries/{id}/attempts), by guid. */
  readonly redeliveryRequests: string[] = [];
  /** Events announced but not (yet) delivered when autoDeliver is off. */
  readonly queued: SandboxEvent[] = [];
  autoDeliver: boolean;
  private readonly publicKey: KeyObject;
  private readonly tokens = new Map<string, { installationId: number; expiresAt: number }>();
  private readonly pending = new Set<Promise<unknown>>();
  private server: Server | null = null;
  private webhookUrl: string | null;
  private shapes!: Shapes;
  private rest!: SandboxRest;
  private graphql!: SandboxGraphql;
  private origin = "";

  constructor(options: SandboxOptions = {}) {
    const app: AppInfo = { id: options.appId ?? 4242, slug: options.appSlug ?? "soc2-guard", name: options.appSlug ?? "soc2-guard" };
    this.state = new SandboxState(app);
    this.faults = new Faults(options.random);
    this.oauth = new SandboxOAuth(this.state);
    this.privateKey = options.privateKey ?? generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    this.publicKey = createPublicKey(createPrivateKey(this.privateKey));
    this.webhookSecret = options.webhookSecret ?? randomBytes(20).toString("hex");
    this.webhookUrl = options.webhookUrl ?? null;
    this.autoDeliver = options.autoDeliver ?? true;
    this.state.onEvent = (event) => {
      if (this.autoDeliver && this.webhookUrl) this.track(this.send(event.name, event.payload));
      else this.queued.push(event);
    };
  }

  get appId(): number {
    return this.state.app.id;
  }

  /** REST base, e.g. http://127.0.0.1:PORT/api/v3 */
  get apiUrl(): string {
    return `${this.origin}/api/v3`;
  }

  get graphqlUrl(): string {
    return `${this.origin}/api/graphql`;
  }

  /** host:port, for Probot's GHE_HOST. */
  get host(): string {
    return this.origin.replace(/^http:\/\//, "");
  }

  get webUrl(): string {
    return this.origin;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.serve(req, res));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
    const { port } = this.server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
    this.shapes = new Shapes(this.state, this.apiUrl, this.origin);
    this.state.describe = this.shapes;
    this.rest = new SandboxRest(this.state, this.shapes);
    this.rest.beforeRefUpdate = (repo, branch) => this.maybeRivalCommit(repo, branch, "PATCH", `/repos/${repo.owner}/${repo.name}/git/refs/heads/${branch}`);
    this.graphql = new SandboxGraphql(this.state, this.origin, {
      beforeRefUpdate: (repo, branch) => this.maybeRivalCommit(repo, branch, "POST", "/graphql"),
      afterCommit: (repo, branch, before, after) => this.announceApiPush(repo, branch, before, after),
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.idle();
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  setWebhookUrl(url: string): void {
    this.webhookUrl = url;
  }

  /** Shapes for callers that want GitHub's JSON of the state (tests, the demo). */
  get json(): Shapes {
    return this.shapes;
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Resolves when every delivery in flight has been answered. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  // ── webhooks ──────────────────────────────────────────────────────────────

  sign(body: string, secret = this.webhookSecret): string {
    return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  }

  /**
   * POSTs one delivery the way GitHub does. `id` reuses a delivery id (a redelivery);
   * `signature` forges ("forged": signed with another secret) or omits it ("unsigned");
   * `url` sends elsewhere than the app (a test playing a server that has gone away).
   */
  async send(event: string, payload: Record<string, unknown>, options: { id?: string; signature?: "valid" | "forged" | "unsigned"; timeoutMs?: number; url?: string } = {}): Promise<Delivery> {
    const target = options.url ?? this.webhookUrl;
    if (!target) throw new Error("sandbox: no webhook URL set");
    const id = options.id ?? randomUUID();
    const body = JSON.stringify(payload);
    const signed = options.signature ?? "valid";
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/sandbox",
      "x-github-event": event,
      "x-github-delivery": id,
      "x-github-hook-id": "1",
      "x-github-hook-installation-target-type": "integration",
      "x-github-hook-installation-target-id": String(this.appId),
    };
    if (signed === "valid") headers["x-hub-signature-256"] = this.sign(body);
    if (signed === "forged") headers["x-hub-signature-256"] = this.sign(body, "not-the-secret");
    const started = performance.now();
    let status = 0;
    try {
      const res = await fetch(target, { method: "POST", headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 0; // GitHub records a timeout (10 s) or a refused connection as a failed delivery.
    }
    const delivery: Delivery = {
      id,
      event,
      action: typeof payload.action === "string" ? payload.action : null,
      status,
      ms: performance.now() - started,
      at: new Date().toISOString(),
      redelivery: options.id !== undefined,
      signed,
    };
    this.deliveries.push(delivery);
    if (signed === "valid") {
      this.hookAttempts.push({ id: this.hookAttempts.length + 1, guid: id, event, action: delivery.action, statusCode: status, deliveredAt: delivery.at, redelivery: delivery.redelivery, ms: delivery.ms, payload });
    }
    return delivery;
  }

  /** Redelivers a past delivery with its id (GitHub's "Redeliver"). */
  redeliver(event: SandboxEvent, id: string): Promise<Delivery> {
    return this.send(event.name, event.payload, { id });
  }

  /** Delivers queued events (when autoDeliver is off). */
  async flush(): Promise<Delivery[]> {
    const events = this.queued.splice(0);
    return Promise.all(events.map((e) => this.send(e.name, e.payload)));
  }

  private announceApiPush(repo: Repo, branch: string, before: string, after: string): void {
    const commit = repo.git.commit(after)!;
    this.state.emit("push", null, repo, `${this.state.app.slug}[bot]`, {
      ref: `refs/heads/${branch}`,
      before,
      after,
      created: false,
      deleted: false,
      forced: false,
      base_ref: null,
      compare: `${this.origin}/${repo.owner}/${repo.name}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
      commits: [this.shapes.pushCommit(repo, commit)],
      head_commit: this.shapes.pushCommit(repo, commit),
      pusher: { name: `${this.state.app.slug}[bot]`, email: null },
    });
  }

  /** A ref-conflict fault: a rival writer moves the branch a moment before the app's update. */
  private maybeRivalCommit(repo: Repo, branch: string, method: string, path: string): void {
    if (!this.faults.take("ref-conflict", method, path)) return;
    const head = repo.git.refs.get(branch)!;
    const files = repo.git.files(head);
    files.set("RIVAL.md", `a rival writer was here (${randomUUID()})\n`);
    const sha = repo.git.putCommit({ tree: repo.git.putFiles(files), parents: [head], message: "rival commit (sandbox fault)", author: this.state.identity(null, "rival") });
    repo.git.updateRef(branch, sha);
  }

  // ── HTTP ──────────────────────────────────────────────────────────────────

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? "/", this.origin);
    const method = (req.method ?? "GET").toUpperCase();
    let path = url.pathname;
    const isGraphql = path === "/api/graphql";
    if (path.startsWith("/login/oauth/")) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (await this.oauth.serve(req, res, url, Buffer.concat(chunks).toString("utf8"))) return;
    }
    if (!isGraphql && !path.startsWith("/api/v3/")) return this.reply(res, method, path, started, { status: 404, body: { message: "Not Found" } });
    path = isGraphql ? "/graphql" : path.slice("/api/v3".length);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: Record<string, unknown> = {};
    if (text) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return this.reply(res, method, path, started, { status: 400, body: { message: "Problems parsing JSON" } });
      }
    }

    const auth = this.authenticate(req, method, path);
    if ("status" in auth) return this.reply(res, method, path, started, auth);

    // Faults, in GitHub's order: slow, then failing, then limited.
    const slow = this.faults.take("latency", method, path);
    if (slow) await new Promise((r) => setTimeout(r, slow.ms ?? 200));
    const failing = this.faults.take("error", method, path);
    if (failing) return this.reply(res, method, path, started, { status: failing.status ?? 502, body: { message: "Server Error" } });
    const limited = this.faults.take("secondary-rate-limit", method, path);
    if (limited) {
      return this.reply(res, method, path, started, {
        status: limited.status ?? 403,
        headers: { "retry-after": String(limited.retryAfter ?? 1), "x-ratelimit-remaining": "4000" },
        body: {
          message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        },
      });
    }

    if (isGraphql) {
      if (method !== "POST") return this.reply(res, method, path, started, { status: 404, body: { message: "Not Found" } });
      const result = await this.graphql.run(body, auth.actor);
      return this.reply(res, method, path, started, { status: 200, body: result });
    }
    if (path === `/app/installations/${path.split("/")[3]}/access_tokens` && method === "POST") {
      const installationId = Number(path.split("/")[3]);
      if (![...this.state.orgs.values()].some((o) => o.installationId === installationId)) return this.reply(res, method, path, started, { status: 404, body: { message: "Not Found" } });
      const token = `ghs_${randomBytes(18).toString("hex")}`;
      const expiresAt = Date.now() + 3_600_000;
      this.tokens.set(token, { installationId, expiresAt });
      return this.reply(res, method, path, started, {
        status: 201,
        body: {
          token,
          expires_at: new Date(expiresAt).toISOString(),
          permissions: { checks: "write", contents: "write", issues: "write", pull_requests: "read", metadata: "read", members: "read", administration: "read", secret_scanning_alerts: "read" },
          repository_selection: "all",
        },
      });
    }
    if (path === "/app/hook/deliveries" && method === "GET") return this.reply(res, method, path, started, this.hookDeliveries(url.searchParams));
    const attempt = /^\/app\/hook\/deliveries\/(\d+)\/attempts$/.exec(path);
    if (attempt && method === "POST") return this.reply(res, method, path, started, this.redeliverAttempt(Number(attempt[1])));
    let response: RestResponse;
    try {
      response = this.rest.handle({ method, path, query: url.searchParams, body, headers: req.headers, actor: auth.actor });
      response = this.rest.withEtag({ method, path, query: url.searchParams, body, headers: req.headers, actor: auth.actor }, response);
    } catch (error) {
      response = { status: 500, body: { message: `sandbox: ${(error as Error).message}` } };
    }
    return this.reply(res, method, path, started, response);
  }

  /** Newest first, cursor-paged like GitHub (the cursor is opaque to the app). */
  private hookDeliveries(query: URLSearchParams): RestResponse {
    const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 30)));
    const offset = Number(query.get("cursor") ?? 0) || 0;
    const newestFirst = [...this.hookAttempts].reverse();
    const page = newestFirst.slice(offset, offset + perPage);
    const next = offset + perPage < newestFirst.length ? `<${this.apiUrl}/app/hook/deliveries?per_page=${perPage}&cursor=${offset + perPage}>; rel="next"` : null;
    return {
      status: 200,
      ...(next ? { headers: { link: next } } : {}),
      body: page.map((a) => ({
        id: a.id,
        guid: a.guid,
        delivered_at: a.deliveredAt,
        redelivery: a.redelivery,
        duration: Math.round(a.ms) / 1000,
        status: a.statusCode >= 200 && a.statusCode < 300 ? "OK" : a.statusCode === 0 ? "Timed out or connection refused" : `Invalid HTTP Response: ${a.statusCode}`,
        status_code: a.statusCode,
        event: a.event,
        action: a.action,
        installation_id: (a.payload.installation as { id?: number } | undefined)?.id ?? null,
        repository_id: (a.payload.repository as { id?: number } | undefined)?.id ?? null,
        throttled_at: null,
      })),
    };
  }

  /** GitHub's "Redeliver": accepted now, sent with the same guid right after. */
  private redeliverAttempt(id: number): RestResponse {
    const attempt = this.hookAttempts[id - 1];
    if (!attempt) return { status: 404, body: { message: "Not Found" } };
    this.redeliveryRequests.push(attempt.guid);
    this.track(this.send(attempt.event, attempt.payload, { id: attempt.guid }));
    return { status: 202, body: {} };
  }

  private reply(res: ServerResponse, method: string, path: string, started: number, response: RestResponse): void {
    const raw = response.raw && typeof response.body === "string";
    const payload = response.body === undefined ? "" : raw ? (response.body as string) : JSON.stringify(response.body);
    res.writeHead(response.status, {
      "content-type": raw ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
      "x-github-request-id": randomUUID(),
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-github-media-type": "github.v3; format=json",
      ...response.headers,
    });
    res.end(payload);
    this.requests.push({ method, path, status: response.status, ms: performance.now() - started });
    if (this.requests.length > 200_000) this.requests.splice(0, 100_000);
  }

  /** JWT for /app routes; an unexpired installation token for everything else. */
  private authenticate(req: IncomingMessage, method: string, path: string): { actor: string } | RestResponse {
    const header = String(req.headers.authorization ?? "");
    const credential = header.replace(/^(bearer|token)\s+/i, "");
    const unauthorized = (message: string): RestResponse => ({ status: 401, body: { message, documentation_url: "https://docs.github.com/rest" } });
    const appRoute = path === "/app" || path.startsWith("/app/");
    if (appRoute) {
      if (!this.verifyJwt(credential)) return unauthorized("A JSON web token could not be decoded");
      return { actor: this.state.app.slug };
    }
    const user = this.oauth.userTokens.get(credential);
    if (user) return { actor: user };
    const token = this.tokens.get(credential);
    if (!token || token.expiresAt < Date.now()) return unauthorized("Bad credentials");
    void method;
    return { actor: `${this.state.app.slug}[bot]` };
  }

  private verifyJwt(jwt: string): boolean {
    const parts = jwt.split(".");
    if (parts.length !== 3) return false;
    const [h, p, s] = parts as [string, string, string];
    try {
      const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as { alg?: string };
      if (header.alg !== "RS256") return false;
      if (!verify("RSA-SHA256", Buffer.from(`${h}.${p}`), this.publicKey, Buffer.from(s, "base64url"))) return false;
      const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as { iss?: string | number; exp?: number; iat?: number };
      const now = Math.floor(Date.now() / 1000);
      return String(claims.iss) === String(this.appId) && typeof claims.exp === "number" && claims.exp > now && (claims.iat ?? 0) <= now + 60;
    } catch {
      return false;
    }
  }
}
