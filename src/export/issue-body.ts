// The auditor's issue: a headline, a table per repository, the exceptions with links,
// the reconciliation line, the seal and how to check it, and links to the files. GitHub
// refuses bodies over 65,536 characters: long tables then move to the files, and the body
// says so.

import type { ExportSummary } from "./summary.js";
import { isOpen, type ExceptionRow } from "./exception-row.js";

export const ISSUE_BODY_LIMIT = 65_536;
export const EXPORT_LABEL = "soc2-guard:export";

export const exportIssueTitle = (label: string): string => `SOC 2 evidence export — ${label}`;
export const exportIssueKey = (organization: string, label: string): string => `export:${organization.toLowerCase()}:${label}`;

export interface IssueBodyInput {
  summary: ExportSummary;
  exceptions: ExceptionRow[];
  /** File name → where an auditor opens it. */
  fileLinks: Record<string, string>;
  /** The `soc2-guard verify` arguments that name this archive, e.g. `--repo acme/compliance-evidence`. */
  verifyArgs: string;
  /** The signed checkpoint and export statement (src/export/export-seal.ts), when the export is signed. */
  signed?: string[];
}

/** Table cell text: one line, no pipe, no HTML, no @-mention that would ping someone. */
export function cell(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/\|/g, "\\|")
    .replace(/</g, "&lt;")
    // GitHub mentions only an @ that follows a non-word character; `id@sha` stays as it is.
    .replace(/(^|[^A-Za-z0-9_])@(?=[A-Za-z0-9])/g, "$1@\u200b")
    .slice(0, 200);
}

/** Inline code (ids, hashes, logins): never a mention, copied exactly. */
export function code(text: string): string {
  return `\`${text.replace(/[`\r\n|]/g, " ").slice(0, 200)}\``;
}

const link = (text: string, url: string | null): string => (url ? `[${cell(text)}](${url})` : cell(text));

function headline(s: ExportSummary): string {
  const t = s.totals;
  const exceptions = Object.values(s.exceptionsByType).reduce((a, b) => a + b, 0);
  return `**${t.changes} change${t.changes === 1 ? "" : "s"}** in ${Object.values(s.repositories).filter((r) => r.changes > 0).length} repositories · **${t.percentIndependentApproval}%** with independent approval · **${t.percentCiPassed}%** with passing CI · **${t.exceptionsOpen} exception${t.exceptionsOpen === 1 ? "" : "s"} open** (${exceptions} in total) · ${t.secretFindings} secret finding${t.secretFindings === 1 ? "" : "s"} · ${t.piiFindings ?? 0} personal-data finding${t.piiFindings === 1 ? "" : "s"}`;
}

function repositoryTable(s: ExportSummary): string[] {
  const rows = Object.entries(s.repositories).filter(([, r]) => r.changes > 0);
  if (rows.length === 0) return ["No changes landed in this period."];
  return [
    "| repository | changes | pull requests | direct pushes | independent approval | CI passed | exceptions | collected late |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(([repo, r]) => `| ${cell(repo)} | ${r.changes} | ${r.pullRequests} | ${r.directPushes} | ${r.independentApproval} | ${r.ciPassed} | ${r.exceptions} | ${r.collectedLate} |`),
  ];
}

function exceptionTable(exceptions: ExceptionRow[]): string[] {
  if (exceptions.length === 0) return ["None."];
  return [
    "| type | change | who | when | review | record |",
    "|---|---|---|---|---|---|",
    ...exceptions.map(
      (e) =>
        `| ${e.type} | ${link(`${e.repository}${e.change.startsWith("#") ? "" : " "}${e.change}`, e.link)} | ${e.who ? code(e.who) : "—"} | ${e.when.slice(0, 16).replace("T", " ")} | ${e.reviewIssueUrl ? link(e.reviewStatus, e.reviewIssueUrl) : cell(e.reviewStatus)}${isOpen(e.reviewStatus) ? " ⚠️" : ""} | ${code(e.recordId)} |`,
    ),
  ];
}

function settingsLine(s: ExportSummary, fileLinks: Record<string, string>): string {
  const { applied, failed } = s.settingsChanges;
  if (applied + failed === 0) return "None: the settings audit applied no fix in this period.";
  const file = fileLinks["settings-changes.csv"] ? `[settings-changes.csv](${fileLinks["settings-changes.csv"]})` : "settings-changes.csv";
  return `${applied} repository setting${applied === 1 ? "" : "s"} changed by the settings audit's \`fix: apply\`${failed > 0 ? `, ${failed} attempt${failed === 1 ? "" : "s"} refused by GitHub` : ""}: each with what it was before, what was sent and who configured the fix, in ${file}.`;
}

