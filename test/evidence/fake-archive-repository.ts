// An in-memory archive repository answering the way GitHub does: GraphQL reads of a
// branch and its files, `createCommitOnBranch` refused (STALE_DATA) when `expectedHeadOid`
// is no longer the head, and raw file contents over REST (for blobs GraphQL truncates).
// One handler, two adapters: nock (tests — every request still passes the contract hook)
// and a plain fetch (the bench, no HTTP stack).

import type nock from "nock";
import { readFileSync } from "node:fs";
import { buildSchema, executeSync, parse, type GraphQLSchema } from "graphql";
import type { StoredLine } from "../../src/evidence/verify.js";

interface Commit {
  tree: string;
  parents: string[];
}

export interface FakeArchiveOptions {
  owner?: string;
  repo?: string;
  branch?: string;
  /** Every Nth ref update, a rival writer moves the branch first (touching another file). */
  conflictEvery?: number;
  /** The repository does not exist (404 everywhere) until `create()` is called. */
  missing?: boolean;
  /** The app may read but not write (Contents: read). */
  readOnly?: boolean;
  /** GraphQL gives no text for blobs larger than this (GitHub truncates large blobs). */
  truncateAbove?: number;
}

export class FakeArchiveRepository {
  readonly owner: string;
  readonly repo: string;
  readonly branch: string;
  private readonly trees = new Map<string, Map<string, string>>();
  private readonly commits = new Map<string, Commit>();
  private head = "";
  private next = 0;
  private refUpdates = 0;
  private exists: boolean;
  readonly requests = { total: 0, contentCreating: 0, graphql: 0, rawContents: 0, conflictsInjected: 0, staleRefused: 0 };

  constructor(private readonly options: FakeArchiveOptions = {}) {
    this.owner = options.owner ?? "acme";
    this.repo = options.repo ?? "compliance-evidence";
    this.branch = options.branch ?? "main";
    this.exists = !options.missing;
    const tree = this.putTree(new Map([["README.md", "compliance evidence\n"]]));
    this.head = this.putCommit({ tree, parents: [] });
  }

  create(): void {
    this.exists = true;
  }

  private sha(): string {
    return (++this.next).toString(16).padStart(40, "0");
  }

  private putTree(files: Map<string, string>): string {
    const sha = this.sha();
    this.trees.set(sha, files);
    return sha;
  }

  private putCommit(commit: Commit): string {
    const sha = this.sha();
    this.commits.set(sha, commit);
    return sha;
  }

  private filesAt(commitSha: string): Map<string, string> | undefined {
    const commit = this.commits.get(commitSha);
    return commit ? this.trees.get(commit.tree) : undefined;
  }

  files(): Map<string, string> {
    return this.filesAt(this.head)!;
  }

  /** Someone with write access pushes a commit that changes files (tampering, or a repair). */
  pushChange(change: (files: Map<string, string>) => void): void {
    const files = new Map(this.files());
    change(files);
    this.head = this.putCommit({ tree: this.putTree(files), parents: [this.head] });
  }

  /** The archive's lines in shard order, as verify reads them. */
  lines(): StoredLine[] {
    const files = this.files();
    return [...files.keys()]
      .filter((p) => p.startsWith("records/") && p.endsWith(".jsonl"))
      .sort()
      .flatMap((p) => files.get(p)!.split("\n").filter(Boolean).map((text, i) => ({ location: `${p}:${i + 1}`, text })));
  }

  /** Commits on the branch that carry records (not the initial or rival commits). */
  recordCommits(): number {
    let n = 0;
    for (let s: string | undefined = this.head; s; s = this.commits.get(s)?.parents[0]) {
      const parent = this.commits.get(s)?.parents[0];
      if (parent && this.filesAt(s)!.get("head.json") !== this.filesAt(parent)!.get("head.json")) n++;
    }
    return n;
  }

  handle(method: string, pathAndQuery: string, body: unknown): { status: number; body: unknown; raw?: boolean } {
    this.requests.total++;
    const url = new URL(pathAndQuery, "https://api.github.com");
    const path = decodeURIComponent(url.pathname);
    if (method === "POST" && path === "/graphql") return this.graphql(body as { query: string; variables: { owner: string; name: string } });
    const base = `/repos/${this.owner}/${this.repo}`;
    if (!this.exists || !path.startsWith(`${base}/`)) return { status: 404, body: { message: "Not Found" } };
    const rest = path.slice(base.length);
    let m: RegExpExecArray | null;
    if (method === "GET" && (m = /^\/contents\/(.+)$/.exec(rest))) {
      this.requests.rawContents++;
      const file = this.filesAt(url.searchParams.get("ref") ?? this.head)?.get(m[1]!);
      return file === undefined ? { status: 404, body: { message: "Not Found" } } : { status: 200, body: file, raw: true };
    }
    return { status: 404, body: { message: `fake archive: no route for ${method} ${rest}` } };
  }

