// GitHub Enterprise's OAuth web flow for the sandbox's people: the authorize page (pick who
// you are — the sandbox has no passwords), codes bound to the client and redirect URI, the
// token endpoint, and user tokens the API then accepts as that person (GraphQL `viewer`).

import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SandboxState } from "./state.js";

interface PendingCode {
  login: string;
  clientId: string;
  redirectUri: string;
  expiresAt: number;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class SandboxOAuth {
  readonly clientId = `Iv1.${randomBytes(8).toString("hex")}`;
  readonly clientSecret = randomBytes(20).toString("hex");
  private readonly codes = new Map<string, PendingCode>();
  /** user token → login */
  readonly userTokens = new Map<string, string>();

  constructor(private readonly state: SandboxState) {}

  /** Answers /login/oauth/*; false for any other path. */
  async serve(req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<boolean> {
    const method = (req.method ?? "GET").toUpperCase();
    if (url.pathname === "/login/oauth/authorize" && method === "GET") {
      const clientId = url.searchParams.get("client_id") ?? "";
      const redirectUri = url.searchParams.get("redirect_uri") ?? "";
      const state = url.searchParams.get("state") ?? "";
      if (clientId !== this.clientId || !redirectUri) return this.html(res, 400, "<h1>Unknown application</h1>");
      const people = [...this.state.users.values()].filter((u) => u.type === "User").map((u) => u.login).sort();
      return this.html(
        res,
        200,
        `<h1>Sign in to the sandbox GitHub</h1><p>soc2-guard (the app) wants to know who you are. The sandbox has no passwords: choose a person.</p>
<form method="post" action="/login/oauth/authorize"><input type="hidden" name="client_id" value="${esc(clientId)}"><input type="hidden" name="redirect_uri" value="${esc(redirectUri)}"><input type="hidden" name="state" value="${esc(state)}">
<label>Sign in as <select name="login">${people.map((p) => `<option>${esc(p)}</option>`).join("")}</select></label> <button type="submit">Authorize soc2-guard</button></form>`,
      );
    }
    if (url.pathname === "/login/oauth/authorize" && method === "POST") {
      const form = new URLSearchParams(body);
      const login = form.get("login") ?? "";
      if (form.get("client_id") !== this.clientId || !this.state.users.has(login)) return this.html(res, 400, "<h1>Refused</h1>");
      const code = randomBytes(10).toString("hex");
      const redirectUri = form.get("redirect_uri") ?? "";
      this.codes.set(code, { login, clientId: this.clientId, redirectUri, expiresAt: Date.now() + 600_000 });
      const to = new URL(redirectUri);
      to.searchParams.set("code", code);
      to.searchParams.set("state", form.get("state") ?? "");
      res.writeHead(302, { location: to.toString() }).end();
      return true;
    }
    if (url.pathname === "/login/oauth/access_token" && method === "POST") {
      const params = (req.headers["content-type"] ?? "").includes("json") ? new Map(Object.entries(JSON.parse(body || "{}") as Record<string, string>)) : new Map(new URLSearchParams(body));
      const code = this.codes.get(params.get("code") ?? "");
      const fail = (error: string) => this.json(res, 200, { error, error_description: error });
      if (params.get("client_id") !== this.clientId || params.get("client_secret") !== this.clientSecret) return fail("incorrect_client_credentials");
      if (!code || code.expiresAt < Date.now()) return fail("bad_verification_code");
      if (params.get("redirect_uri") && params.get("redirect_uri") !== code.redirectUri) return fail("redirect_uri_mismatch");
      this.codes.delete(params.get("code")!);
      const token = `gho_${randomBytes(18).toString("hex")}`;
      this.userTokens.set(token, code.login);
      return this.json(res, 200, { access_token: token, token_type: "bearer", scope: "" });
    }
    return false;
  }

  private html(res: ServerResponse, status: number, body: string): true {
    res.writeHead(status, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sandbox GitHub</title></head><body style="font-family:system-ui;max-width:40rem;margin:3rem auto">${body}</body></html>`);
    return true;
  }

  private json(res: ServerResponse, status: number, body: unknown): true {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
    return true;
  }
}
