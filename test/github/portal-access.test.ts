// The portal's GitHub adapters against GitHub's contract (nock + the OpenAPI/GraphQL hook):
// who may see an organization's evidence — read on its archive repository, or an active
// member of the auditors team, decided with the installation token — and sign-in with the
// OAuth web flow on a GitHub Enterprise host.

import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { GitHubPortal } from "../../src/github/portal/portal-access.js";
import { GitHubSignIn, githubUrls } from "../../src/github/portal/portal-sign-in.js";
import type { AppServices } from "../../src/triggers/services.js";

const API = "https://api.github.com";
const client = () => new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } });
const app = { auth: async () => client() } as never;
const services = { archiveDir: null, archiveFor: () => { throw new Error("not used"); } } as unknown as AppServices;

function installation(scope: nock.Scope): nock.Scope {
  return scope
    .get("/app/installations").query(true).reply(200, [{ id: 7, account: { login: "acme", id: 1, type: "Organization" }, target_type: "Organization", app_id: 1, app_slug: "soc2-guard", permissions: {}, events: [], repository_selection: "all", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", single_file_name: null, html_url: "https://github.com/organizations/acme/settings/installations/7", access_tokens_url: `${API}/app/installations/7/access_tokens`, repositories_url: `${API}/installation/repositories`, target_id: 1 }])
    .get("/repos/acme/.github/contents/.github%2Fsoc2-guard.yml").optionally().reply(404, { message: "Not Found" })
    .get(/\/repos\/acme\/[^/]+\/contents\/\.github%2Fsoc2-guard\.yml/).optionally().reply(404, { message: "Not Found" })
    .post("/graphql").optionally().reply(200, { data: { organization: null } });
}

const permission = (login: string, value: string) => ({ permission: value, role_name: value, user: { login, id: 9, node_id: "U", avatar_url: "", gravatar_id: "", url: "", html_url: "", followers_url: "", following_url: "", gists_url: "", starred_url: "", subscriptions_url: "", organizations_url: "", repos_url: "", events_url: "", received_events_url: "", type: "User", site_admin: false } });

afterEach(() => nock.cleanAll());

describe("GitHubPortal.canView", () => {
  it.each([
    { who: "a reader of the archive repository", perm: "read", team: null, allowed: true },
    { who: "a writer of the archive repository", perm: "write", team: null, allowed: true },
    { who: "an auditors team member without repository access", perm: "none", team: "active", allowed: true },
    { who: "a pending auditors team invitation", perm: "none", team: "pending", allowed: false },
    { who: "someone with neither", perm: "none", team: null, allowed: false },
  ])("$who → allowed $allowed", async ({ perm, team, allowed }) => {
    const scope = installation(nock(API));
    scope.get("/repos/acme/compliance-evidence/collaborators/avery/permission").reply(200, permission("avery", perm));
    if (perm === "none") {
      const t = scope.get("/orgs/acme/teams/auditors/memberships/avery");
      if (team) t.reply(200, { url: `${API}/teams/1/memberships/avery`, role: "member", state: team });
      else t.reply(404, { message: "Not Found" });
    }
    const portal = new GitHubPortal(app, services, { auditorsTeam: "auditors", webBase: "https://github.com" });
    expect((await portal.canView("acme", "avery")).allowed).toBe(allowed);
  });

  it("an organization the app is not installed on is refused without asking anything else", async () => {
    nock(API).get("/app/installations").query(true).reply(200, []);
    const portal = new GitHubPortal(app, services, { auditorsTeam: "auditors", webBase: "https://github.com" });
    expect(await portal.canView("globex", "avery")).toEqual({ allowed: false });
  });

  it("a GitHub error is not taken for a refusal or a grant: it fails", async () => {
    installation(nock(API)).get("/repos/acme/compliance-evidence/collaborators/avery/permission").reply(502, { message: "Server Error" });
    const portal = new GitHubPortal(app, services, { auditorsTeam: "auditors", webBase: "https://github.com" });
    await expect(portal.canView("acme", "avery")).rejects.toThrow();
  });
});

describe("GitHubPortal.exportedCommits", () => {
  const entry = (name: string, type: "dir" | "file") => {
    const path = `exports/${name}`;
    const url = `${API}/repos/acme/compliance-evidence/contents/${path}?ref=main`;
    return { type, size: 0, name, path, sha: "a".repeat(40), url, git_url: null, html_url: null, download_url: null, _links: { self: url, git: null, html: null } };
  };

  it("reads exports/ once and each month's snapshot.json: where its late pushes landed", async () => {
    const scope = installation(nock(API));
    scope.get("/repos/acme/compliance-evidence/contents/exports").query({ ref: "main" }).reply(200, [entry("2026-10", "dir"), entry("2026-11", "dir"), entry("README.md", "file")]);
    scope.get("/repos/acme/compliance-evidence/contents/exports%2F2026-11%2Fsnapshot.json").query({ ref: "main" }).reply(200, JSON.stringify({ periodCommits: { "acme/payments": { abc123: "2026-11-30T22:00:00.000Z" } } }));
    scope.get("/repos/acme/compliance-evidence/contents/exports%2F2026-10%2Fsnapshot.json").query({ ref: "main" }).reply(404, { message: "Not Found" });
    const portal = new GitHubPortal(app, services, { auditorsTeam: null, webBase: "https://github.com" });
    const commits = await portal.exportedCommits("acme");
    expect([...commits.keys()]).toEqual(["2026-11"]);
    expect(commits.get("2026-11")?.get("acme/payments")?.get("abc123")).toBe("2026-11-30T22:00:00.000Z");
    expect(scope.isDone()).toBe(true);
  });

  it("an archive with no exports yet places nothing", async () => {
    installation(nock(API)).get("/repos/acme/compliance-evidence/contents/exports").query({ ref: "main" }).reply(404, { message: "Not Found" });
    const portal = new GitHubPortal(app, services, { auditorsTeam: null, webBase: "https://github.com" });
    expect((await portal.exportedCommits("acme")).size).toBe(0);
  });
});

describe("GitHubSignIn on GitHub Enterprise", () => {
  it("sends the browser to the GHES authorize page and learns the login from the code", async () => {
    const urls = githubUrls({ GHE_HOST: "ghe.example.com" });
    expect(urls).toEqual({ webBase: "https://ghe.example.com", apiBase: "https://ghe.example.com/api/v3", graphqlUrl: "https://ghe.example.com/api/graphql" });
    const signIn = new GitHubSignIn({ clientId: "Iv1.abc", clientSecret: "s3cret", webBase: urls.webBase, graphqlUrl: urls.graphqlUrl });
    const to = new URL(signIn.authorizeUrl("st", "https://guard.example.com/soc2-guard/callback"));
    expect(`${to.origin}${to.pathname}`).toBe("https://ghe.example.com/login/oauth/authorize");
    expect(Object.fromEntries(to.searchParams)).toEqual({ client_id: "Iv1.abc", redirect_uri: "https://guard.example.com/soc2-guard/callback", state: "st", allow_signup: "false" });
    nock("https://ghe.example.com")
      .post("/login/oauth/access_token", (body: Record<string, string>) => body.code === "c0de" && body.client_secret === "s3cret")
      .reply(200, { access_token: "gho_x", token_type: "bearer", scope: "" })
      .post("/api/graphql", (body: { query: string }) => body.query.includes("viewer"))
      .matchHeader("authorization", "bearer gho_x")
      .reply(200, { data: { viewer: { login: "avery" } } });
    expect(await signIn.exchange("c0de", "https://guard.example.com/soc2-guard/callback")).toEqual({ login: "avery" });
  });

  it("a refused code signs nobody in", async () => {
    nock("https://ghe.example.com").post("/login/oauth/access_token").reply(200, { error: "bad_verification_code" });
    const signIn = new GitHubSignIn({ clientId: "Iv1.abc", clientSecret: "s3cret", webBase: "https://ghe.example.com", graphqlUrl: "https://ghe.example.com/api/graphql" });
    expect(await signIn.exchange("nope", "https://guard.example.com/soc2-guard/callback")).toBeNull();
  });
});
