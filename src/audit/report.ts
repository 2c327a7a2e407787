// Pure rendering of audit results: the per-repository drift issue (with a hidden marker
// holding the findings hash), the org summary issue, and the CLI's table / JSON / CSV.

import { canonicalHash } from "../canonical-json.js";
import { callPath, type PlannedCall } from "./fix-plan.js";
import type { RepositoryAudit } from "./evaluate.js";
import type { PolicyStatus } from "./policy.js";
import { POLICIES } from "./policies/index.js";

const ICON: Record<PolicyStatus, string> = { pass: "✅", fail: "❌", skipped: "➖" };
/** GitHub rejects issue bodies over 65,536 characters; keep room for the marker. */
const MAX_BODY = 65_000;

export interface DriftMarker {
  repo: string;
  findings: string;
  /** When the issue last notified people (created, reopened or commented). */
  pinged: string;
}

export function driftMarker(marker: DriftMarker): string {
  return `<!-- soc2-guard:drift repo=${marker.repo} findings=${marker.findings} pinged=${marker.pinged} -->`;
}

export function parseDriftMarker(body: string | null | undefined): DriftMarker | null {
  const match = /<!-- soc2-guard:drift repo=(\S+) findings=([0-9a-f]{64}) pinged=(\S+) -->/.exec(body ?? "");
  return match ? { repo: match[1]!, findings: match[2]!, pinged: match[3]! } : null;
}

export function driftIssueTitle(fullName: string): string {
  return `soc2-guard: settings drift in ${fullName}`;
}

const escapeCell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export interface AppliedChange {
  call: PlannedCall;
  ok: boolean;
  status: number;
  error?: string;
}

/** The body of a repository's drift issue. Deterministic for equal input (no clock inside). */
export function renderDriftIssue(audit: RepositoryAudit, marker: Pick<DriftMarker, "pinged">, applied: AppliedChange[] = []): { title: string; body: string } {
  const lines: string[] = [];
  lines.push(driftMarker({ repo: audit.repo.fullName, findings: audit.findingsHash, pinged: marker.pinged }));
  lines.push(`## [${audit.repo.fullName}](${audit.repo.url}) does not meet the organization's settings bar`, "");
  lines.push("| | Policy | Criteria | Result | How to fix |", "|---|---|---|---|---|");
  for (const r of audit.results) lines.push(`| ${ICON[r.status]} | \`${r.id}\` | ${r.criteria.join(", ")} | ${escapeCell(r.reason)} | ${escapeCell(r.fix)} |`);
  const dryRun = audit.fixes.filter((c) => c.mode === "dry-run");
  if (dryRun.length > 0) {
    lines.push("", "### Fix (dry run)", "", "With `fix: apply` for these policies, soc2-guard would make exactly these requests:", "");
    for (const call of dryRun) lines.push(renderCall(call));
  }
  if (applied.length > 0) {
    lines.push("", "### Changes applied by soc2-guard", "");
    for (const change of applied) lines.push(`- ${change.ok ? "✅" : "⚠️"} \`${change.call.route.split(" ")[0]} ${callPath(change.call)}\` — ${change.call.description}${change.ok ? "" : ` (failed: HTTP ${change.status}${change.error ? ` ${change.error}` : ""})`}`);
  }
  lines.push("", `_Audited ${audit.collectedAt}. This issue is edited in place when the findings change and closed when the repository meets the bar._`);
  return { title: driftIssueTitle(audit.repo.fullName), body: truncate(lines.join("\n")) };
}

export function renderCall(call: PlannedCall): string {
  return [`**${call.description}**`, "", "```http", `${call.route.split(" ")[0]} ${callPath(call)}`, JSON.stringify(call.body, null, 2), "```", ""].join("\n");
}

function truncate(body: string): string {
  return body.length <= MAX_BODY ? body : `${body.slice(0, MAX_BODY - 60)}\n\n… (truncated; run \`soc2-guard audit\` for the rest)`;
}

// ---- summary ------------------------------------------------------------------------

export const SUMMARY_TITLE_PREFIX = "soc2-guard: organization settings audit";

export function parseSummaryMarker(body: string | null | undefined): { org: string; hash: string } | null {
  const match = /<!-- soc2-guard:audit-summary org=(\S+) hash=([0-9a-f]{64}) -->/.exec(body ?? "");
  return match ? { org: match[1]!, hash: match[2]! } : null;
}

