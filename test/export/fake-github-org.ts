// An in-memory GitHub organization for the export: repositories with merged pull requests
// and default-branch history, collaborators, teams and owners, and the archive repository
// (files at commits, createCommitOnBranch refused when expectedHeadOid is stale, issues).
// GraphQL is executed against GitHub's public schema, so answers have GitHub's shape.
// Two adapters: nock (tests — the contract hook still checks every request) and a plain
// fetch (the bench).

import type nock from "nock";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { buildSchema, executeSync, parse, type GraphQLSchema } from "graphql";
import { treeEntry } from "../evidence/fake-archive-repository.js";

export interface FakePull {
  number: number;
  mergedAt: string;
  updatedAt: string;
  mergeCommit: string;
  baseRefName?: string;
}

export interface FakeCommit {
  oid: string;
  parent: string | null;
  committedDate: string;
  author: string | null;
  message: string;
  /** Numbers of merged pull requests this commit belongs to. */
  pulls: number[];
}

export interface FakeRepository {
  name: string;
  defaultBranch: string;
  pulls: FakePull[];
  /** Newest first, as GitHub lists history. */
  commits: FakeCommit[];
  direct: Array<{ login: string; permission: string; outside?: boolean }>;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  closed_at: string | null;
  state_reason?: string | null;
  /** Who closed it (`closed_by`, only in the single-issue answer). */
  closed_by?: string | null;
}

const typed = (type: string, message: string): Error => Object.assign(new Error(message), { type });

let schema: GraphQLSchema | undefined;
function gitHubSchema(): GraphQLSchema {
  schema ??= buildSchema(readFileSync(new URL("../../node_modules/@octokit/graphql-schema/schema.graphql", import.meta.url), "utf8"), { assumeValidSDL: true });
  return schema;
}

function connection<T>(items: T[], args: { first?: number; after?: string | null }): { nodes: T[]; edges: Array<{ node: T; cursor: string }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } {
  const start = args.after ? Number(args.after) : 0;
  const first = args.first ?? 100;
  const page = items.slice(start, start + first);
  const end = start + page.length;
  return { nodes: page, edges: page.map((node, i) => ({ node, cursor: String(start + i + 1) })), pageInfo: { hasNextPage: end < items.length, endCursor: page.length ? String(end) : null } };
}

export class FakeGitHubOrg {
  readonly repos = new Map<string, FakeRepository>();
  readonly teams: Array<{ slug: string; repos: Array<{ name: string; permission: string }> }> = [];
  members: Array<{ login: string; role: "ADMIN" | "MEMBER" }> = [];
  settings: { two_factor_requirement_enabled?: boolean; default_repository_permission?: string } = { two_factor_requirement_enabled: true, default_repository_permission: "read" };
  readonly issues: FakeIssue[] = [];
  readonly archiveName: string;
  private readonly commits = new Map<string, { files: Map<string, string>; parent: string | null; message: string }>();
  head: string;
  private seq = 0;
  readonly requests = { total: 0, graphql: 0, rest: 0, commits: 0 };

  constructor(
    readonly org: string,
    archiveFiles: Map<string, string> = new Map(),
    options: { archive?: string } = {},
  ) {
    this.archiveName = options.archive ?? "compliance-evidence";
    this.head = this.putCommit(new Map([["README.md", "evidence\n"], ...archiveFiles]), null, "initial");
  }

  private putCommit(files: Map<string, string>, parent: string | null, message: string): string {
    const oid = (++this.seq).toString(16).padStart(40, "c");
    this.commits.set(oid, { files, parent, message });
    return oid;
  }

  files(at = this.head): Map<string, string> {
    return this.commits.get(at)!.files;
  }

  /** Commit messages on the archive branch, newest first. */
  log(): string[] {
    const out: string[] = [];
    for (let c: string | null = this.head; c; c = this.commits.get(c)!.parent) out.push(this.commits.get(c)!.message);
    return out;
  }

