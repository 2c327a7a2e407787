// Issues in the archive repository that ask people for something: a justification for an
// unreviewed direct push, a retroactive review of an emergency change.

import type { GitHubClient } from "./client.js";
import type { AppServices } from "../triggers/services.js";
import type { ArchiveConfig } from "../config/types.js";
import type { Facts } from "../facts.js";
import type { ExceptionState } from "../controls/exception.js";
import type { EvidenceRecord } from "../evidence/record.js";
import { issueKeyMarker, type IssueDraft, type IssueSink } from "../evidence/issue-sink.js";

export class GitHubIssueSink implements IssueSink {
  constructor(
    private readonly gh: GitHubClient,
    private readonly owner: string,
    private readonly repo: string,
  ) {}

  get description(): string {
    return `${this.owner}/${this.repo} issues`;
  }

  async open(issue: IssueDraft): Promise<{ url: string; created: boolean }> {
    const label = issue.labels[0];
    // The key marker in the body decides; the label narrows the listing.
    const existing = await this.gh.paginate("GET /repos/{owner}/{repo}/issues", { owner: this.owner, repo: this.repo, state: "all", per_page: 100, ...(label ? { labels: label } : {}) });
    const found = existing.find((i) => (i.body ?? "").includes(issueKeyMarker(issue.key)));
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

export async function openDirectPushIssue(gh: GitHubClient, services: AppServices, owner: string, archive: ArchiveConfig, record: EvidenceRecord): Promise<string> {
  const push = record.push!;
  const body = [
    `**${push.pusher}** pushed ${push.commits.length} commit${push.commits.length === 1 ? "" : "s"} directly to \`${record.baseBranch}\` of **${record.repository}**${push.forced ? " with a **force push**" : ""}, without a reviewed pull request.`,
    "",
    "| commit | author | message |",
    "|---|---|---|",
    ...push.commits.slice(0, 50).map((c) => `| \`${c.sha.slice(0, 7)}\` | ${c.author ?? "unknown"} | ${c.message.replace(/\|/g, "\\|")} |`),
    "",
    `Evidence record: \`${record.id}\` (collected ${record.collectedAt}).`,
    "",
    "**To close this:** the pusher or a maintainer explains why the change bypassed review (incident, automation, mistake), links the ticket, and a second person reviews the commits above and says so in a comment. Then close the issue; the monthly export lists it as an exception either way.",
  ].join("\n");
  const result = await services.issuesFor(gh, owner, archive).open({
    title: `Unreviewed change: ${record.repository}@${push.after.slice(0, 7)} pushed to ${record.baseBranch} by ${push.pusher}`,
    body,
    labels: ["soc2-guard:direct-push"],
    key: record.id,
  });
  return result.url;
}

export async function openRetroReviewIssue(gh: GitHubClient, services: AppServices, owner: string, archive: ArchiveConfig, facts: Facts, exception: ExceptionState): Promise<string> {
  const pr = facts.pr;
  const body = [
    `Emergency change **${pr.owner}/${pr.repo}#${pr.number}** (${pr.title}) was merged under the \`${exception.label}\` exception declared by ${exception.declaredBy ? `@${exception.declaredBy}` : "unknown"}.`,
    "",
    `Reason: ${exception.reason}`,
    "",
    `**Retroactive review due by ${exception.reviewDueAt}.** A reviewer who is not the author reviews ${pr.url}/files, comments here with the outcome, and closes this issue.`,
  ].join("\n");
  const result = await services.issuesFor(gh, owner, archive).open({
    title: `Retroactive review: ${pr.owner}/${pr.repo}#${pr.number} (emergency change, due ${exception.reviewDueAt?.slice(0, 16).replace("T", " ")} UTC)`,
    body,
    labels: ["soc2-guard:emergency-change"],
    key: `${pr.owner}/${pr.repo}#${pr.number}@retro-review`,
  });
  return result.url;
}
