// The REST endpoints soc2-guard sends (grep `gh.request(` / `paginate(` in src/github),
// plus the git data API for the archive repository, over the sandbox's state.

import { createHash } from "node:crypto";
import type { SandboxState, Repo, Ruleset } from "./state.js";
import type { Shapes } from "./shapes.js";
import { RefUpdateConflict } from "./git.js";

export interface RestRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  /** The authenticated actor: the app (JWT), or its installation bot. */
  actor: string;
}

export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send `body` as text (raw media type). */
  raw?: boolean;
}

type Handler = (req: RestRequest, params: string[]) => RestResponse;

const notFound = (): RestResponse => ({ status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } });
const unprocessable = (message: string): RestResponse => ({ status: 422, body: { message, documentation_url: "https://docs.github.com/rest" } });

export class SandboxRest {
  private readonly routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];
  /** Hook for ref updates through PATCH git/refs (fault injection moves the branch first). */
  beforeRefUpdate: (repo: Repo, branch: string) => void = () => undefined;

  constructor(
    private readonly state: SandboxState,
    private readonly shapes: Shapes,
  ) {
    const R = "/repos/([^/]+)/([^/]+)";
    this.on("GET", "/app", () => ({ status: 200, body: this.shapes.integration(this.state.app) }));
    this.on("GET", "/app/installations", () => ({
      status: 200,
      body: [...this.state.orgs.values()].map((o) => ({
        id: o.installationId,
        account: this.shapes.orgUser(o.login),
        target_type: "Organization",
        app_id: this.state.app.id,
        app_slug: this.state.app.slug,
        permissions: {},
        events: [],
        repository_selection: "all",
      })),
    }));
    this.on("GET", `${R}`, (_r, [o, n]) => this.withRepo(o, n, (repo) => ({ status: 200, body: this.shapes.fullRepository(repo) })));
    this.on("GET", `${R}/contents/(.+)`, (req, [o, n, p]) => this.withRepo(o, n, (repo) => this.contents(req, repo, p!)));
    this.on("GET", `${R}/pulls`, (req, [o, n]) => this.withRepo(o, n, (repo) => this.listPulls(req, repo)));
    this.on("GET", `${R}/pulls/(\\d+)`, (_r, [o, n, num]) => this.withPull(o, n, num, (repo, pr) => ({ status: 200, body: this.shapes.pullRequest(repo, pr) })));
    this.on("GET", `${R}/pulls/(\\d+)/files`, (req, [o, n, num]) => this.withPull(o, n, num, (repo, pr) => this.page(req, this.shapes.pullFiles(repo, pr))));
    this.on("GET", `${R}/pulls/(\\d+)/commits`, (req, [o, n, num]) => this.withPull(o, n, num, (repo, pr) => this.page(req, this.state.pullCommits(repo, pr).map((c) => this.shapes.commit(repo, c.sha)))));
    this.on("GET", `${R}/commits/([^/]+)/pulls`, (req, [o, n, sha]) => this.withRepo(o, n, (repo) => this.pullsForCommit(req, repo, sha!)));
    this.on("GET", `${R}/commits`, (req, [o, n]) => this.withRepo(o, n, (repo) => this.listCommits(req, repo)));
    this.on("GET", `${R}/commits/([^/]+)/check-runs`, (req, [o, n, ref]) =>
      this.withRepo(o, n, (repo) => {
        const sha = repo.git.refs.get(ref!) ?? ref!;
        const name = req.query.get("check_name");
        const runs = repo.checkRuns.filter((r) => r.headSha === sha && (name === null || r.name === name)).map((r) => this.shapes.checkRun(repo, r));
        return { status: 200, body: { total_count: runs.length, check_runs: runs } };
      }),
    );
    this.on("GET", `${R}/compare/(.+)`, (req, [o, n, bh]) => this.withRepo(o, n, (repo) => this.compare(req, repo, bh!)));
    this.on("GET", `${R}/collaborators/([^/]+)/permission`, (_r, [o, n, u]) =>
      this.withRepo(o, n, (repo) => {
        const permission = this.state.permission(repo, u!);
        const legacy = permission === "maintain" ? "write" : permission === "triage" ? "read" : permission;
        return { status: 200, body: { permission: legacy, role_name: permission, user: { ...this.shapes.user(u!), role_name: permission } } };
      }),
    );
    this.on("GET", "/orgs/([^/]+)/teams/([^/]+)/memberships/([^/]+)", (_r, [org, slug, login]) => {
      const team = this.state.org(org!)?.teams.get(slug!);
      if (!team?.members.includes(login!)) return notFound();
      return { status: 200, body: { url: `${this.shapes.apiUrl}/teams/${team.id}/memberships/${login}`, role: "member", state: "active" } };
    });
    this.on("GET", "/orgs/([^/]+)/teams/([^/]+)/members", (req, [org, slug]) => {
      const team = this.state.org(org!)?.teams.get(slug!);
      return team ? this.page(req, team.members.map((m) => this.shapes.user(m))) : notFound();
    });
    this.on("GET", "/orgs/([^/]+)", (_r, [org]) => {
      const o = this.state.org(org!);
      if (!o) return notFound();
      return {
        status: 200,
        body: {
          ...this.shapes.orgUser(o.login),
          repos_url: `${this.shapes.apiUrl}/orgs/${o.login}/repos`,
          hooks_url: `${this.shapes.apiUrl}/orgs/${o.login}/hooks`,
          issues_url: `${this.shapes.apiUrl}/orgs/${o.login}/issues`,
          members_url: `${this.shapes.apiUrl}/orgs/${o.login}/members{/member}`,
          public_members_url: `${this.shapes.apiUrl}/orgs/${o.login}/public_members{/member}`,
          description: null,
          has_organization_projects: false,
          has_repository_projects: false,
          public_repos: 0,
          public_gists: 0,
          followers: 0,
          following: 0,
          created_at: "2026-01-01T00:00:00Z",
          updated_at: "2026-01-01T00:00:00Z",
          archived_at: null,
          two_factor_requirement_enabled: true,
        },
      };
    });
    this.on("GET", "/orgs/([^/]+)/repos", (req, [org]) => this.page(req, [...this.state.repos.values()].filter((r) => r.owner.toLowerCase() === org!.toLowerCase()).map((r) => this.shapes.repository(r))));
    this.on("GET", "/orgs/([^/]+)/members", (req, [org]) => {
      const o = this.state.org(org!);
      if (!o) return notFound();
      const role = req.query.get("role");
      return this.page(req, [...o.members].filter((m) => role !== "admin" || o.admins.has(m)).map((m) => this.shapes.user(m)));
    });
    this.on("GET", "/orgs/([^/]+)/outside_collaborators", (req) => this.page(req, []));
    this.on("GET", `${R}/rules/branches/(.+)`, (req, [o, n, branch]) => this.withRepo(o, n, (repo) => this.page(req, this.branchRules(repo, branch!))));
    this.on("GET", `${R}/rulesets/(\\d+)`, (_r, [o, n, id]) =>
      this.withRepo(o, n, (repo) => {
        const ruleset = repo.rulesets.find((r) => r.id === Number(id));
        return ruleset ? { status: 200, body: this.ruleset(repo, ruleset) } : notFound();
      }),
    );
    this.on("GET", `${R}/secret-scanning/alerts`, (req, [o, n]) =>
      this.withRepo(o, n, (repo) => {
        const state = req.query.get("state");
        return this.page(
          req,
          repo.secretAlerts
            .filter((a) => !state || a.state === state)
            .map((a) => ({
              number: a.number,
              created_at: a.createdAt,
              url: `${this.shapes.apiUrl}/repos/${repo.owner}/${repo.name}/secret-scanning/alerts/${a.number}`,
              html_url: `${this.shapes.webUrl}/${repo.owner}/${repo.name}/security/secret-scanning/${a.number}`,
              locations_url: `${this.shapes.apiUrl}/repos/${repo.owner}/${repo.name}/secret-scanning/alerts/${a.number}/locations`,
              state: a.state,
              secret_type: a.secretType,
              secret_type_display_name: a.secretType,
            })),
        );
      }),
    );
    this.on("POST", `${R}/check-runs`, (req, [o, n]) => this.withRepo(o, n, (repo) => this.createCheckRun(req, repo)));
    this.on("PATCH", `${R}/check-runs/(\\d+)`, (req, [o, n, id]) => this.withRepo(o, n, (repo) => this.updateCheckRun(req, repo, Number(id))));
    this.on("GET", `${R}/check-runs/(\\d+)`, (_r, [o, n, id]) =>
      this.withRepo(o, n, (repo) => {
        const run = repo.checkRuns.find((r) => r.id === Number(id));
        return run ? { status: 200, body: this.shapes.checkRun(repo, run) } : notFound();
      }),
    );
    this.on("GET", `${R}/check-runs/(\\d+)/annotations`, (req, [o, n, id]) =>
      this.withRepo(o, n, (repo) => {
        const run = repo.checkRuns.find((r) => r.id === Number(id));
        return run ? this.page(req, run.output.annotations.map((a) => ({ blob_href: "", start_column: null, end_column: null, raw_details: null, title: null, ...a }))) : notFound();
      }),
    );
    this.on("GET", `${R}/issues`, (req, [o, n]) => this.withRepo(o, n, (repo) => this.listIssues(req, repo)));
    this.on("POST", `${R}/issues`, (req, [o, n]) =>
      this.withRepo(o, n, (repo) => {
        if (typeof req.body.title !== "string" || !req.body.title) return unprocessable("title is required");
        const issue = this.state.createIssue(repo, { title: req.body.title, body: String(req.body.body ?? ""), labels: ((req.body.labels as unknown[]) ?? []).map(String), user: req.actor });
        return { status: 201, body: this.shapes.issue(repo, issue) };
      }),
    );
    this.on("GET", `${R}/issues/(\\d+)`, (_r, [o, n, num]) => this.withIssue(o, n, num, (repo, issue) => ({ status: 200, body: this.shapes.issue(repo, issue) })));
    this.on("PATCH", `${R}/issues/(\\d+)`, (req, [o, n, num]) =>
      this.withIssue(o, n, num, (repo, issue) => {
        const b = req.body;
        if (typeof b.title === "string") issue.title = b.title;
        if (typeof b.body === "string") issue.body = b.body;
        if (Array.isArray(b.labels)) issue.labels = b.labels.map(String);
        if (b.state === "closed" && issue.state === "open") Object.assign(issue, { state: "closed", closedAt: this.state.now(), stateReason: (b.state_reason as string) ?? "completed" });
        if (b.state === "open" && issue.state === "closed") Object.assign(issue, { state: "open", closedAt: null, stateReason: "reopened" });
        issue.updatedAt = this.state.now();
        return { status: 200, body: this.shapes.issue(repo, issue) };
      }),
    );
    this.on("POST", `${R}/issues/(\\d+)/comments`, (req, [o, n, num]) =>
      this.withIssue(o, n, num, (repo, issue) => {
        const viaApp = req.actor.endsWith("[bot]") ? req.actor.slice(0, -"[bot]".length) : null;
        const comment = this.state.commentOn(repo, issue.number, req.actor, String(req.body.body ?? ""), viaApp);
        return { status: 201, body: this.shapes.issueComment(repo, issue, comment) };
      }),
    );
    this.on("GET", `${R}/issues/(\\d+)/comments`, (req, [o, n, num]) => this.withIssue(o, n, num, (repo, issue) => this.page(req, issue.comments.map((c) => this.shapes.issueComment(repo, issue, c)))));
    this.on("PUT", `${R}/issues/(\\d+)/lock`, (_r, [o, n, num]) =>
      this.withIssue(o, n, num, (_repo, issue) => {
        issue.locked = true;
        return { status: 204, body: null };
      }),
    );
    this.on("DELETE", `${R}/issues/(\\d+)/lock`, (_r, [o, n, num]) =>
      this.withIssue(o, n, num, (_repo, issue) => {
        issue.locked = false;
        return { status: 204, body: null };
      }),
    );
    this.on("POST", `${R}/labels`, (req, [o, n]) =>
      this.withRepo(o, n, (repo) => {
        const name = String(req.body.name ?? "");
        if (!name || repo.labels.has(name)) return unprocessable("Validation Failed");
        repo.labels.set(name, { id: this.state.id(), color: String(req.body.color ?? "ededed"), description: (req.body.description as string) ?? null });
        return { status: 201, body: this.shapes.label(repo, name) };
      }),
    );
    this.on("GET", "/search/issues", (req) => this.searchIssues(req));
    // Git data API (the archive repository; the app itself writes with createCommitOnBranch).
    this.on("GET", `${R}/git/commits/([0-9a-f]{40})`, (_r, [o, n, sha]) => this.withRepo(o, n, (repo) => (repo.git.commit(sha!) ? { status: 200, body: this.shapes.gitCommit(repo, sha!) } : notFound())));
    this.on("GET", `${R}/git/trees/([0-9a-f]{40})`, (_r, [o, n, sha]) => this.withRepo(o, n, (repo) => this.tree(repo, sha!)));
    this.on("GET", `${R}/git/blobs/([0-9a-f]{40})`, (_r, [o, n, sha]) =>
      this.withRepo(o, n, (repo) => {
        const text = repo.git.blobs.get(sha!);
        if (text === undefined) return notFound();
        return { status: 200, body: { sha, node_id: this.shapes.nodeId("Blob", 1), size: Buffer.byteLength(text), url: `${this.shapes.apiUrl}/repos/${repo.owner}/${repo.name}/git/blobs/${sha}`, content: Buffer.from(text).toString("base64"), encoding: "base64" } };
      }),
    );
    this.on("POST", `${R}/git/blobs`, (req, [o, n]) =>
      this.withRepo(o, n, (repo) => {
        const text = req.body.encoding === "base64" ? Buffer.from(String(req.body.content ?? ""), "base64").toString("utf8") : String(req.body.content ?? "");
        const sha = repo.git.putBlob(text);
        return { status: 201, body: { sha, url: `${this.shapes.apiUrl}/repos/${repo.owner}/${repo.name}/git/blobs/${sha}` } };
      }),
    );
    this.on("POST", `${R}/git/trees`, (req, [o, n]) =>
      this.withRepo(o, n, (repo) => {
        const baseTree = typeof req.body.base_tree === "string" ? req.body.base_tree : null;
        const files = new Map<string, string>();
        if (baseTree) {
          const entries = repo.git.trees.get(baseTree);
          if (!entries) return unprocessable("base_tree is not a valid tree");
          for (const [p, b] of entries) files.set(p, repo.git.blobs.get(b) ?? "");
        }
        for (const e of (req.body.tree as Array<{ path: string; sha?: string | null; content?: string }>) ?? []) {
          if (e.content !== undefined) files.set(e.path, e.content);
          else if (e.sha === null) files.delete(e.path);
          else if (e.sha && repo.git.blobs.has(e.sha)) files.set(e.path, repo.git.blobs.get(e.sha)!);
          else return unprocessable(`tree.sha ${e.sha} is not a valid blob`);
        }
        return this.tree(repo, repo.git.putFiles(files), 201);
      }),
    );
    this.on("POST", `${R}/git/commits`, (req, [o, n]) =>
      this.withRepo(o, n, (repo) => {
        const tree = String(req.body.tree ?? "");
        if (!repo.git.trees.has(tree)) return unprocessable("Tree SHA does not exist");
        const parents = ((req.body.parents as string[]) ?? []).map(String);
        if (parents.some((p) => !repo.git.commit(p))) return unprocessable("Parent SHA does not exist or is not a commit object");
        const sha = repo.git.putCommit({ tree, parents, message: String(req.body.message ?? ""), author: this.state.identity(req.actor) });
        return { status: 201, body: this.shapes.gitCommit(repo, sha) };
      }),
    );
    this.on("GET", `${R}/git/ref/heads/(.+)`, (_r, [o, n, branch]) => this.withRepo(o, n, (repo) => this.refBody(repo, branch!)));
    // Octokit sends the {ref} parameter URL-encoded (heads%2Fmain), as GitHub accepts it.
    this.on("GET", `${R}/git/ref/heads%2F(.+)`, (_r, [o, n, branch]) => this.withRepo(o, n, (repo) => this.refBody(repo, decodeURIComponent(branch!))));
    this.on("POST", `${R}/git/refs`, (req, [o, n]) =>
      this.withRepo(o, n, (repo) => {
        const ref = String(req.body.ref ?? "");
        if (!ref.startsWith("refs/heads/")) return unprocessable("Reference name must start with refs/heads/");
        const branch = ref.slice("refs/heads/".length);
        if (repo.git.refs.has(branch)) return unprocessable("Reference already exists");
        if (!repo.git.commit(String(req.body.sha))) return unprocessable("Object does not exist");
        repo.git.updateRef(branch, String(req.body.sha), { force: true });
        return { ...this.refBody(repo, branch), status: 201 };
      }),
    );
    this.on("PATCH", `${R}/git/refs/heads/(.+)`, (req, [o, n, branch]) =>
      this.withRepo(o, n, (repo) => {
        if (!repo.git.refs.has(branch!)) return unprocessable("Reference does not exist");
        const sha = String(req.body.sha ?? "");
        if (!repo.git.commit(sha)) return unprocessable("Object does not exist");
        this.beforeRefUpdate(repo, branch!);
        try {
          repo.git.updateRef(branch!, sha, { force: req.body.force === true });
        } catch (error) {
          if (error instanceof RefUpdateConflict) return unprocessable("Update is not a fast forward");
          throw error;
        }
        return this.refBody(repo, branch!);
      }),
    );
  }

  private on(method: string, pattern: string, handler: Handler): void {
    this.routes.push({ method, pattern: new RegExp(`^${pattern}$`), handler });
  }

  handle(req: RestRequest): RestResponse {
    for (const route of this.routes) {
      if (route.method !== req.method) continue;
      const m = route.pattern.exec(req.path);
      if (m) return route.handler(req, m.slice(1).map((s) => decodeURIComponent(s)));
    }
    return notFound();
  }

  /** Is this method and path one the sandbox serves? (for the contract tests) */
  serves(method: string, path: string): boolean {
    return this.routes.some((r) => r.method === method && r.pattern.test(path));
  }

  private withRepo(owner: string | undefined, name: string | undefined, fn: (repo: Repo) => RestResponse): RestResponse {
    const repo = owner && name ? this.state.repo(owner, name) : undefined;
    return repo ? fn(repo) : notFound();
  }

  private withPull(owner: string | undefined, name: string | undefined, num: string | undefined, fn: (repo: Repo, pr: import("./state.js").PullRequest) => RestResponse): RestResponse {
    return this.withRepo(owner, name, (repo) => {
      const pr = repo.pulls.get(Number(num));
      return pr ? fn(repo, pr) : notFound();
    });
  }

  private withIssue(owner: string | undefined, name: string | undefined, num: string | undefined, fn: (repo: Repo, issue: import("./state.js").Issue) => RestResponse): RestResponse {
    return this.withRepo(owner, name, (repo) => {
      const issue = repo.issues.get(Number(num));
      return issue ? fn(repo, issue) : notFound();
    });
  }

  /** GitHub's page/per_page pagination with a Link header. */
  private page(req: RestRequest, items: unknown[]): RestResponse {
    const perPage = Math.min(100, Math.max(1, Number(req.query.get("per_page") ?? 30)));
    const page = Math.max(1, Number(req.query.get("page") ?? 1));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const headers: Record<string, string> = {};
    if (page < last) {
      const link = (p: number) => {
        const q = new URLSearchParams(req.query);
        q.set("page", String(p));
        return `${this.shapes.apiUrl}${req.path}?${q.toString()}`;
      };
      headers.link = `<${link(page + 1)}>; rel="next", <${link(last)}>; rel="last"`;
    }
    return { status: 200, body: slice, headers };
  }

  private contents(req: RestRequest, repo: Repo, path: string): RestResponse {
    const ref = req.query.get("ref");
    const sha = ref ? (repo.git.refs.get(ref.replace(/^refs\/heads\//, "")) ?? ref) : repo.git.refs.get(repo.defaultBranch)!;
    const file = repo.git.commit(sha) ? repo.git.file(sha, path) : null;
    if (!file) return repo.git.commit(sha) ? this.directory(repo, sha, path) : notFound();
    const accept = String(req.headers.accept ?? "");
    if (accept.includes("raw")) return { status: 200, body: file.text, raw: true };
    const url = `${this.shapes.apiUrl}/repos/${repo.owner}/${repo.name}/contents/${path}?ref=${sha}`;
    return {
      status: 200,
      body: {
        type: "file",
        encoding: "base64",
        size: Buffer.byteLength(file.text),
        name: path.split("/").pop(),
        path,
        content: Buffer.from(file.text).toString("base64"),
        sha: file.sha,
        url,
        git_url: `${this.shapes.apiUrl}/repos/${repo.owner}/${repo.name}/git/blobs/${file.sha}`,
        html_url: `${this.shapes.webUrl}/${repo.owner}/${repo.name}/blob/${sha}/${path}`,
        download_url: `${this.shapes.webUrl}/${repo.owner}/${repo.name}/raw/${sha}/${path}`,
        _links: { self: url, git: `${this.shapes.apiUrl}/repos/${repo.owner}/${repo.name}/git/blobs/${file.sha}`, html: `${this.shapes.webUrl}/${repo.owner}/${repo.name}/blob/${sha}/${path}` },
      },
    };
  }

  /** A directory's entries, as the contents API lists them (the export reads day shards this way). */
  private directory(repo: Repo, sha: string, path: string): RestResponse {
    const prefix = `${path.replace(/\/$/, "")}/`;
    const entries = new Map<string, { type: "file" | "dir"; sha: string; size: number }>();
    for (const [p, text] of repo.git.files(sha)) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const name = rest.split("/")[0]!;
      if (rest.includes("/")) entries.set(name, { type: "dir", sha: "0".repeat(40), size: 0 });
      else entries.set(name, { type: "file", sha: repo.git.file(sha, p)!.sha, size: Buffer.byteLength(text) });
    }
    if (entries.size === 0) return notFound();
    const base = `${repo.owner}/${repo.name}`;
    return {
      status: 200,
      body: [...entries].sort(([a], [b]) => a.localeCompare(b)).map(([name, e]) => {
        const entryPath = `${prefix}${name}`;
        const url = `${this.shapes.apiUrl}/repos/${base}/contents/${entryPath}?ref=${sha}`;
        const git = `${this.shapes.apiUrl}/repos/${base}/git/${e.type === "file" ? "blobs" : "trees"}/${e.sha}`;
        const html = `${this.shapes.webUrl}/${base}/${e.type === "file" ? "blob" : "tree"}/${sha}/${entryPath}`;
        return { type: e.type, size: e.size, name, path: entryPath, sha: e.sha, url, git_url: git, html_url: html, download_url: e.type === "file" ? `${this.shapes.webUrl}/${base}/raw/${sha}/${entryPath}` : null, _links: { self: url, git, html } };
      }),
    };
  }

  private listPulls(req: RestRequest, repo: Repo): RestResponse {
    const state = req.query.get("state") ?? "open";
    let pulls = [...repo.pulls.values()].filter((p) => state === "all" || p.state === state);
    const sort = req.query.get("sort") ?? "created";
    const key = (p: (typeof pulls)[number]) => (sort === "updated" ? p.updatedAt : p.createdAt);
    pulls = pulls.sort((a, b) => key(a).localeCompare(key(b)) || a.number - b.number);
    if ((req.query.get("direction") ?? (sort === "created" ? "desc" : "desc")) === "desc") pulls.reverse();
    return this.page(req, pulls.map((p) => this.shapes.pullRequestSimple(repo, p)));
  }

  private pullsForCommit(req: RestRequest, repo: Repo, sha: string): RestResponse {
    const resolved = repo.git.refs.get(sha) ?? sha;
    if (!repo.git.commit(resolved)) return { status: 422, body: { message: `No commit found for SHA: ${sha}`, documentation_url: "https://docs.github.com/rest" } };
    const pulls = [...repo.pulls.values()].filter(
      (p) => p.mergeCommitSha === resolved || this.state.headSha(repo, p) === resolved || this.state.pullCommits(repo, p).some((c) => c.sha === resolved),
    );
    return this.page(req, pulls.map((p) => this.shapes.pullRequestSimple(repo, p)));
  }

  private listCommits(req: RestRequest, repo: Repo): RestResponse {
    const from = req.query.get("sha") ?? repo.defaultBranch;
    const head = repo.git.refs.get(from) ?? from;
    if (!repo.git.commit(head)) return notFound();
    const since = req.query.get("since");
    // Reverse chronological along the history, like `git log`.
    const list = [...repo.git.ancestors(head)]
      .map((s) => repo.git.commit(s)!)
      .filter((c) => !since || c.committer.date >= since)
      .sort((a, b) => b.committer.date.localeCompare(a.committer.date));
    return this.page(req, list.map((c) => this.shapes.commit(repo, c.sha)));
  }

  private compare(req: RestRequest, repo: Repo, basehead: string): RestResponse {
    const [baseName, headName] = basehead.split("...");
    const resolve = (x: string | undefined) => (x ? (repo.git.refs.get(x) ?? (repo.git.commit(x) ? x : null)) : null);
    const base = resolve(baseName);
    const head = resolve(headName);
    if (!base || !head) return notFound();
    const mergeBase = repo.git.mergeBase(base, head) ?? base;
    const ahead = repo.git.between(base, head);
    const behind = repo.git.between(head, base);
    const status = ahead.length === 0 && behind.length === 0 ? "identical" : behind.length === 0 ? "ahead" : ahead.length === 0 ? "behind" : "diverged";
    const full = `${repo.owner}/${repo.name}`;
    return this.withEtag(req, {
      status: 200,
      body: {
        url: `${this.shapes.apiUrl}/repos/${full}/compare/${basehead}`,
        html_url: `${this.shapes.webUrl}/${full}/compare/${basehead}`,
        permalink_url: `${this.shapes.webUrl}/${full}/compare/${basehead}`,
        diff_url: `${this.shapes.webUrl}/${full}/compare/${basehead}.diff`,
        patch_url: `${this.shapes.webUrl}/${full}/compare/${basehead}.patch`,
        base_commit: this.shapes.commit(repo, base),
        merge_base_commit: this.shapes.commit(repo, mergeBase),
        status,
        ahead_by: ahead.length,
        behind_by: behind.length,
        total_commits: ahead.length,
        commits: ahead.map((c) => this.shapes.commit(repo, c.sha)),
        files: this.shapes.diff(repo, mergeBase, head),
      },
    });
  }

  private branchRules(repo: Repo, branch: string): unknown[] {
    const out: unknown[] = [];
    for (const ruleset of this.state.rulesetsFor(repo, branch)) {
      for (const rule of ruleset.rules) {
        out.push({ ...rule, ruleset_source_type: "Repository", ruleset_source: `${repo.owner}/${repo.name}`, ruleset_id: ruleset.id });
      }
    }
    return out;
  }

  private ruleset(repo: Repo, r: Ruleset): Record<string, unknown> {
    const url = `${this.shapes.apiUrl}/repos/${repo.owner}/${repo.name}/rulesets/${r.id}`;
    return {
      id: r.id,
      name: r.name,
      target: "branch",
      source_type: "Repository",
      source: `${repo.owner}/${repo.name}`,
      enforcement: r.enforcement,
      bypass_actors: r.bypassActors,
      current_user_can_bypass: "never",
      node_id: this.shapes.nodeId("RepositoryRuleset", r.id),
      _links: { self: { href: url }, html: { href: `${this.shapes.webUrl}/${repo.owner}/${repo.name}/rules/${r.id}` } },
      conditions: { ref_name: { include: r.include, exclude: [] } },
      rules: r.rules,
      created_at: r.createdAt,
      updated_at: r.createdAt,
    };
  }

  private createCheckRun(req: RestRequest, repo: Repo): RestResponse {
    const b = req.body;
    const headSha = String(b.head_sha ?? "");
    if (typeof b.name !== "string" || !repo.git.commit(headSha)) return unprocessable("No commit found for SHA");
    const output = b.output as { title?: string; summary?: string; text?: string; annotations?: Array<Record<string, unknown>> } | undefined;
    const run = this.state.createCheckRun(repo, this.state.app, {
      name: b.name,
      headSha,
      status: (b.status as "queued" | "in_progress" | "completed" | undefined) ?? "queued",
      conclusion: (b.conclusion as string | undefined) ?? null,
      externalId: (b.external_id as string | undefined) ?? null,
      detailsUrl: (b.details_url as string | undefined) ?? null,
      ...(typeof b.started_at === "string" ? { startedAt: b.started_at } : {}),
      ...(typeof b.completed_at === "string" ? { completedAt: b.completed_at } : {}),
      ...(output ? { output: { title: output.title ?? null, summary: output.summary ?? null, text: output.text ?? null, annotations: output.annotations ?? [] } } : {}),
    });
    return { status: 201, body: this.shapes.checkRun(repo, run) };
  }

  private updateCheckRun(req: RestRequest, repo: Repo, id: number): RestResponse {
    const run = repo.checkRuns.find((r) => r.id === id);
    if (!run || run.app.id !== this.state.app.id) return notFound();
    const b = req.body;
    const output = b.output as { title?: string; summary?: string; text?: string; annotations?: Array<Record<string, unknown>> } | undefined;
    this.state.updateCheckRun(repo, run, {
      ...(typeof b.status === "string" ? { status: b.status as "queued" | "in_progress" | "completed" } : {}),
      ...(typeof b.conclusion === "string" ? { conclusion: b.conclusion } : {}),
      ...(typeof b.completed_at === "string" ? { completedAt: b.completed_at } : {}),
      ...(typeof b.external_id === "string" ? { externalId: b.external_id } : {}),
      ...(output ? { output: { ...(output.title !== undefined ? { title: output.title } : {}), ...(output.summary !== undefined ? { summary: output.summary } : {}), ...(output.text !== undefined ? { text: output.text } : {}), ...(output.annotations ? { annotations: output.annotations } : {}) } } : {}),
    });
    return { status: 200, body: this.shapes.checkRun(repo, run) };
  }

  private listIssues(req: RestRequest, repo: Repo): RestResponse {
    const state = req.query.get("state") ?? "open";
    const labels = (req.query.get("labels") ?? "").split(",").filter(Boolean);
    const issues = [...repo.issues.values()]
      .filter((i) => state === "all" || i.state === state)
      .filter((i) => labels.every((l) => i.labels.includes(l)))
      .sort((a, b) => b.number - a.number);
    return this.withEtag(req, this.page(req, issues.map((i) => this.shapes.issue(repo, i))));
  }

  private searchIssues(req: RestRequest): RestResponse {
    const q = req.query.get("q") ?? "";
    const terms = q.split(/\s+/);
    const repoTerm = terms.find((t) => t.startsWith("repo:"))?.slice(5);
    const sha = terms.find((t) => t.startsWith("sha:"))?.slice(4);
    const repo = repoTerm ? this.state.mustRepo(repoTerm) : undefined;
    if (!repo) return unprocessable("Validation Failed");
    const open = terms.includes("is:open");
    const pulls = [...repo.pulls.values()].filter((p) => (!open || p.state === "open") && (!sha || this.state.pullCommits(repo, p).some((c) => c.sha.startsWith(sha))));
    const items = pulls.map((p) => {
      const issueLike = this.shapes.issue(repo, { id: p.id, number: p.number, title: p.title, body: p.body, labels: p.labels, state: p.state, stateReason: null, user: p.author, createdAt: p.createdAt, updatedAt: p.updatedAt, closedAt: p.closedAt, comments: [] });
      return { ...issueLike, score: 1, pull_request: { url: `${this.shapes.apiUrl}/repos/${repo.owner}/${repo.name}/pulls/${p.number}`, html_url: null, diff_url: null, patch_url: null } };
    });
    return { status: 200, body: { total_count: items.length, incomplete_results: false, search_type: "lexical", items } };
  }

  private tree(repo: Repo, sha: string, status = 200): RestResponse {
    const entries = repo.git.trees.get(sha);
    if (!entries) return notFound();
    const full = `${repo.owner}/${repo.name}`;
    return {
      status,
      body: {
        sha,
        url: `${this.shapes.apiUrl}/repos/${full}/git/trees/${sha}`,
        truncated: false,
        tree: [...entries].map(([path, blob]) => ({ path, mode: "100644", type: "blob", sha: blob, size: Buffer.byteLength(repo.git.blobs.get(blob) ?? ""), url: `${this.shapes.apiUrl}/repos/${full}/git/blobs/${blob}` })),
      },
    };
  }

  private refBody(repo: Repo, branch: string): RestResponse {
    const sha = repo.git.refs.get(branch);
    if (!sha) return notFound();
    return {
      status: 200,
      body: {
        ref: `refs/heads/${branch}`,
        node_id: this.shapes.nodeId("Ref", repo.id),
        url: `${this.shapes.apiUrl}/repos/${repo.owner}/${repo.name}/git/refs/heads/${branch}`,
        object: { type: "commit", sha, url: `${this.shapes.apiUrl}/repos/${repo.owner}/${repo.name}/git/commits/${sha}` },
      },
    };
  }

  /** Conditional requests: an ETag on every 200 GET, 304 when If-None-Match matches (free on GitHub). */
  withEtag(req: RestRequest, res: RestResponse): RestResponse {
    if (req.method !== "GET" || res.status !== 200) return res;
    const etag = `"${createHash("sha1").update(typeof res.body === "string" ? res.body : JSON.stringify(res.body)).digest("hex")}"`;
    if (req.headers["if-none-match"] === etag) return { status: 304, headers: { etag } };
    return { ...res, headers: { ...res.headers, etag } };
  }
}