  handle(method: string, pathAndQuery: string, body: unknown): { status: number; body: unknown; raw?: boolean } {
    this.requests.total++;
    const url = new URL(pathAndQuery, "https://api.github.com");
    const path = decodeURIComponent(url.pathname);
    if (method === "POST" && path === "/graphql") {
      this.requests.graphql++;
      return this.graphql(body as { query: string; variables?: Record<string, unknown> });
    }
    this.requests.rest++;
    if (method === "GET" && path === `/orgs/${this.org}`) return { status: 200, body: { login: this.org, id: 1, ...this.settings } };
    const base = `/repos/${this.org}/${this.archiveName}`;
    if (!path.startsWith(`${base}/`)) return { status: 404, body: { message: "Not Found" } };
    const rest = path.slice(base.length);
    let m: RegExpExecArray | null;
    if (method === "GET" && rest === "/git/ref/heads/main") return { status: 200, body: { ref: "refs/heads/main", object: { sha: this.head, type: "commit" } } };
    if (method === "GET" && (m = /^\/contents\/(.+)$/.exec(rest))) {
      const files = this.files(url.searchParams.get("ref") ?? this.head);
      const file = files.get(m[1]!);
      if (file !== undefined) return { status: 200, body: file, raw: true };
      const prefix = `${m[1]}/`;
      const names = new Map<string, string>();
      for (const [p, text] of files) if (p.startsWith(prefix)) names.set(p.slice(prefix.length).split("/")[0]!, p.slice(prefix.length).includes("/") ? "dir" : text);
      if (names.size === 0) return { status: 404, body: { message: "Not Found" } };
      return { status: 200, body: [...names].map(([name, text]) => ({ name, path: `${prefix}${name}`, sha: text === "dir" ? "0".repeat(40) : gitBlob(text), type: text === "dir" ? "dir" : "file", size: 1, url: "", html_url: "", git_url: "", download_url: null, _links: {} })) };
    }
    if (method === "GET" && rest === "/issues") {
      const label = url.searchParams.get("labels");
      const list = this.issues.filter((i) => !label || i.labels.includes(label));
      return { status: 200, body: list.map((i) => this.issueJson(i)) };
    }
    if (method === "POST" && rest === "/issues") {
      const b = body as { title: string; body: string; labels: string[] };
      const issue: FakeIssue = { number: this.issues.length + 1, title: b.title, body: b.body, labels: b.labels, state: "open", closed_at: null };
      this.issues.push(issue);
      return { status: 201, body: this.issueJson(issue) };
    }
    if (method === "GET" && (m = /^\/issues\/(\d+)$/.exec(rest))) {
      const issue = this.issues[Number(m[1]) - 1];
      if (!issue) return { status: 404, body: { message: "Not Found" } };
      return { status: 200, body: { ...this.issueJson(issue), closed_by: issue.closed_by ? { login: issue.closed_by, type: "User" } : null } };
    }
    if (method === "PATCH" && (m = /^\/issues\/(\d+)$/.exec(rest))) {
      const issue = this.issues[Number(m[1]) - 1]!;
      const b = body as { state?: "open" | "closed"; state_reason?: string };
      if (b.state) issue.state = b.state;
      if (b.state === "closed") Object.assign(issue, { closed_at: "2026-12-01T02:00:00Z", closed_by: "soc2-guard[bot]" });
      issue.state_reason = b.state_reason ?? null;
      return { status: 200, body: this.issueJson(issue) };
    }
    return { status: 404, body: { message: `fake org: no route for ${method} ${rest}` } };
  }

  issueJson(i: FakeIssue): Record<string, unknown> {
    return { number: i.number, title: i.title, body: i.body, user: { login: "soc2-guard[bot]", type: "Bot" }, state: i.state, closed_at: i.closed_at, html_url: `https://github.com/${this.org}/${this.archiveName}/issues/${i.number}`, labels: i.labels.map((name) => ({ name })) };
  }

  private graphql(body: { query: string; variables?: Record<string, unknown> }): { status: number; body: unknown } {
    const isMutation = /^\s*mutation\b/.test(body.query);
    const result = executeSync({
      schema: gitHubSchema(),
      document: parse(body.query),
      variableValues: body.variables ?? {},
      rootValue: isMutation
        ? { createCommitOnBranch: (a: { input: CommitInput }) => this.createCommit(a.input) }
        : { organization: (a: { login: string }) => (a.login === this.org ? this.organizationNode() : null), repository: (a: { owner: string; name: string }) => this.repositoryNode(a) },
      typeResolver: (value: { __typename: string }) => value.__typename,
    });
    const errors = result.errors?.map((e) => ({ message: e.message, path: e.path, type: (e.originalError as { type?: string } | undefined)?.type ?? "INTERNAL" }));
    return { status: 200, body: errors ? { data: result.data ?? null, errors } : { data: result.data } };
  }

  private organizationNode(): unknown {
    const repoNodes = [...this.repos.values(), { name: this.archiveName, defaultBranch: "main" } as FakeRepository]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((r) => ({ name: r.name, isArchived: false, defaultBranchRef: { name: r.defaultBranch } }));
    const teamNode = (t: (typeof this.teams)[number]) => ({
      slug: t.slug,
      repositories: (a: { first?: number; after?: string }) => connection(t.repos.map((r) => ({ nameWithOwner: `${this.org}/${r.name}`, permission: r.permission })), a),
    });
    const withPermission = <T extends { node: { permission?: string } }>(c: { edges: T[] }) => ({ ...c, edges: c.edges.map((e) => ({ ...e, permission: e.node.permission })) });
    return {
      repositories: (a: { first?: number; after?: string }) => connection(repoNodes, a),
      membersWithRole: (a: { first?: number; after?: string }) => {
        const c = connection(this.members, a);
        return { ...c, edges: c.edges.map((e) => ({ ...e, role: e.node.role, node: { login: e.node.login } })) };
      },
      teams: (a: { first?: number; after?: string }) => connection(this.teams.map((t) => ({ slug: t.slug, repositories: (b: { first?: number; after?: string }) => withPermission(teamNode(t).repositories(b)) })), a),
      team: (a: { slug: string }) => {
        const t = this.teams.find((x) => x.slug === a.slug);
        return t ? { repositories: (b: { first?: number; after?: string }) => withPermission(connection(t.repos.map((r) => ({ nameWithOwner: `${this.org}/${r.name}`, permission: r.permission })), b)) } : null;
      },
    };
  }

