// The sandbox's in-memory organization: users, teams, repositories with their git objects,
// pull requests, reviews, labels, check runs and statuses, branch protection and rulesets,
// collaborators and issues. Every change a person (or CI) makes goes through a method
// here, which also announces the webhook event GitHub would send.

import { GitStore, type GitIdentity } from "./git.js";

export type Permission = "admin" | "maintain" | "write" | "triage" | "read";
export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";

export interface AppInfo {
  id: number;
  slug: string;
  name: string;
}

export interface User {
  login: string;
  id: number;
  type: "User" | "Bot";
}

export interface Team {
  id: number;
  slug: string;
  name: string;
  members: string[];
}

export interface Org {
  login: string;
  id: number;
  teams: Map<string, Team>;
  members: Set<string>;
  admins: Set<string>;
  installationId: number;
}

export interface Review {
  id: number;
  login: string;
  state: ReviewState;
  commitId: string;
  body: string;
  submittedAt: string;
}

export interface LabelEvent {
  name: string;
  actor: string;
  createdAt: string;
}

export interface PullRequest {
  id: number;
  number: number;
  title: string;
  body: string;
  author: string;
  headRef: string;
  baseRef: string;
  draft: boolean;
  state: "open" | "closed";
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  /** The base branch head when the PR was opened (its commits are head minus this). */
  baseSha: string;
  /** Head and commits frozen when the PR closes. */
  closedHead: string | null;
  labels: string[];
  labelEvents: LabelEvent[];
  reviews: Review[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface CheckSuite {
  id: number;
  headSha: string;
  headBranch: string | null;
  app: AppInfo;
}

export interface CheckRun {
  id: number;
  suiteId: number;
  name: string;
  headSha: string;
  app: AppInfo;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations: Array<Record<string, unknown>> };
}

export interface CommitStatus {
  id: number;
  sha: string;
  context: string;
  state: "error" | "failure" | "pending" | "success";
  targetUrl: string | null;
  description: string | null;
  createdAt: string;
}

export interface ClassicProtection {
  /** null: no pull request required. */
  requiredApprovingReviewCount: number | null;
  dismissStaleReviews: boolean;
  requireCodeOwnerReviews: boolean;
  requireLastPushApproval: boolean;
  /** null: no required status checks. */
  requiredStatusChecks: string[] | null;
  strict: boolean;
  enforceAdmins: boolean;
  allowForcePushes: boolean;
  allowDeletions: boolean;
}

export interface Ruleset {
  id: number;
  name: string;
  enforcement: "active" | "evaluate" | "disabled";
  /** ref_name include patterns: "~DEFAULT_BRANCH", "refs/heads/main", "~ALL". */
  include: string[];
  rules: Array<{ type: string; parameters?: Record<string, unknown> }>;
  bypassActors: Array<{ actor_id: number | null; actor_type: string; bypass_mode: string }>;
  createdAt: string;
}

export interface Comment {
  id: number;
  body: string;
  user: string;
  createdAt: string;
  /** The app's slug when an app wrote it with its installation token (performed_via_github_app). */
  viaApp?: string | null;
}

export interface Issue {
  id: number;
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  stateReason: string | null;
  user: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  comments: Comment[];
  locked?: boolean;
  pinned?: boolean;
}

export interface Repo {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string;
  git: GitStore;
  nextNumber: number;
  pulls: Map<number, PullRequest>;
  issues: Map<number, Issue>;
  labels: Map<string, { id: number; color: string; description: string | null }>;
  suites: CheckSuite[];
  checkRuns: CheckRun[];
  statuses: CommitStatus[];
  protection: Map<string, ClassicProtection>;
  rulesets: Ruleset[];
  collaborators: Map<string, Permission>;
  teamAccess: Map<string, Permission>;
  security: { secretScanning: "enabled" | "disabled"; pushProtection: "enabled" | "disabled" };
  secretAlerts: Array<{ number: number; secretType: string; createdAt: string; state: "open" | "resolved" }>;
  createdAt: string;
  pushedAt: string;
}

export interface SandboxEvent {
  name: string;
  payload: Record<string, unknown>;
}

export const CI_APP: AppInfo = { id: 15368, slug: "github-actions", name: "GitHub Actions" };

const PERMISSION_ORDER: Permission[] = ["read", "triage", "write", "maintain", "admin"];

export interface FileChanges {
  [path: string]: string | null;
}

export class SandboxState {
  readonly users = new Map<string, User>();
  readonly orgs = new Map<string, Org>();
  readonly repos = new Map<string, Repo>();
  private nextId = 1000;
  private clockOffset = 0;
  /** Receives the webhook event for every change (the server delivers it). */
  onEvent: (event: SandboxEvent) => void = () => undefined;
  /** Builds the webhook payload for an event (set by the server, which knows URLs). */
  describe: PayloadBuilder | null = null;

