// Issue look-ups around the export in the archive repository: is the period's export
// issue already open (the lock), where do the retroactive reviews and push
// justifications stand, and — when two replicas raced — close the later duplicate.

import type { GitHubClient } from "../transport/client.js";
import { issueKeyMarker } from "../../evidence/issue-sink.js";
import type { Period } from "../../evidence/reconcile.js";
import type { ExportIssueLookup } from "../../export/ports.js";
import type { ReviewIssueState } from "../../export/exception-row.js";

const EMERGENCY_LABEL = "soc2-guard:emergency-change";
export const REVIEW_LABELS = [EMERGENCY_LABEL, "soc2-guard:direct-push"];

export class GitHubExportIssues implements ExportIssueLookup {
  constructor(
    private readonly gh: GitHubClient,
    private readonly owner: string,
    private readonly repo: string,
  ) {}

  private async withKey(key: string, label: string): Promise<Array<{ number: number; html_url: string }>> {
    const issues = await this.gh.paginate("GET /repos/{owner}/{repo}/issues", { owner: this.owner, repo: this.repo, labels: label, state: "all", per_page: 100 });
    return issues.filter((i) => (i.body ?? "").includes(issueKeyMarker(key))).sort((a, b) => a.number - b.number);
  }

  async find(key: string, label: string): Promise<string | null> {
    return (await this.withKey(key, label))[0]?.html_url ?? null;
  }

  async reviewStates(period: Period): Promise<Map<string, ReviewIssueState>> {
    const states = new Map<string, ReviewIssueState>();
    for (const label of REVIEW_LABELS) {
      // Opened during or after the period, so updated since its start.
      const issues = await this.gh.paginate("GET /repos/{owner}/{repo}/issues", { owner: this.owner, repo: this.repo, labels: label, state: "all", since: period.since, per_page: 100 });
      for (const i of issues) {
        const closedAt = i.state === "closed" ? (i.closed_at ?? null) : null;
        // The listing does not say who closed an issue; the issue itself does (one request per closed review issue).
        const closedBy = closedAt ? await this.closedBy(i.number) : null;
        const approvals = label === EMERGENCY_LABEL ? await this.approvalsOf(i.body ?? "") : [];
        states.set(i.html_url, { closedAt, closedBy, approvals });
      }
    }
    return states;
  }

  private async closedBy(issueNumber: number): Promise<string | null> {
    const { data } = await this.gh.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { owner: this.owner, repo: this.repo, issue_number: issueNumber });
    return data.closed_by?.login ?? null;
  }

  /** Approvals of the emergency change's pull request (named by the issue's key): a retroactive review may be one. */
  private async approvalsOf(body: string): Promise<Array<{ login: string; at: string }>> {
    const key = /<!-- soc2-guard:key=([^/\s]+)\/([^#\s]+)#(\d+)@retro-review -->/.exec(body);
    if (!key) return [];
    const reviews = await this.gh.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", { owner: key[1]!, repo: key[2]!, pull_number: Number(key[3]), per_page: 100 });
    return reviews.filter((r) => r.state === "APPROVED" && r.user && r.submitted_at).map((r) => ({ login: r.user!.login, at: r.submitted_at! }));
  }

  async settle(key: string, label: string): Promise<void> {
    const [, ...duplicates] = await this.withKey(key, label);
    for (const d of duplicates) {
      await this.gh.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { owner: this.owner, repo: this.repo, issue_number: d.number, state: "closed", state_reason: "duplicate" });
    }
  }
}
