// GraphQL over the sandbox's state, executed by `graphql` against GitHub's public schema
// (@octokit/graphql-schema): documents are parsed and validated like GitHub does, and
// every value goes through GitHub's types. Resolvers cover the fields soc2-guard reads
// (src/github/facts/queries.ts, the archive writer) and the `createCommitOnBranch` mutation.

import { readFileSync } from "node:fs";
import { buildSchema, execute, parse, validate, GraphQLError, type DocumentNode, type GraphQLSchema } from "graphql";
import type { GitCommit } from "./git.js";
import type { CheckRun, PullRequest, Repo, SandboxState } from "./state.js";

let schema: GraphQLSchema | undefined;

export function gitHubSchema(): GraphQLSchema {
  if (!schema) {
    // The package exports no file paths; schema.graphql sits beside its entry point.
    const file = new URL("./schema.graphql", import.meta.resolve("@octokit/graphql-schema"));
    schema = buildSchema(readFileSync(file, "utf8"), { assumeValidSDL: true });
  }
  return schema;
}

/** An error with GitHub's GraphQL `type` (NOT_FOUND, FORBIDDEN, STALE_DATA, …). */
export class TypedGraphQLError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Page {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

const cursor = (i: number) => Buffer.from(`cursor:${i}`).toString("base64");
const uncursor = (c: string) => Number(Buffer.from(c, "base64").toString("utf8").split(":")[1]);

/** A connection over a list: GitHub's cursor pagination (first/after, last/before). */
export function connection<T, N>(items: T[], page: Page, node: (item: T) => N, asEdges = false) {
  let start = page.after ? uncursor(page.after) + 1 : 0;
  let end = page.before ? uncursor(page.before) : items.length;
  if (page.first != null) end = Math.min(end, start + page.first);
  if (page.last != null) start = Math.max(start, end - page.last);
  const slice = items.slice(start, end).map((item, i) => ({ item, index: start + i }));
  return {
    totalCount: items.length,
    nodes: slice.map((s) => node(s.item)),
    ...(asEdges ? { edges: slice.map((s) => ({ cursor: cursor(s.index), node: node(s.item) })) } : {}),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice.length > 0 ? cursor(slice[0]!.index) : null,
      endCursor: slice.length > 0 ? cursor(slice[slice.length - 1]!.index) : null,
    },
  };
}

export interface GraphqlHooks {
  /** Called before createCommitOnBranch applies: a fault may move the branch first. */
  beforeRefUpdate?: (repo: Repo, branch: string) => void;
  /** After a commit landed on a branch through the API (the server announces the push). */
  afterCommit?: (repo: Repo, branch: string, before: string, after: string) => void;
}

export class SandboxGraphql {
  private readonly documents = new Map<string, DocumentNode | readonly GraphQLError[]>();

  constructor(
    private readonly state: SandboxState,
    private readonly webUrl: string,
    private readonly hooks: GraphqlHooks = {},
  ) {}

  private document(query: string): DocumentNode | readonly GraphQLError[] {
    let doc = this.documents.get(query);
    if (!doc) {
      try {
        const parsed = parse(query);
        const errors = validate(gitHubSchema(), parsed);
        doc = errors.length > 0 ? errors : parsed;
      } catch (error) {
        doc = [error as GraphQLError];
      }
      if (this.documents.size > 2000) this.documents.clear();
      this.documents.set(query, doc);
    }
    return doc;
  }

  async run(body: { query?: unknown; variables?: Record<string, unknown> }, actor: string): Promise<Record<string, unknown>> {
    if (typeof body.query !== "string") return { errors: [{ message: "A query attribute must be specified and must be a string." }] };
    const doc = this.document(body.query);
    if (!("kind" in doc)) return { errors: doc.map((e) => ({ message: e.message, locations: e.locations })) };
    const result = await execute({
      schema: gitHubSchema(),
      document: doc,
      variableValues: body.variables ?? {},
      rootValue: {
        repository: (args: { owner: string; name: string }) => this.repository(args.owner, args.name),
        organization: (args: { login: string }) => this.organization(args.login),
        // The signed-in person for a user token (the portal's sign-in); null for the app.
        viewer: () => (actor.endsWith("[bot]") ? null : { __typename: "User", login: actor }),
        createCommitOnBranch: (args: { input: CommitOnBranchInput }) => this.createCommitOnBranch(args.input, actor),
        pinIssue: (args: { input: { issueId: string } }) => this.pinIssue(args.input.issueId),
      },
      typeResolver: (value: { __typename?: string }) => value.__typename,
    });
    const errors = result.errors?.map((e) => ({
      type: (e.originalError as TypedGraphQLError | undefined)?.type ?? "INTERNAL",
      path: e.path,
      locations: e.locations,
      message: e.message,
    }));
    return errors ? { data: result.data ?? null, errors } : { data: result.data };
  }