  constructor(readonly app: AppInfo) {}

  id(): number {
    return ++this.nextId;
  }

  /** Wall clock, strictly increasing so event order is always visible in timestamps. */
  now(): string {
    const t = Math.max(Date.now(), this.clockOffset + 1);
    this.clockOffset = t;
    return new Date(t).toISOString();
  }

  user(login: string, type: "User" | "Bot" = "User"): User {
    let user = this.users.get(login);
    if (!user) {
      user = { login, id: this.id(), type: login.endsWith("[bot]") ? "Bot" : type };
      this.users.set(login, user);
    }
    return user;
  }

  createOrg(login: string, installationId: number): Org {
    const org: Org = { login, id: this.id(), teams: new Map(), members: new Set(), admins: new Set(), installationId };
    this.orgs.set(login.toLowerCase(), org);
    return org;
  }

  org(login: string): Org | undefined {
    return this.orgs.get(login.toLowerCase());
  }

  addMember(org: string, login: string, role: "member" | "admin" = "member"): void {
    const o = this.mustOrg(org);
    this.user(login);
    o.members.add(login);
    if (role === "admin") o.admins.add(login);
  }

  addTeam(org: string, slug: string, members: string[]): Team {
    const o = this.mustOrg(org);
    const team: Team = { id: this.id(), slug, name: slug, members: [...members] };
    for (const m of members) this.addMember(org, m);
    o.teams.set(slug, team);
    return team;
  }

  private mustOrg(login: string): Org {
    const o = this.org(login);
    if (!o) throw new Error(`sandbox: no organization ${login}`);
    return o;
  }

  identity(login: string | null, name?: string): GitIdentity {
    return { name: name ?? login ?? "someone", email: login ? `${this.user(login).id}+${login}@users.noreply.github.com` : `${name ?? "someone"}@example.com`, login, date: this.now() };
  }

  createRepo(owner: string, name: string, options: { files?: FileChanges; defaultBranch?: string; private?: boolean; createdBy?: string } = {}): Repo {
    this.mustOrg(owner);
    const git = new GitStore();
    const defaultBranch = options.defaultBranch ?? "main";
    const files = new Map<string, string>(Object.entries(options.files ?? { "README.md": `# ${name}\n` }).filter((e): e is [string, string] => e[1] !== null));
    // Repositories predate the story: their first commit is two months old.
    const author = { ...this.identity(options.createdBy ?? null, options.createdBy ? undefined : "sandbox"), date: new Date(Date.now() - 60 * 86_400_000).toISOString() };
    const root = git.putCommit({ tree: git.putFiles(files), parents: [], message: "Initial commit", author });
    git.updateRef(defaultBranch, root, { force: true });
    const now = author.date;
    const repo: Repo = {
      id: this.id(),
      owner,
      name,
      private: options.private ?? true,
      defaultBranch,
      git,
      nextNumber: 1,
      pulls: new Map(),
      issues: new Map(),
      labels: new Map(),
      suites: [],
      checkRuns: [],
      statuses: [],
      protection: new Map(),
      rulesets: [],
      collaborators: new Map(),
      teamAccess: new Map(),
      security: { secretScanning: "enabled", pushProtection: "enabled" },
      secretAlerts: [],
      createdAt: now,
      pushedAt: now,
    };
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    return repo;
  }

  repo(owner: string, name: string): Repo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  mustRepo(fullName: string): Repo {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`sandbox: no repository ${fullName}`);
    return repo;
  }

