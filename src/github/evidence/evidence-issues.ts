// The archive repository's issues as an IssueSink: opens an issue unless one with the same
// key exists. Only an issue the app itself authored counts as "the same": anyone can open
// an issue carrying a key marker, and the marker alone must not silence a new one.

import type { GitHubClient } from "../transport/client.js";
import { issueKeyMarker, type IssueDraft, type IssueSink } from "../../evidence/issue-sink.js";

export class GitHubIssueSink implements IssueSink {
  constructor(
    private readonly gh: GitHubClient,
    private readonly owner: string,
    private readonly repo: string,
    /** The login issues are opened as (`<slug>[bot]` for the app, the token's user for the CLI). */
    private readonly author: () => Promise<string>,
  ) {}

  get description(): string {
    return `${this.owner}/${this.repo} issues`;
  }

  async open(issue: IssueDraft): Promise<{ url: string; created: boolean }> {
    const label = issue.labels[0];
    const me = (await this.author()).toLowerCase();
    // The key marker in the body decides, on our own issues only; the label narrows the listing.
    const existing = await this.gh.paginate("GET /repos/{owner}/{repo}/issues", { owner: this.owner, repo: this.repo, state: "all", per_page: 100, ...(label ? { labels: label } : {}) });
    const found = existing.find((i) => (i.user?.login ?? "").toLowerCase() === me && (i.body ?? "").includes(issueKeyMarker(issue.key)));
    if (found) return { url: found.html_url, created: false };
    const { data } = await this.gh.request("POST /repos/{owner}/{repo}/issues", {
      owner: this.owner,
      repo: this.repo,
      title: issue.title,
      body: `${issue.body}\n\n${issueKeyMarker(issue.key)}`,
      labels: issue.labels,
    });
    return { url: data.html_url, created: true };
  }
}

/** The login a token acts as: the app's bot for an installation, else the token's user. */
export const appBotLogin = (appSlug: () => Promise<string>) => async (): Promise<string> => `${await appSlug()}[bot]`;

export function tokenUserLogin(gh: GitHubClient): () => Promise<string> {
  let login: Promise<string> | undefined;
  return () => (login ??= gh.request("GET /user").then((r) => r.data.login));
}