  /** A connection whose edges carry fields (permission, role) beside the node. */
  private edges<T>(items: T[], page: Page, edge: (item: T) => Record<string, unknown>) {
    const c = connection(items, page, (x) => x);
    return { totalCount: c.totalCount, pageInfo: c.pageInfo, edges: c.nodes.map(edge), nodes: c.nodes.map((x) => (edge(x) as { node: unknown }).node) };
  }

  private organization(login: string) {
    const org = this.state.org(login);
    if (!org) throw new TypedGraphQLError("NOT_FOUND", `Could not resolve to an Organization with the login of '${login}'.`);
    const repos = () => [...this.state.repos.values()].filter((r) => r.owner.toLowerCase() === org.login.toLowerCase()).sort((a, b) => a.name.localeCompare(b.name));
    const teamNode = (slug: string) => {
      const team = org.teams.get(slug)!;
      return {
        __typename: "Team",
        slug: team.slug,
        name: team.name,
        repositories: (a: Page) =>
          this.edges(
            repos().filter((r) => r.teamAccess.has(slug)),
            a,
            (r) => ({ permission: r.teamAccess.get(slug)!.toUpperCase(), node: { __typename: "Repository", nameWithOwner: `${r.owner}/${r.name}` } }),
          ),
      };
    };
    return {
      __typename: "Organization",
      login: org.login,
      databaseId: org.id,
      repositories: (a: Page) => connection(repos(), a, (r) => this.repository(r.owner, r.name)),
      membersWithRole: (a: Page) => this.edges([...org.members].sort(), a, (m) => ({ role: org.admins.has(m) ? "ADMIN" : "MEMBER", node: { __typename: "User", login: m } })),
      teams: (a: Page) => connection([...org.teams.keys()].sort(), a, teamNode),
      team: (a: { slug: string }) => (org.teams.has(a.slug) ? teamNode(a.slug) : null),
    };
  }