  /** Effective permission: direct collaborator, a team with access, or org admin. */
  permission(repo: Repo, login: string): Permission | "none" {
    const org = this.org(repo.owner);
    const candidates: Permission[] = [];
    const direct = repo.collaborators.get(login);
    if (direct) candidates.push(direct);
    for (const [slug, perm] of repo.teamAccess) if (org?.teams.get(slug)?.members.includes(login)) candidates.push(perm);
    if (org?.admins.has(login)) candidates.push("admin");
    if (candidates.length === 0) return "none";
    return candidates.sort((a, b) => PERMISSION_ORDER.indexOf(b) - PERMISSION_ORDER.indexOf(a))[0]!;
  }

  emit(name: string, action: string | null, repo: Repo | null, sender: string, fields: Record<string, unknown>): void {
    if (!this.describe) return;
    const payload = this.describe.envelope(action, repo, sender, fields);
    this.onEvent({ name, payload });
  }

  // ── commits and pushes ────────────────────────────────────────────────────

  /**
   * Commits file changes on a branch (created from the default branch if missing) and
   * pushes: a push event, and `synchronize` for open PRs whose head this branch is.
   */
  commit(fullName: string, branch: string, change: { files: FileChanges; message: string; author: string | null; authorName?: string; committer?: string | null; pusher?: string; parents?: string[] }): string {
    const repo = this.mustRepo(fullName);
    const before = repo.git.refs.get(branch) ?? null;
    const from = before ?? repo.git.refs.get(repo.defaultBranch)!;
    const files = new Map(repo.git.files(change.parents?.[0] ?? from));
    for (const [path, text] of Object.entries(change.files)) {
      if (text === null) files.delete(path);
      else files.set(path, text);
    }
    const author = this.identity(change.author, change.authorName);
    const committer = change.committer === undefined ? author : this.identity(change.committer, change.committer ? undefined : "web-flow");
    const sha = repo.git.putCommit({ tree: repo.git.putFiles(files), parents: change.parents ?? [from], message: change.message, author, committer });
    repo.git.updateRef(branch, sha, { force: true });
    repo.pushedAt = this.now();
    this.announcePush(repo, branch, before, sha, change.pusher ?? change.author ?? "sandbox", before === null);
    for (const pr of repo.pulls.values()) {
      if (pr.state === "open" && pr.headRef === branch) {
        pr.updatedAt = this.now();
        this.emit("pull_request", "synchronize", repo, change.pusher ?? change.author ?? "sandbox", { number: pr.number, pull_request: this.describe!.pullRequest(repo, pr), before: before ?? undefined, after: sha });
      }
    }
    return sha;
  }

  createBranch(fullName: string, branch: string, from?: string): string {
    const repo = this.mustRepo(fullName);
    const sha = from ?? repo.git.refs.get(repo.defaultBranch)!;
    repo.git.updateRef(branch, sha, { force: true });
    return sha;
  }

  private announcePush(repo: Repo, branch: string, before: string | null, after: string, pusher: string, created: boolean, forced = false): void {
    const commits = before ? repo.git.between(before, after) : [repo.git.commit(after)!];
    this.emit("push", null, repo, pusher, {
      ref: `refs/heads/${branch}`,
      before: before ?? "0".repeat(40),
      after,
      created,
      deleted: false,
      forced,
      base_ref: null,
      compare: `${this.describe!.webUrl}/${repo.owner}/${repo.name}/compare/${(before ?? "0".repeat(40)).slice(0, 12)}...${after.slice(0, 12)}`,
      commits: commits.map((c) => this.describe!.pushCommit(repo, c)),
      head_commit: this.describe!.pushCommit(repo, repo.git.commit(after)!),
      pusher: { name: pusher, email: `${pusher}@users.noreply.github.com` },
    });
  }

  // ── pull requests ─────────────────────────────────────────────────────────

  headSha(repo: Repo, pr: PullRequest): string {
    return pr.closedHead ?? repo.git.refs.get(pr.headRef) ?? pr.baseSha;
  }

  pullCommits(repo: Repo, pr: PullRequest) {
    return repo.git.between(pr.baseSha, this.headSha(repo, pr));
  }

