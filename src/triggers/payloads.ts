// Webhook payloads, parsed once at the boundary into the few fields we use. A payload
// that lacks them is reported as unexpected (logged and skipped), never half-processed.

export interface RepoRef {
  owner: string;
  repo: string;
}

export class UnexpectedPayload extends Error {}

type Json = Record<string, unknown>;

function obj(value: unknown, path: string): Json {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new UnexpectedPayload(`${path} is missing or not an object`);
  return value as Json;
}
function str(value: unknown, path: string): string {
  if (typeof value !== "string" || value.length === 0) throw new UnexpectedPayload(`${path} is missing or not a string`);
  return value;
}
function num(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new UnexpectedPayload(`${path} is missing or not a number`);
  return value;
}

export function repoOf(payload: unknown): RepoRef {
  const repository = obj(obj(payload, "payload").repository, "repository");
  return { owner: str(obj(repository.owner, "repository.owner").login, "repository.owner.login"), repo: str(repository.name, "repository.name") };
}

export interface PullRequestEvent extends RepoRef {
  number: number;
  headSha: string;
  merged: boolean;
  /** The webhook's merge commit (merge, squash or last rebased commit); null before a merge. */
  mergeCommitSha: string | null;
}

export function pullRequestOf(payload: unknown, field = "pull_request"): PullRequestEvent {
  const pr = obj(obj(payload, "payload")[field], field);
  return {
    ...repoOf(payload),
    number: num(pr.number, `${field}.number`),
    headSha: str(obj(pr.head, `${field}.head`).sha, `${field}.head.sha`),
    merged: pr.merged === true,
    mergeCommitSha: typeof pr.merge_commit_sha === "string" && pr.merge_commit_sha ? pr.merge_commit_sha : null,
  };
}

/** A pull_request.synchronize: its sender pushed the commits between before and after. */
export function synchronizeOf(payload: unknown): { pusher: string; before: string; after: string } | undefined {
  const p = obj(payload, "payload");
  const sender = (p.sender as Json | undefined)?.login;
  if (p.action !== "synchronize" || typeof sender !== "string" || typeof p.before !== "string" || typeof p.after !== "string") return undefined;
  return { pusher: sender, before: p.before, after: p.after };
}

/** A pull_request.labeled: who added which label while which commit was the head. */
export function labeledOf(payload: unknown): { label: string; by: string; headSha: string } | undefined {
  const p = obj(payload, "payload");
  const sender = (p.sender as Json | undefined)?.login;
  const label = (p.label as Json | undefined)?.name;
  if (p.action !== "labeled" || typeof sender !== "string" || typeof label !== "string") return undefined;
  return { label, by: sender, headSha: str(obj(obj(p.pull_request, "pull_request").head, "pull_request.head").sha, "pull_request.head.sha") };
}

export interface CheckEvent extends RepoRef {
  headSha: string;
  appSlug: string | null;
  name: string | null;
  pullRequests: Array<{ number: number; head: { sha: string }; base: { repo: { name: string } } }>;
}

/** check_run and check_suite share the shape we need. */
export function checkEventOf(payload: unknown, field: "check_run" | "check_suite"): CheckEvent {
  const item = obj(obj(payload, "payload")[field], field);
  const app = item.app && typeof item.app === "object" ? (item.app as Json) : null;
  const prs = Array.isArray(item.pull_requests) ? item.pull_requests : [];
  return {
    ...repoOf(payload),
    headSha: str(item.head_sha, `${field}.head_sha`),
    appSlug: typeof app?.slug === "string" ? app.slug : null,
    name: typeof item.name === "string" ? item.name : null,
    pullRequests: prs.flatMap((p) => {
      const pr = p as Json;
      const head = pr.head as Json | undefined;
      const base = pr.base as Json | undefined;
      const baseRepo = base?.repo as Json | undefined;
      return typeof pr.number === "number" && typeof head?.sha === "string" && typeof baseRepo?.name === "string"
        ? [{ number: pr.number, head: { sha: head.sha }, base: { repo: { name: baseRepo.name } } }]
        : [];
    }),
  };
}

export function statusEventOf(payload: unknown): RepoRef & { sha: string; context: string } {
  const p = obj(payload, "payload");
  return { ...repoOf(payload), sha: str(p.sha, "sha"), context: str(p.context, "context") };
}

export interface MergeGroupEvent extends RepoRef {
  headSha: string;
  headRef: string;
  /** The queue's base branch, without `refs/heads/`. */
  baseRef: string;
  /** PR numbers named by the queue's branch (`gh-readonly-queue/<base>/pr-<n>-<sha>`). */
  pullNumbers: number[];
}

export function mergeGroupOf(payload: unknown): MergeGroupEvent {
  const group = obj(obj(payload, "payload").merge_group, "merge_group");
  const headRef = str(group.head_ref, "merge_group.head_ref");
  const pullNumbers = [...headRef.matchAll(/pr-(\d+)-[0-9a-f]{7,40}/g)].map((m) => Number(m[1]));
  const baseRef = str(group.base_ref, "merge_group.base_ref").replace(/^refs\/heads\//, "");
  return { ...repoOf(payload), headSha: str(group.head_sha, "merge_group.head_sha"), headRef, baseRef, pullNumbers };
}

export interface PushEventPayload extends RepoRef {
  repository: string;
  ref: string;
  before: string;
  after: string;
  forced: boolean;
  created: boolean;
  deleted: boolean;
  pusher: string;
  /** The account that pushed (`<slug>[bot]` for an app), from `sender`. */
  sender: string | null;
  defaultBranch: string;
  commits: Array<{ id: string; message: string; author: { username?: string | null; name?: string | null } }>;
}

export function pushOf(payload: unknown): PushEventPayload {
  const p = obj(payload, "payload");
  const repo = repoOf(payload);
  const repository = obj(p.repository, "repository");
  const commits = Array.isArray(p.commits) ? (p.commits as Json[]) : [];
  return {
    ...repo,
    repository: `${repo.owner}/${repo.repo}`,
    ref: str(p.ref, "ref"),
    before: str(p.before, "before"),
    after: str(p.after, "after"),
    forced: p.forced === true,
    created: p.created === true,
    deleted: p.deleted === true,
    pusher: typeof (p.pusher as Json | undefined)?.name === "string" ? String((p.pusher as Json).name) : "unknown",
    sender: typeof (p.sender as Json | undefined)?.login === "string" ? String((p.sender as Json).login) : null,
    defaultBranch: typeof repository.default_branch === "string" ? repository.default_branch : typeof repository.master_branch === "string" ? repository.master_branch : "main",
    commits: commits.map((c) => ({
      id: str(c.id, "commits[].id"),
      message: typeof c.message === "string" ? c.message : "",
      author: (c.author as { username?: string; name?: string } | undefined) ?? {},
    })),
  };
}