  private graphql(body: { query: string; variables?: Record<string, unknown> }): { status: number; body: unknown } {
    this.requests.graphql++;
    const isMutation = /^\s*mutation\b/.test(body.query);
    if (isMutation) this.requests.contentCreating++;
    const result = executeSync({
      schema: gitHubSchema(),
      document: parse(body.query),
      variableValues: body.variables ?? {},
      rootValue: isMutation ? { createCommitOnBranch: (args: { input: CommitInput }) => this.createCommitOnBranch(args.input) } : { repository: (args: { owner: string; name: string }) => this.repositoryNode(args) },
      typeResolver: (value: { __typename: string }) => value.__typename,
    });
    const errors = result.errors?.map((e) => ({ message: e.message, path: e.path, type: (e.originalError as { type?: string } | undefined)?.type ?? "INTERNAL" }));
    return { status: 200, body: errors ? { data: result.data ?? null, errors } : { data: result.data } };
  }

  private repositoryNode(args: { owner: string; name: string }): unknown {
    if (!this.exists || args.owner !== this.owner || args.name !== this.repo) throw typed("NOT_FOUND", `Could not resolve to a Repository with the name '${args.owner}/${args.name}'.`);
    return {
      ref: (a: { qualifiedName: string }) => (a.qualifiedName === `refs/heads/${this.branch}` ? { target: this.commitNode(this.head) } : null),
      object: (a: { oid: string }) => (this.commits.has(a.oid) ? this.commitNode(a.oid) : null),
    };
  }

  private commitNode(oid: string): unknown {
    const files = this.filesAt(oid)!;
    return { __typename: "Commit", oid, file: (a: { path: string }) => treeEntry(files, a.path, this.options.truncateAbove ?? Infinity) };
  }

  private createCommitOnBranch(input: CommitInput): unknown {
    if (!this.exists) throw typed("NOT_FOUND", `Could not resolve to a Repository with the name '${input.branch.repositoryNameWithOwner}'.`);
    if (this.options.readOnly) throw typed("FORBIDDEN", "Resource not accessible by integration");
    if (this.options.conflictEvery && ++this.refUpdates % this.options.conflictEvery === 0) {
      // A rival writer (another replica, a person) moved the branch a moment earlier.
      const files = new Map(this.files());
      files.set("README.md", `compliance evidence (${this.refUpdates})\n`);
      this.head = this.putCommit({ tree: this.putTree(files), parents: [this.head] });
      this.requests.conflictsInjected++;
    }
    if (input.expectedHeadOid !== this.head) this.requests.staleRefused++;
    if (input.expectedHeadOid !== this.head) throw typed("STALE_DATA", `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`);
    const files = new Map(this.files());
    for (const a of input.fileChanges.additions ?? []) files.set(a.path, Buffer.from(a.contents, "base64").toString("utf8"));
    this.head = this.putCommit({ tree: this.putTree(files), parents: [this.head] });
    return { commit: this.commitNode(this.head) };
  }

  /** Answers through nock: the contract hook still sees every request. */
  intercept(scope: nock.Scope): nock.Scope {
    const reply = (method: string) => (uri: string, body: unknown) => toReply(this.handle(method, uri, body));
    const any = /.*/;
    return scope.persist().get(any).reply(reply("GET")).post(any).reply(reply("POST")).patch(any).reply(reply("PATCH"));
  }

  /** A fetch for an Octokit (`request: { fetch }`), with no HTTP stack in between. */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const text = request.method === "GET" ? "" : await request.text();
    const url = new URL(request.url);
    const answer = this.handle(request.method, url.pathname + url.search, text ? JSON.parse(text) : undefined);
    const [status, payload, headers] = toReply(answer);
    return new Response(typeof payload === "string" ? payload : JSON.stringify(payload), { status, headers });
  };
}

/** A TreeEntry for a file or a directory of the flat file map, as GitHub's GraphQL gives it. */
export function treeEntry(files: Map<string, string>, path: string, truncateAbove: number): unknown {
  const name = path.split("/").pop()!;
  const text = files.get(path);
  if (text !== undefined) {
    const truncated = Buffer.byteLength(text) > truncateAbove;
    return { name, path, type: "blob", oid: "0".repeat(40), object: { __typename: "Blob", text: truncated ? text.slice(0, truncateAbove) : text, isTruncated: truncated } };
  }
  const prefix = `${path}/`;
  const children = [...new Set([...files.keys()].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split("/")[0]!))].sort();
  if (children.length === 0) return null;
  return { name, path, type: "tree", oid: "0".repeat(40), object: { __typename: "Tree", entries: children.map((child) => treeEntry(files, `${prefix}${child}`, truncateAbove)) } };
}

interface CommitInput {
  branch: { repositoryNameWithOwner: string; branchName: string };
  expectedHeadOid: string;
  fileChanges: { additions?: Array<{ path: string; contents: string }> };
}

/** An error with GitHub's GraphQL `type` (NOT_FOUND, STALE_DATA, …). */
function typed(type: string, message: string): Error {
  return Object.assign(new Error(message), { type });
}

let schema: GraphQLSchema | undefined;
/** GitHub's public schema executes the fake's answers, so their shape is GitHub's. */
function gitHubSchema(): GraphQLSchema {
  schema ??= buildSchema(readFileSync(new URL("../../node_modules/@octokit/graphql-schema/schema.graphql", import.meta.url), "utf8"), { assumeValidSDL: true });
  return schema;
}

function toReply(answer: { status: number; body: unknown; raw?: boolean }): [number, string | Record<string, unknown>, Record<string, string>] {
  return answer.raw
    ? [answer.status, answer.body as string, { "content-type": "text/plain; charset=utf-8" }]
    : [answer.status, answer.body as Record<string, unknown>, { "content-type": "application/json; charset=utf-8" }];
}