  openPullRequest(fullName: string, input: { title: string; body?: string; author: string; head: string; base?: string; draft?: boolean }): PullRequest {
    const repo = this.mustRepo(fullName);
    const base = input.base ?? repo.defaultBranch;
    const now = this.now();
    const pr: PullRequest = {
      id: this.id(),
      number: repo.nextNumber++,
      title: input.title,
      body: input.body ?? "",
      author: input.author,
      headRef: input.head,
      baseRef: base,
      draft: input.draft ?? false,
      state: "open",
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      baseSha: repo.git.refs.get(base)!,
      closedHead: null,
      labels: [],
      labelEvents: [],
      reviews: [],
      createdAt: now,
      updatedAt: now,
      closedAt: null,
    };
    this.user(input.author);
    repo.pulls.set(pr.number, pr);
    this.emit("pull_request", "opened", repo, input.author, { number: pr.number, pull_request: this.describe!.pullRequest(repo, pr) });
    return pr;
  }

  mustPull(fullName: string, number: number): { repo: Repo; pr: PullRequest } {
    const repo = this.mustRepo(fullName);
    const pr = repo.pulls.get(number);
    if (!pr) throw new Error(`sandbox: no pull request ${fullName}#${number}`);
    return { repo, pr };
  }

  review(fullName: string, number: number, login: string, state: Exclude<ReviewState, "DISMISSED">, body = ""): Review {
    const { repo, pr } = this.mustPull(fullName, number);
    const review: Review = { id: this.id(), login, state, commitId: this.headSha(repo, pr), body, submittedAt: this.now() };
    this.user(login);
    pr.reviews.push(review);
    pr.updatedAt = review.submittedAt;
    this.emit("pull_request_review", "submitted", repo, login, { review: this.describe!.review(repo, pr, review), pull_request: this.describe!.pullRequest(repo, pr) });
    return review;
  }

  label(fullName: string, number: number, name: string, actor: string): void {
    const { repo, pr } = this.mustPull(fullName, number);
    if (!repo.labels.has(name)) repo.labels.set(name, { id: this.id(), color: "d93f0b", description: null });
    if (!pr.labels.includes(name)) pr.labels.push(name);
    pr.labelEvents.push({ name, actor, createdAt: this.now() });
    pr.updatedAt = this.now();
    this.emit("pull_request", "labeled", repo, actor, { number: pr.number, label: this.describe!.label(repo, name), pull_request: this.describe!.pullRequest(repo, pr) });
  }

  editPullRequest(fullName: string, number: number, change: { title?: string; body?: string }, actor: string): void {
    const { repo, pr } = this.mustPull(fullName, number);
    if (change.title !== undefined) pr.title = change.title;
    if (change.body !== undefined) pr.body = change.body;
    pr.updatedAt = this.now();
    this.emit("pull_request", "edited", repo, actor, { number: pr.number, changes: {}, pull_request: this.describe!.pullRequest(repo, pr) });
  }

  /** Merges (a merge commit, or a squash) onto the base branch: `closed` (merged) and a push. */
  merge(fullName: string, number: number, by: string, method: "merge" | "squash" = "merge"): string {
    const { repo, pr } = this.mustPull(fullName, number);
    if (pr.state !== "open") throw new Error(`sandbox: ${fullName}#${number} is not open`);
    const head = this.headSha(repo, pr);
    const base = repo.git.refs.get(pr.baseRef)!;
    const files = new Map(repo.git.files(base));
    // Apply the PR's changes (head vs its merge base) onto the base.
    const mergeBase = repo.git.mergeBase(base, head) ?? pr.baseSha;
    const before = repo.git.files(mergeBase);
    const after = repo.git.files(head);
    for (const path of new Set([...before.keys(), ...after.keys()])) {
      const a = after.get(path);
      if (a === before.get(path)) continue;
      if (a === undefined) files.delete(path);
      else files.set(path, a);
    }
    const committer = this.identity(null, "GitHub");
    const sha = repo.git.putCommit({
      tree: repo.git.putFiles(files),
      parents: method === "merge" ? [base, head] : [base],
      message: method === "merge" ? `Merge pull request #${pr.number} from ${repo.owner}/${pr.headRef}\n\n${pr.title}` : `${pr.title} (#${pr.number})`,
      author: this.identity(by),
      committer,
    });
    repo.git.updateRef(pr.baseRef, sha);
    const now = this.now();
    Object.assign(pr, { state: "closed", merged: true, mergedAt: now, mergedBy: by, mergeCommitSha: sha, closedHead: head, closedAt: now, updatedAt: now });
    this.emit("pull_request", "closed", repo, by, { number: pr.number, pull_request: this.describe!.pullRequest(repo, pr) });
    this.announcePush(repo, pr.baseRef, base, sha, by, false);
    return sha;
  }

