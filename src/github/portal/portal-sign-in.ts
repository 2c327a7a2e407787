// Sign-in with GitHub for the portal: the OAuth web flow with the app's client id and
// secret, on github.com or a GitHub Enterprise Server (web and API base URLs derived from
// GHE_HOST / GHE_PROTOCOL as Probot derives them). It asks for no scope: the portal needs
// only who you are (GraphQL `viewer`), and keeps no token.

import type { SignIn } from "../../web/ports.js";

export interface GitHubSignInOptions {
  clientId: string;
  clientSecret: string;
  /** e.g. https://github.com or https://ghe.acme.com */
  webBase: string;
  /** GraphQL endpoint: https://api.github.com/graphql or https://ghe.acme.com/api/graphql */
  graphqlUrl: string;
  fetch?: typeof fetch;
}

/** github.com, or GHES at GHE_HOST (protocol GHE_PROTOCOL, default https). */
export function githubUrls(env: Record<string, string | undefined>): { webBase: string; apiBase: string; graphqlUrl: string } {
  if (env.GHE_HOST) {
    const web = `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}`;
    return { webBase: web, apiBase: `${web}/api/v3`, graphqlUrl: `${web}/api/graphql` };
  }
  return { webBase: "https://github.com", apiBase: "https://api.github.com", graphqlUrl: "https://api.github.com/graphql" };
}

export class GitHubSignIn implements SignIn {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: GitHubSignInOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  authorizeUrl(state: string, redirectUri: string): string {
    const q = new URLSearchParams({ client_id: this.options.clientId, redirect_uri: redirectUri, state, allow_signup: "false" });
    return `${this.options.webBase.replace(/\/$/, "")}/login/oauth/authorize?${q}`;
  }

  async exchange(code: string, redirectUri: string): Promise<{ login: string } | null> {
    const tokenResponse = await this.fetch(`${this.options.webBase.replace(/\/$/, "")}/login/oauth/access_token`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify({ client_id: this.options.clientId, client_secret: this.options.clientSecret, code, redirect_uri: redirectUri }),
    });
    if (!tokenResponse.ok) return null;
    const token = ((await tokenResponse.json()) as { access_token?: string }).access_token;
    if (!token) return null;
    const viewer = await this.fetch(this.options.graphqlUrl, {
      method: "POST",
      headers: { authorization: `bearer ${token}`, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query: "query { viewer { login } }" }),
    });
    if (!viewer.ok) return null;
    const login = ((await viewer.json()) as { data?: { viewer?: { login?: string } } }).data?.viewer?.login;
    return typeof login === "string" && login ? { login } : null;
  }
}