function reconciliationLine(s: ExportSummary): string {
  const r = s.reconciliation;
  if (!r.ran) return `Reconciliation was not run: ${r.reason}.`;
  const missing = r.missing.length > 0 ? ` **${r.missing.length} change${r.missing.length === 1 ? "" : "s"} still without a record:** ${r.missing.slice(0, 20).map((m) => `${cell(m.change)} (${cell(m.reason)})`).join(", ")}${r.missing.length > 20 ? ", … (see summary.json)" : ""}` : "";
  return `Population from GitHub: ${r.population}; records: ${r.records}; added late: ${r.addedLate}.${missing}`;
}

function sealSection(s: ExportSummary, verifyArgs: string): string[] {
  const { seal, headAtPeriodEnd, chainCheck } = s.ledger;
  const lines: string[] = [];
  if (seal) lines.push(`The hash chain through the last record of the period seals it: \`${seal.hash}\` (record ${code(seal.recordId)}).`);
  else lines.push("No record belongs to this period, so nothing is sealed by it.");
  if (headAtPeriodEnd) lines.push(`Ledger head when the period ended: \`${headAtPeriodEnd.hash}\` (${code(headAtPeriodEnd.recordId)}).`);
  lines.push(
    "",
    `To check that no record was changed, removed or reordered since, run \`npx soc2-guard verify ${verifyArgs}\`: it recomputes every hash and link and names the first broken record; then confirm that record ${code(seal?.recordId ?? headAtPeriodEnd?.recordId ?? "…")} still carries the hash above (\`grep\` its id in \`records/\`).`,
  );
  if (chainCheck.problem) lines.push("", `⚠️ **The export found a problem in the chain:** ${cell(chainCheck.problem)}. Run verify before relying on this export.`);
  return lines;
}

function render(input: IssueBodyInput, moved: { repositories: boolean; exceptions: boolean }): string {
  const s = input.summary;
  const files = Object.entries(input.fileLinks).map(([name, url]) => `- [${name}](${url})`);
  const movedNote = (what: string, file: string): string => `_${what} are too long for an issue (GitHub's limit is ${ISSUE_BODY_LIMIT.toLocaleString("en")} characters): see [${file}](${input.fileLinks[file] ?? file})._`;
  return [
    `## SOC 2 evidence export — ${s.period.label}`,
    "",
    headline(s),
    "",
    `Period: ${s.period.since} – ${s.period.until} (UTC, end exclusive). Organization: ${cell(s.organization)}. Archive: ${code(s.query.archive)}.`,
    "",
    "### Repositories",
    "",
    ...(moved.repositories ? [movedNote(`The ${Object.values(s.repositories).filter((r) => r.changes > 0).length} repository rows`, "summary.json")] : repositoryTable(s)),
    "",
    "### Exceptions",
    "",
    ...(moved.exceptions ? [movedNote(`The ${input.exceptions.length} exceptions`, "exceptions.csv")] : exceptionTable(input.exceptions)),
    "",
    "### Settings changed by soc2-guard",
    "",
    settingsLine(s, input.fileLinks),
    "",
    "### Reconciliation",
    "",
    reconciliationLine(s),
    "",
    "### Seal",
    "",
    ...sealSection(s, input.verifyArgs),
    "",
    ...(input.signed ? ["### Signed checkpoint", "", ...input.signed, ""] : []),
    "### Files",
    "",
    ...files,
    "",
  ].join("\n");
}

/** The body, within GitHub's limit: the full tables when they fit, else moved to the files. */
export function renderIssueBody(input: IssueBodyInput, limit = ISSUE_BODY_LIMIT): { body: string; moved: string[] } {
  // Room for the key marker the issue sink appends.
  const budget = limit - 200;
  for (const moved of [
    { repositories: false, exceptions: false },
    { repositories: true, exceptions: false },
    { repositories: true, exceptions: true },
  ]) {
    const body = render(input, moved);
    if (body.length <= budget) return { body, moved: [...(moved.repositories ? ["repositories"] : []), ...(moved.exceptions ? ["exceptions"] : [])] };
  }
  const body = render(input, { repositories: true, exceptions: true });
  return { body: `${body.slice(0, budget - 40)}\n\n_(truncated: see summary.json)_`, moved: ["repositories", "exceptions"] };
}