  private repositoryNode(a: { owner: string; name: string }): unknown {
    if (a.owner !== this.org) throw typed("NOT_FOUND", `Could not resolve to a Repository with the name '${a.owner}/${a.name}'.`);
    if (a.name === this.archiveName) {
      return {
        ref: (r: { qualifiedName: string }) => (r.qualifiedName === "refs/heads/main" ? { target: this.commitNode(this.head) } : null),
        object: (o: { oid?: string }) => (o.oid && this.commits.has(o.oid) ? this.commitNode(o.oid) : null),
      };
    }
    const repo = this.repos.get(a.name);
    if (!repo) throw typed("NOT_FOUND", `Could not resolve to a Repository with the name '${a.owner}/${a.name}'.`);
    const byNumber = new Map(repo.pulls.map((p) => [p.number, p]));
    return {
      pullRequests: (args: { first?: number; after?: string }) =>
        connection(
          [...repo.pulls].sort((x, y) => y.updatedAt.localeCompare(x.updatedAt)).map((p) => ({ number: p.number, mergedAt: p.mergedAt, updatedAt: p.updatedAt, baseRefName: p.baseRefName ?? repo.defaultBranch, mergeCommit: { oid: p.mergeCommit } })),
          args,
        ),
      defaultBranchRef: {
        name: repo.defaultBranch,
        target: {
          __typename: "Commit",
          history: (args: { first?: number; after?: string; since?: string }) =>
            connection(
              repo.commits
                .filter((c) => !args.since || c.committedDate >= args.since)
                .map((c) => ({
                  oid: c.oid,
                  committedDate: c.committedDate,
                  message: c.message,
                  parents: { nodes: c.parent ? [{ oid: c.parent }] : [] },
                  author: { user: c.author ? { login: c.author } : null },
                  committer: { user: c.author ? { login: c.author } : null },
                  associatedPullRequests: { nodes: c.pulls.map((n) => ({ merged: byNumber.has(n) })) },
                })),
              args,
            ),
        },
      },
      collaborators: (args: { affiliation?: string; first?: number; after?: string }) => {
        const list = repo.direct.filter((d) => args.affiliation !== "OUTSIDE" || d.outside);
        const c = connection(list, args);
        return { ...c, edges: c.edges.map((e) => ({ cursor: e.cursor, permission: e.node.permission, node: { login: e.node.login } })) };
      },
    };
  }

  private commitNode(oid: string): unknown {
    const files = this.files(oid);
    return {
      __typename: "Commit",
      oid,
      file: (a: { path: string }) => {
        const text = files.get(a.path);
        // A directory answers as a tree (the archive reads records/ → YYYY/ → MM/ → DD.jsonl).
        return text === undefined ? treeEntry(files, a.path, Number.POSITIVE_INFINITY) : { oid: gitBlob(text), object: { __typename: "Blob", text, isTruncated: false } };
      },
    };
  }

  private createCommit(input: CommitInput): unknown {
    if (input.expectedHeadOid !== this.head) throw typed("STALE_DATA", `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`);
    const files = new Map(this.files());
    for (const add of input.fileChanges.additions ?? []) files.set(add.path, Buffer.from(add.contents, "base64").toString("utf8"));
    this.head = this.putCommit(files, this.head, input.message.headline);
    this.requests.commits++;
    return { commit: this.commitNode(this.head) };
  }

  intercept(scope: nock.Scope): nock.Scope {
    const reply = (method: string) => (uri: string, body: unknown) => toReply(this.handle(method, uri, body));
    return scope.persist().get(/.*/).reply(reply("GET")).post(/.*/).reply(reply("POST")).patch(/.*/).reply(reply("PATCH"));
  }

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const text = request.method === "GET" ? "" : await request.text();
    const url = new URL(request.url);
    const [status, payload, headers] = toReply(this.handle(request.method, url.pathname + url.search, text ? JSON.parse(text) : undefined));
    return new Response(typeof payload === "string" ? payload : JSON.stringify(payload), { status, headers });
  };
}

interface CommitInput {
  expectedHeadOid: string;
  message: { headline: string };
  fileChanges: { additions?: Array<{ path: string; contents: string }> };
}

function gitBlob(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

function toReply(answer: { status: number; body: unknown; raw?: boolean }): [number, string | Record<string, unknown>, Record<string, string>] {
  return answer.raw
    ? [answer.status, answer.body as string, { "content-type": "text/plain; charset=utf-8" }]
    : [answer.status, answer.body as Record<string, unknown>, { "content-type": "application/json; charset=utf-8" }];
}
