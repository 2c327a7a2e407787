// Checkpoints anchored on GitHub, outside the archive's git history: comments by the app
// on one pinned, locked issue "soc2-guard checkpoints" in the archive repository. Only
// the app can write as itself (`<slug>[bot]`, performed_via_github_app) and a locked issue
// takes no comments from outsiders; anyone else's comment there is reported by verify,
// never counted. The issue is found again only when the app opened it. list() also reads
// the export issues the app opened (each carries its period's checkpoint).

import type { GitHubClient } from "../transport/client.js";
import type { CheckpointAnchor } from "../../evidence/checkpoint-publisher.js";
import { renderCheckpointComment, type Checkpoint } from "../../trust/checkpoint.js";
import type { DsseEnvelope } from "../../trust/dsse.js";
import type { CheckpointSource } from "../../trust/verify-archive.js";

export const CHECKPOINTS_TITLE = "soc2-guard checkpoints";
export const CHECKPOINTS_LABEL = "soc2-guard:checkpoints";
const EXPORT_LABEL = "soc2-guard:export";

export interface CheckpointIssueOptions {
  owner: string;
  repo: string;
  branch: string;
  /** The app's slug; its comments are by `<slug>[bot]`. */
  appSlug: () => Promise<string>;
}

interface IssueLike {
  number: number;
  node_id: string;
  title: string;
  body?: string | null;
  html_url: string;
  locked?: boolean;
  user: { login: string; type?: string } | null;
}

interface CommentLike {
  html_url: string;
  body?: string;
  user: { login: string } | null;
  performed_via_github_app?: { slug?: string } | null;
}

/** Who wrote a comment, as verify compares it: the login, or "login via app X" when another app relayed it. */
export function commentAuthor(comment: CommentLike, appSlug: string): string | null {
  const login = comment.user?.login ?? null;
  const via = comment.performed_via_github_app?.slug;
  if (login && via && via !== appSlug) return `${login} (via app ${via})`;
  return login;
}

export class GitHubCheckpointIssue implements CheckpointAnchor {
  private issue: IssueLike | null = null;
  /** Requests sent (the bench counts them per archive commit). */
  requests = 0;

  constructor(
    private readonly gh: GitHubClient,
    private readonly options: CheckpointIssueOptions,
  ) {}

  get archive(): string {
    return `${this.options.owner}/${this.options.repo}@${this.options.branch}`;
  }

  get description(): string {
    return `${this.options.owner}/${this.options.repo} issue "${CHECKPOINTS_TITLE}"`;
  }

  private get repoParams(): { owner: string; repo: string } {
    return { owner: this.options.owner, repo: this.options.repo };
  }

  private async appLogin(): Promise<string> {
    return `${await this.options.appSlug()}[bot]`;
  }

  /** The app's own issues with a label, oldest first. */
  private async appIssues(label: string): Promise<IssueLike[]> {
    this.requests++;
    const login = (await this.appLogin()).toLowerCase();
    const issues = (await this.gh.paginate("GET /repos/{owner}/{repo}/issues", { ...this.repoParams, state: "all", labels: label, per_page: 100 })) as IssueLike[];
    return issues.filter((i) => i.user?.login.toLowerCase() === login).sort((a, b) => a.number - b.number);
  }

  private async findIssue(): Promise<IssueLike | null> {
    if (this.issue) return this.issue;
    this.issue = (await this.appIssues(CHECKPOINTS_LABEL)).find((i) => i.title === CHECKPOINTS_TITLE) ?? null;
    return this.issue;
  }

  /** Opens, locks and pins the issue once; later checkpoints cost one request each. */
  private async ensureIssue(): Promise<IssueLike> {
    const found = await this.findIssue();
    if (found && found.locked) return found;
    let issue = found;
    if (!issue) {
      this.requests++;
      const { data } = await this.gh.request("POST /repos/{owner}/{repo}/issues", {
        ...this.repoParams,
        title: CHECKPOINTS_TITLE,
        labels: [CHECKPOINTS_LABEL],
        body: [
          "soc2-guard signs a checkpoint of the evidence archive after archive commits (at most one a minute) and posts it here as a comment.",
          "",
          "Each comment holds a DSSE envelope signed with the app's Ed25519 key: the archive, the number of records, the chain head hash and the time. `soc2-guard verify --repo OWNER/REPO --key PUBLIC_KEY.pem` checks every checkpoint against the archive as it is now, so a rewritten, truncated or rolled-back archive shows even when every hash in it is self-consistent.",
          "",
          "This issue is locked; only the app's own comments count. Do not close, unpin or delete it.",
        ].join("\n"),
      });
      issue = data as IssueLike;
    }
    this.requests++;
    await this.gh.request("PUT /repos/{owner}/{repo}/issues/{issue_number}/lock", { ...this.repoParams, issue_number: issue.number, lock_reason: "resolved" });
    // Pinning helps people find it; verification does not depend on it.
    this.requests++;
    await this.gh.graphql(`mutation ($id: ID!) { pinIssue(input: { issueId: $id }) { issue { id } } }`, { id: issue.node_id }).catch(() => undefined);
    this.issue = { ...issue, locked: true };
    return this.issue;
  }

  async publish(checkpoint: Checkpoint, envelope: DsseEnvelope): Promise<void> {
    const issue = await this.ensureIssue();
    this.requests++;
    await this.gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...this.repoParams, issue_number: issue.number, body: renderCheckpointComment(checkpoint, envelope) });
  }

  async list(): Promise<CheckpointSource[]> {
    const slug = await this.options.appSlug();
    const sources: CheckpointSource[] = [];
    const issue = await this.findIssue();
    if (issue) {
      this.requests++;
      const comments = (await this.gh.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...this.repoParams, issue_number: issue.number, per_page: 100 })) as CommentLike[];
      for (const c of comments) sources.push({ location: c.html_url, author: commentAuthor(c, slug), text: c.body ?? "" });
    }
    for (const exported of await this.appIssues(EXPORT_LABEL)) {
      if ((exported.body ?? "").includes("```json")) sources.push({ location: exported.html_url, author: exported.user?.login ?? null, text: exported.body ?? "" });
    }
    return sources;
  }
}
