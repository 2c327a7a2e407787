// The issues soc2-guard opens for people to act on — a justification for an unreviewed
// direct push, a retroactive review of an emergency change, records waiting for the
// archive — as pure drafts. Every value a pull request's author controls goes through
// `neutralise`; the body is capped to GitHub's limit.

import type { EvidenceRecord } from "./record.js";
import type { IssueDraft } from "./issue-sink.js";
import { capIssueBody, neutralise } from "./untrusted-text.js";

export const DIRECT_PUSH_LABEL = "soc2-guard:direct-push";
export const EMERGENCY_CHANGE_LABEL = "soc2-guard:emergency-change";
export const EVIDENCE_WAITING_LABEL = "soc2-guard:evidence-waiting";

const MAX_COMMIT_ROWS = 50;

export function directPushIssue(record: EvidenceRecord): IssueDraft {
  const push = record.push!;
  const pusher = neutralise(push.pusher, 60);
  const branch = neutralise(record.baseBranch, 100);
  const rows = push.commits.slice(0, MAX_COMMIT_ROWS).map((c) => `| \`${c.sha.slice(0, 7)}\` | ${neutralise(c.author ?? "unknown", 60)} | ${neutralise(c.message, 120)} |`);
  const more = push.commits.length > MAX_COMMIT_ROWS ? [`| … | | ${push.commits.length - MAX_COMMIT_ROWS} more commit(s) in the evidence record |`] : [];
  const body = [
    `**${pusher}** pushed ${push.commits.length} commit${push.commits.length === 1 ? "" : "s"} directly to \`${branch}\` of **${record.repository}**${push.forced ? " with a **force push**" : ""}, without a reviewed pull request.`,
    "",
    "| commit | author | message |",
    "|---|---|---|",
    ...rows,
    ...more,
    "",
    `Evidence record: \`${record.id}\` (collected ${record.collectedAt}).`,
    "",
    "**To close this:** the pusher or a maintainer explains why the change bypassed review (incident, automation, mistake), links the ticket, and a second person reviews the commits above and says so in a comment. Then close the issue; the monthly export lists it as an exception either way.",
  ].join("\n");
  return {
    title: `Unreviewed change: ${record.repository}@${push.after.slice(0, 7)} pushed to ${branch} by ${pusher}`.slice(0, 256),
    body: capIssueBody(body),
    labels: [DIRECT_PUSH_LABEL],
    key: record.id,
  };
}

export interface RetroReviewSubject {
  owner: string;
  repo: string;
  number: number;
  title: string;
  url: string;
  author: string;
  label: string;
  declaredBy: string | null;
  reason: string;
  reviewDueAt: string | null;
}

export const retroReviewKey = (s: { owner: string; repo: string; number: number }): string => `${s.owner}/${s.repo}#${s.number}@retro-review`;

export function retroReviewIssue(s: RetroReviewSubject): IssueDraft {
  const declarer = s.declaredBy ? neutralise(s.declaredBy, 60) : "unknown";
  const body = [
    `Emergency change **${s.owner}/${s.repo}#${s.number}** (${neutralise(s.title, 200)}) was merged under the \`${neutralise(s.label, 60)}\` exception declared by ${declarer}.`,
    "",
    `Reason: ${neutralise(s.reason, 2_000)}`,
    "",
    `**Retroactive review due by ${s.reviewDueAt}.** Someone who is neither the author (${neutralise(s.author, 60)}) nor the declarer approves the pull request's changes (${s.url}/files) or closes this issue with the outcome in a comment, before the due time. A review or a close by the author or the declarer does not count.`,
  ].join("\n");
  return {
    title: `Retroactive review: ${s.owner}/${s.repo}#${s.number} (emergency change, due ${s.reviewDueAt?.slice(0, 16).replace("T", " ")} UTC)`,
    body: capIssueBody(body),
    labels: [EMERGENCY_CHANGE_LABEL],
    key: retroReviewKey(s),
  };
}

/** Records that have waited too long for the archive: someone must look at it. */
export function evidenceWaitingIssue(input: { archive: string; pending: number; oldestSince: string; problem: string | null; day: string }): IssueDraft {
  const body = [
    `**${input.pending} evidence record${input.pending === 1 ? "" : "s"}** could not be written to ${input.archive} and have been waiting since ${input.oldestSince}.`,
    "",
    `Last problem: ${neutralise(input.problem ?? "unknown", 500)}`,
    "",
    "They are kept on disk and retried (backing off to every few minutes); nothing is dropped. Fix the archive (permissions, repository, GitHub status) and they are written on the next attempt. The app's `/readyz` reports not ready while records wait this long.",
  ].join("\n");
  return { title: `Evidence records waiting for ${input.archive} since ${input.oldestSince.slice(0, 10)}`, body: capIssueBody(body), labels: [EVIDENCE_WAITING_LABEL], key: `evidence-waiting@${input.day}` };
}