  // ── checks and statuses ───────────────────────────────────────────────────

  suiteFor(repo: Repo, app: AppInfo, headSha: string): CheckSuite {
    let suite = repo.suites.find((s) => s.app.id === app.id && s.headSha === headSha);
    if (!suite) {
      const branch = [...repo.git.refs].find(([, sha]) => sha === headSha)?.[0] ?? null;
      suite = { id: this.id(), headSha, headBranch: branch, app };
      repo.suites.push(suite);
    }
    return suite;
  }

  createCheckRun(repo: Repo, app: AppInfo, input: { name: string; headSha: string; status?: CheckRun["status"]; conclusion?: string | null; externalId?: string | null; detailsUrl?: string | null; startedAt?: string; completedAt?: string; output?: Partial<CheckRun["output"]> }): CheckRun {
    const suite = this.suiteFor(repo, app, input.headSha);
    const status = input.conclusion ? "completed" : (input.status ?? "queued");
    const run: CheckRun = {
      id: this.id(),
      suiteId: suite.id,
      name: input.name,
      headSha: input.headSha,
      app,
      status,
      conclusion: status === "completed" ? (input.conclusion ?? "success") : null,
      startedAt: input.startedAt ?? this.now(),
      completedAt: status === "completed" ? (input.completedAt ?? this.now()) : null,
      externalId: input.externalId ?? null,
      detailsUrl: input.detailsUrl ?? null,
      output: { title: null, summary: null, text: null, annotations: [], ...input.output, ...(input.output?.annotations ? { annotations: [...input.output.annotations] } : {}) },
    };
    repo.checkRuns.push(run);
    if (status === "completed") this.suiteMaybeCompleted(repo, suite);
    return run;
  }

  updateCheckRun(repo: Repo, run: CheckRun, change: { status?: CheckRun["status"]; conclusion?: string | null; completedAt?: string; output?: Partial<CheckRun["output"]>; detailsUrl?: string | null; externalId?: string | null }): void {
    const wasCompleted = run.status === "completed";
    if (change.conclusion) {
      run.status = "completed";
      run.conclusion = change.conclusion;
      run.completedAt = change.completedAt ?? this.now();
    } else if (change.status) {
      run.status = change.status;
      if (change.status !== "completed") {
        run.conclusion = null;
        run.completedAt = null;
      } else {
        run.conclusion ??= "success";
        run.completedAt = change.completedAt ?? this.now();
      }
    }
    if (change.detailsUrl !== undefined) run.detailsUrl = change.detailsUrl;
    if (change.externalId !== undefined) run.externalId = change.externalId;
    if (change.output) {
      const { annotations, ...rest } = change.output;
      Object.assign(run.output, rest);
      // GitHub appends annotations across updates.
      if (annotations) run.output.annotations.push(...annotations);
    }
    if (!wasCompleted && run.status === "completed") this.suiteMaybeCompleted(repo, repo.suites.find((s) => s.id === run.suiteId)!);
  }

  /** CI reports a check on a commit (another app's check run), created or completed. */
  ci(fullName: string, sha: string, name: string, conclusion: string | null, app: AppInfo = CI_APP): CheckRun {
    const repo = this.mustRepo(fullName);
    const existing = repo.checkRuns.filter((r) => r.app.id === app.id && r.headSha === sha && r.name === name).at(-1);
    if (existing && existing.status !== "completed") {
      this.updateCheckRun(repo, existing, conclusion ? { conclusion } : { status: "in_progress" });
      return existing;
    }
    return this.createCheckRun(repo, app, { name, headSha: sha, ...(conclusion ? { conclusion } : { status: "in_progress" }) });
  }