/** Hash of what the summary shows, so an unchanged org leaves the issue untouched. */
export function summaryHash(audits: RepositoryAudit[], issueLinks: Record<string, number>): string {
  return canonicalHash(audits.map((a) => ({ repo: a.repo.fullName, results: a.results.map((r) => [r.id, r.status, r.reason]), issue: issueLinks[a.repo.fullName] ?? null })));
}

/** Every repository's status at a glance: failing first, then skipped, then passing (collapsed when long). */
export function renderSummaryIssue(org: string, audits: RepositoryAudit[], issueLinks: Record<string, number>, auditedAt: string): { title: string; body: string } {
  const counts = { pass: 0, fail: 0, skipped: 0 };
  for (const a of audits) counts[a.status]++;
  const order: Record<PolicyStatus, number> = { fail: 0, skipped: 1, pass: 2 };
  const sorted = [...audits].sort((a, b) => order[a.status] - order[b.status] || a.repo.fullName.localeCompare(b.repo.fullName));
  const head = [
    `<!-- soc2-guard:audit-summary org=${org} hash=${summaryHash(audits, issueLinks)} -->`,
    `## ${org}: ${counts.fail} of ${audits.length} repositories drift from the settings bar`,
    "",
    `✅ ${counts.pass} meet it · ❌ ${counts.fail} drift · ➖ ${counts.skipped} could not be checked`,
    "",
    `| Repository | ${POLICIES.map((p) => `\`${p.id}\``).join(" | ")} | Issue |`,
    `|---|${POLICIES.map(() => "---").join("|")}|---|`,
  ];
  const rows = sorted.map((a) => `| [${a.repo.name}](${a.repo.url}) | ${POLICIES.map((p) => ICON[a.results.find((r) => r.id === p.id)?.status ?? "skipped"]).join(" | ")} | ${issueLinks[a.repo.fullName] ? `#${issueLinks[a.repo.fullName]}` : ""} |`);
  const foot = ["", `_Audited ${auditedAt}. ➖ means skipped: off in config or a permission is missing (see the repository's row in \`soc2-guard audit\`)._`];
  let body = [...head, ...rows, ...foot].join("\n");
  if (body.length > MAX_BODY) {
    // Too many rows for one issue: keep every drifting one, count the rest.
    const kept: string[] = [];
    let size = head.join("\n").length + 400;
    for (const [i, row] of rows.entries()) {
      if (sorted[i]!.status === "pass" || size + row.length + 1 > MAX_BODY) break;
      kept.push(row);
      size += row.length + 1;
    }
    body = [...head, ...kept, "", `… and ${rows.length - kept.length} more repositories (${counts.pass} passing) not listed to fit GitHub's issue size limit.`, ...foot].join("\n");
  }
  return { title: `${SUMMARY_TITLE_PREFIX} — ${org}`, body };
}

// ---- CLI formats -------------------------------------------------------------------

export function renderAuditTable(audits: RepositoryAudit[], format: "table" | "json" | "csv"): string {
  if (format === "json") {
    return `${JSON.stringify(audits.map((a) => ({ repository: a.repo.fullName, visibility: a.repo.visibility, status: a.status, results: a.results.map((r) => ({ id: r.id, criteria: r.criteria, status: r.status, reason: r.reason, fix: r.fix })), fixes: a.fixes.map((c) => ({ policy: c.policy, request: `${c.route.split(" ")[0]} ${callPath(c)}`, body: c.body })) })), null, 2)}\n`;
  }
  if (format === "csv") {
    const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = ["repository,policy,criteria,status,reason,fix"];
    for (const a of audits) for (const r of a.results) lines.push([a.repo.fullName, r.id, r.criteria.join(" "), r.status, r.reason, r.fix].map(quote).join(","));
    return `${lines.join("\n")}\n`;
  }
  const header = ["REPOSITORY", ...POLICIES.map((p) => p.id), "PROBLEMS"];
  const rows = audits.map((a) => [
    a.repo.fullName,
    ...POLICIES.map((p) => a.results.find((r) => r.id === p.id)?.status ?? "skipped"),
    a.results.filter((r) => r.status === "fail").map((r) => `${r.id}: ${r.reason}`).join(" · "),
  ]);
  const widths = header.map((h, i) => (i === header.length - 1 ? 0 : Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  const counts = { pass: 0, fail: 0, skipped: 0 };
  for (const a of audits) counts[a.status]++;
  return `${[line(header), ...rows.map(line)].join("\n")}\n\n${audits.length} repositories: ${counts.pass} pass, ${counts.fail} fail, ${counts.skipped} skipped\n`;
}