  private repository(owner: string, name: string) {
    const repo = this.state.repo(owner, name);
    if (!repo) throw new TypedGraphQLError("NOT_FOUND", `Could not resolve to a Repository with the name '${owner}/${name}'.`);
    return {
      __typename: "Repository",
      name: repo.name,
      nameWithOwner: `${repo.owner}/${repo.name}`,
      url: `${this.webUrl}/${repo.owner}/${repo.name}`,
      databaseId: repo.id,
      isPrivate: repo.private,
      isArchived: false,
      pullRequests: (a: Page & { states?: string[]; orderBy?: { field: string; direction: string } }) => {
        let pulls = [...repo.pulls.values()].filter((p) => !a.states || a.states.includes(p.merged ? "MERGED" : p.state === "open" ? "OPEN" : "CLOSED"));
        const field = a.orderBy?.field === "UPDATED_AT" ? "updatedAt" : "createdAt";
        pulls = pulls.sort((x, y) => x[field].localeCompare(y[field]) || x.number - y.number);
        if (a.orderBy?.direction === "DESC") pulls.reverse();
        return connection(pulls, a, (p) => ({ ...this.pullRequest(repo, p), updatedAt: p.updatedAt }));
      },
      collaborators: (a: Page & { affiliation?: string }) => {
        const org = this.state.org(repo.owner);
        const logins = [...repo.collaborators.keys()].filter((l) => (a.affiliation === "OUTSIDE" ? !org?.members.has(l) : true)).sort();
        return this.edges(logins, a, (l) => ({ permission: repo.collaborators.get(l)!.toUpperCase(), node: { __typename: "User", login: l } }));
      },
      defaultBranchRef: () => this.ref(repo, repo.defaultBranch),
      ref: (a: { qualifiedName: string }) => this.ref(repo, a.qualifiedName.replace(/^refs\/heads\//, "")),
      object: (a: { oid?: string; expression?: string }) => (a.oid && repo.git.commit(a.oid) ? this.commit(repo, repo.git.commit(a.oid)!) : null),
      pullRequest: (a: { number: number }) => {
        const pr = repo.pulls.get(a.number);
        if (!pr) throw new TypedGraphQLError("NOT_FOUND", `Could not resolve to a PullRequest with the number of ${a.number}.`);
        return this.pullRequest(repo, pr);
      },
    };
  }

  private ref(repo: Repo, branch: string) {
    const sha = repo.git.refs.get(branch);
    if (!sha) return null;
    return {
      __typename: "Ref",
      name: branch,
      prefix: "refs/heads/",
      target: () => this.commit(repo, repo.git.commit(sha)!),
      branchProtectionRule: () => this.protectionRule(repo, branch),
      associatedPullRequests: (a: Page & { states?: string[] | null }) =>
        connection(
          [...repo.pulls.values()].filter((p) => p.headRef === branch && (!a.states || a.states.includes(p.state.toUpperCase()))),
          a,
          (p) => this.pullRequest(repo, p),
        ),
    };
  }

  private protectionRule(repo: Repo, branch: string) {
    const p = repo.protection.get(branch);
    if (!p) return null;
    return {
      __typename: "BranchProtectionRule",
      pattern: branch,
      requiresApprovingReviews: p.requiredApprovingReviewCount !== null,
      requiredApprovingReviewCount: p.requiredApprovingReviewCount,
      dismissesStaleReviews: p.dismissStaleReviews,
      requiresCodeOwnerReviews: p.requireCodeOwnerReviews,
      requireLastPushApproval: p.requireLastPushApproval,
      requiresStatusChecks: p.requiredStatusChecks !== null,
      requiredStatusCheckContexts: p.requiredStatusChecks ?? [],
      requiredStatusChecks: (p.requiredStatusChecks ?? []).map((context) => ({ __typename: "RequiredStatusCheckDescription", context, app: null })),
      requiresStrictStatusChecks: p.strict,
      allowsForcePushes: p.allowForcePushes,
      allowsDeletions: p.allowDeletions,
      isAdminEnforced: p.enforceAdmins,
      bypassPullRequestAllowances: (a: Page) => connection([], a, (x) => x),
    };
  }

  private actor(login: string | null) {
    if (!login) return null;
    const user = this.state.user(login);
    return { __typename: user.type, login: user.type === "Bot" ? login.replace(/\[bot\]$/, "") : login, url: `${this.webUrl}/${login}`, databaseId: user.id };
  }

  private commit(repo: Repo, c: GitCommit) {
    const identity = (i: GitCommit["author"]) => ({ name: i.name, email: i.email, date: i.date, user: i.login ? { __typename: "User", login: i.login } : null });
    return {
      __typename: "Commit",
      oid: c.sha,
      abbreviatedOid: c.sha.slice(0, 7),
      message: c.message,
      messageHeadline: c.message.split("\n")[0],
      committedDate: c.committer.date,
      url: `${this.webUrl}/${repo.owner}/${repo.name}/commit/${c.sha}`,
      author: identity(c.author),
      committer: identity(c.committer),
      parents: (a: Page) => connection(c.parents, a, (p) => ({ __typename: "Commit", oid: p })),
      // The git author, then each Co-authored-by trailer (the sandbox maps no trailer email to an account).
      authors: (a: Page) =>
        connection([identity(c.author), ...[...c.message.matchAll(/^Co-authored-by:[^<\n]*<([^>\n]+)>/gim)].map((m) => ({ name: "", email: m[1]!, date: c.author.date, user: null }))], a, (x) => ({ __typename: "GitActor", ...x })),
      history: (a: Page & { since?: string; until?: string }) => {
        const list = [...repo.git.ancestors(c.sha)]
          .map((sha) => repo.git.commit(sha)!)
          .filter((x) => (!a.since || x.committer.date >= a.since) && (!a.until || x.committer.date <= a.until))
          .sort((x, y) => y.committer.date.localeCompare(x.committer.date));
        return connection(list, a, (x) => this.commit(repo, x));
      },
      associatedPullRequests: (a: Page) =>
        connection(
          [...repo.pulls.values()].filter((p) => p.mergeCommitSha === c.sha || this.state.pullCommits(repo, p).some((x) => x.sha === c.sha)),
          a,
          (p) => this.pullRequest(repo, p),
        ),
      file: (a: { path: string }) => this.treeEntry(repo, c.sha, a.path.replace(/\/$/, "")),
      checkSuites: (a: Page) =>
        connection(
          repo.suites.filter((s) => s.headSha === c.sha),
          a,
          (s) => ({
            __typename: "CheckSuite",
            id: `CS_${s.id}`,
            databaseId: s.id,
            app: { __typename: "App", slug: s.app.slug, databaseId: s.app.id, name: s.app.name },
            checkRuns: (b: Page & { filterBy?: { checkType?: string; checkName?: string; status?: string } }) => {
              let runs = repo.checkRuns.filter((r) => r.suiteId === s.id);
              if (b.filterBy?.checkName) runs = runs.filter((r) => r.name === b.filterBy!.checkName);
              if ((b.filterBy?.checkType ?? "LATEST") === "LATEST") runs = runs.filter((r) => !runs.some((o) => o.name === r.name && o.id > r.id));
              return connection(runs, b, (r) => this.checkRun(r));
            },
          }),
        ),
      status: () => {
        const all = repo.statuses.filter((s) => s.sha === c.sha);
        if (all.length === 0) return null;
        const latest = all.filter((s) => !all.some((o) => o.context === s.context && o.id > s.id));
        const states = latest.map((s) => s.state);
        const state = states.includes("error") ? "ERROR" : states.includes("failure") ? "FAILURE" : states.includes("pending") ? "PENDING" : "SUCCESS";
        return { __typename: "Status", state, contexts: latest.map((s) => ({ __typename: "StatusContext", context: s.context, state: s.state.toUpperCase(), createdAt: s.createdAt, targetUrl: s.targetUrl, description: s.description })) };
      },
    };
  }

  /** A file (Blob) or a directory (Tree, its entries one level down) at a commit. */
  private treeEntry(repo: Repo, commitSha: string, path: string): Record<string, unknown> | null {
    const name = path.split("/").pop();
    const f = repo.git.file(commitSha, path);
    if (f) return { __typename: "TreeEntry", path, name, type: "blob", oid: f.sha, object: { __typename: "Blob", oid: f.sha, text: f.text, isTruncated: false, byteSize: Buffer.byteLength(f.text) } };
    const prefix = `${path}/`;
    const below = [...repo.git.files(commitSha).keys()].filter((p) => p.startsWith(prefix));
    if (below.length === 0) return null;
    const children = [...new Set(below.map((p) => p.slice(prefix.length).split("/")[0]!))].sort();
    return {
      __typename: "TreeEntry",
      path,
      name,
      type: "tree",
      oid: "0".repeat(40),
      object: { __typename: "Tree", oid: "0".repeat(40), entries: children.map((child) => this.treeEntry(repo, commitSha, `${prefix}${child}`)) },
    };
  }

  private checkRun(r: CheckRun) {
    return {
      __typename: "CheckRun",
      databaseId: r.id,
      name: r.name,
      status: r.status.toUpperCase(),
      conclusion: r.conclusion?.toUpperCase() ?? null,
      startedAt: r.startedAt,
      completedAt: r.completedAt,
      detailsUrl: r.detailsUrl,
      externalId: r.externalId,
      title: r.output.title,
      summary: r.output.summary,
    };
  }

  private pullRequest(repo: Repo, pr: PullRequest) {
    const head = this.state.headSha(repo, pr);
    const commits = this.state.pullCommits(repo, pr);
    const commitNode = (c: GitCommit) => ({ __typename: "PullRequestCommit", commit: this.commit(repo, c) });
    const mergeCommit = pr.mergeCommitSha ? repo.git.commit(pr.mergeCommitSha) : undefined;
    return {
      __typename: "PullRequest",
      number: pr.number,
      databaseId: pr.id,
      url: `${this.webUrl}/${repo.owner}/${repo.name}/pull/${pr.number}`,
      title: pr.title,
      body: pr.body,
      isDraft: pr.draft,
      state: pr.merged ? "MERGED" : pr.state === "open" ? "OPEN" : "CLOSED",
      merged: pr.merged,
      mergedAt: pr.mergedAt,
      createdAt: pr.createdAt,
      mergedBy: () => this.actor(pr.mergedBy),
      mergeCommit: mergeCommit ? this.commit(repo, mergeCommit) : null,
      author: () => this.actor(pr.author),
      headRefName: pr.headRef,
      headRefOid: head,
      baseRefName: pr.baseRef,
      baseRefOid: pr.state === "open" ? (repo.git.refs.get(pr.baseRef) ?? pr.baseSha) : pr.baseSha,
      isCrossRepository: false,
      headRepository: { __typename: "Repository", nameWithOwner: `${repo.owner}/${repo.name}` },
      labels: (a: Page) => connection(pr.labels, a, (name) => ({ __typename: "Label", name })),
      timelineItems: (a: Page & { itemTypes?: string[] }) => {
        const wanted = a.itemTypes ?? ["LABELED_EVENT"];
        const events = wanted.includes("LABELED_EVENT") ? pr.labelEvents : [];
        return connection(events, a, (e) => ({ __typename: "LabeledEvent", createdAt: e.createdAt, actor: this.actor(e.actor), label: { __typename: "Label", name: e.name } }));
      },
      commits: (a: Page) => connection(commits, a, commitNode),
      reviews: (a: Page) =>
        connection(pr.reviews, a, (r) => ({
          __typename: "PullRequestReview",
          databaseId: r.id,
          state: r.state,
          body: r.body,
          submittedAt: r.submittedAt,
          author: this.actor(r.login),
          commit: repo.git.commit(r.commitId) ? this.commit(repo, repo.git.commit(r.commitId)!) : null,
        })),
      files: (a: Page) => {
        const base = repo.git.mergeBase(pr.state === "open" ? (repo.git.refs.get(pr.baseRef) ?? pr.baseSha) : pr.baseSha, head) ?? pr.baseSha;
        const before = repo.git.files(base);
        const after = repo.git.files(head);
        const paths = [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p)).sort();
        // The sandbox detects no renames: a moved file is a deletion and an addition.
        const changeType = (path: string) => (!before.has(path) ? "ADDED" : !after.has(path) ? "DELETED" : "MODIFIED");
        return connection(paths, a, (path) => ({ __typename: "PullRequestChangedFile", path, changeType: changeType(path) }));
      },
      baseRef: () => this.ref(repo, pr.baseRef),
      headRef: () => (pr.state === "open" ? this.ref(repo, pr.headRef) : null),
    };
  }

  /** Pins an issue by its node id (the checkpoints issue). */
  private pinIssue(issueId: string) {
    const decoded = Buffer.from(issueId, "base64").toString("utf8");
    const id = Number(/^0:Issue(\d+)$/.exec(decoded)?.[1]);
    for (const repo of this.state.repos.values()) {
      for (const issue of repo.issues.values()) {
        if (issue.id === id) {
          issue.pinned = true;
          return { __typename: "PinIssuePayload", issue: { __typename: "Issue", id: issueId, number: issue.number, isPinned: true } };
        }
      }
    }
    throw new TypedGraphQLError("NOT_FOUND", `Could not resolve to a node with the global id of '${issueId}'.`);
  }

  private createCommitOnBranch(input: CommitOnBranchInput, actor: string) {
    const [owner, name] = input.branch.repositoryNameWithOwner?.split("/") ?? [];
    const repo = owner && name ? this.state.repo(owner, name) : undefined;
    if (!repo) throw new TypedGraphQLError("NOT_FOUND", `Could not resolve to a Repository with the name '${input.branch.repositoryNameWithOwner}'.`);
    const branch = input.branch.branchName;
    if (!repo.git.refs.has(branch)) throw new TypedGraphQLError("NOT_FOUND", `A ref named "refs/heads/${branch}" does not exist.`);
    this.hooks.beforeRefUpdate?.(repo, branch);
    const current = repo.git.refs.get(branch)!;
    if (input.expectedHeadOid !== current) {
      throw new TypedGraphQLError("STALE_DATA", `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`);
    }
    const files = repo.git.files(current);
    for (const a of input.fileChanges?.additions ?? []) files.set(a.path, Buffer.from(a.contents, "base64").toString("utf8"));
    for (const d of input.fileChanges?.deletions ?? []) files.delete(d.path);
    const author = this.state.identity(actor);
    const message = input.message.body ? `${input.message.headline}\n\n${input.message.body}` : input.message.headline;
    const sha = repo.git.putCommit({ tree: repo.git.putFiles(files), parents: [current], message, author });
    repo.git.updateRef(branch, sha, { expected: current });
    repo.pushedAt = this.state.now();
    this.hooks.afterCommit?.(repo, branch, current, sha);
    return { __typename: "CreateCommitOnBranchPayload", commit: this.commit(repo, repo.git.commit(sha)!), ref: this.ref(repo, branch) };
  }
}

interface CommitOnBranchInput {
  branch: { repositoryNameWithOwner?: string; branchName: string };
  expectedHeadOid: string;
  message: { headline: string; body?: string };
  fileChanges?: { additions?: Array<{ path: string; contents: string }>; deletions?: Array<{ path: string }> };
}