  private suiteMaybeCompleted(repo: Repo, suite: CheckSuite): void {
    const runs = repo.checkRuns.filter((r) => r.suiteId === suite.id);
    if (runs.some((r) => r.status !== "completed")) return;
    this.emit("check_suite", "completed", repo, suite.app.slug === this.app.slug ? `${this.app.slug}[bot]` : `${suite.app.slug}[bot]`, { check_suite: this.describe!.checkSuite(repo, suite) });
  }

  setStatus(fullName: string, sha: string, context: string, state: CommitStatus["state"], sender = "ci-bot[bot]"): CommitStatus {
    const repo = this.mustRepo(fullName);
    const status: CommitStatus = { id: this.id(), sha, context, state, targetUrl: null, description: null, createdAt: this.now() };
    repo.statuses.push(status);
    this.emit("status", null, repo, sender, { sha, context, state, id: status.id, target_url: null, description: null, commit: { sha }, branches: [] });
    return status;
  }

  // ── settings ──────────────────────────────────────────────────────────────

  protect(fullName: string, branch: string, protection: Partial<ClassicProtection>): void {
    const repo = this.mustRepo(fullName);
    repo.protection.set(branch, {
      requiredApprovingReviewCount: 1,
      dismissStaleReviews: true,
      requireCodeOwnerReviews: false,
      requireLastPushApproval: false,
      requiredStatusChecks: [],
      strict: false,
      enforceAdmins: true,
      allowForcePushes: false,
      allowDeletions: false,
      ...protection,
    });
  }

  addRuleset(fullName: string, ruleset: Omit<Ruleset, "id" | "createdAt">): Ruleset {
    const repo = this.mustRepo(fullName);
    const full: Ruleset = { ...ruleset, id: this.id(), createdAt: this.now() };
    repo.rulesets.push(full);
    return full;
  }

  /** Rulesets in force on a branch. */
  rulesetsFor(repo: Repo, branch: string): Ruleset[] {
    return repo.rulesets.filter(
      (r) => r.enforcement === "active" && r.include.some((p) => p === "~ALL" || (p === "~DEFAULT_BRANCH" && branch === repo.defaultBranch) || p === `refs/heads/${branch}`),
    );
  }

  grant(fullName: string, login: string, permission: Permission): void {
    this.user(login);
    this.mustRepo(fullName).collaborators.set(login, permission);
  }

  grantTeam(fullName: string, slug: string, permission: Permission): void {
    this.mustRepo(fullName).teamAccess.set(slug, permission);
  }

  // ── issues ────────────────────────────────────────────────────────────────

  createIssue(repo: Repo, input: { title: string; body: string; labels: string[]; user: string }): Issue {
    const now = this.now();
    const issue: Issue = { id: this.id(), number: repo.nextNumber++, title: input.title, body: input.body, labels: [...input.labels], state: "open", stateReason: null, user: input.user, createdAt: now, updatedAt: now, closedAt: null, comments: [] };
    for (const l of input.labels) if (!repo.labels.has(l)) repo.labels.set(l, { id: this.id(), color: "ededed", description: null });
    repo.issues.set(issue.number, issue);
    return issue;
  }

  /** A comment by a person (or, with viaApp, an app); the attack suite forges checkpoint comments with it. */
  commentOn(repo: Repo, number: number, user: string, body: string, viaApp: string | null = null): Comment {
    const issue = repo.issues.get(number);
    if (!issue) throw new Error(`no issue #${number} in ${repo.owner}/${repo.name}`);
    this.user(user);
    const comment: Comment = { id: this.id(), body, user, createdAt: this.now(), viaApp };
    issue.comments.push(comment);
    return comment;
  }
}

/** Builds GitHub's JSON shapes (REST and webhook payloads); implemented by the server. */
export interface PayloadBuilder {
  webUrl: string;
  envelope(action: string | null, repo: Repo | null, sender: string, fields: Record<string, unknown>): Record<string, unknown>;
  pullRequest(repo: Repo, pr: PullRequest): Record<string, unknown>;
  review(repo: Repo, pr: PullRequest, review: Review): Record<string, unknown>;
  label(repo: Repo, name: string): Record<string, unknown>;
  checkSuite(repo: Repo, suite: CheckSuite): Record<string, unknown>;
  pushCommit(repo: Repo, commit: import("./git.js").GitCommit): Record<string, unknown>;
}
