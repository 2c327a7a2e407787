// The check run's Markdown summary: one row per control, the fix for each failure,
// and a footer that lets an auditor tie the result to its config and evaluation.

import { statusIcon, type Verdict, type VerdictInput } from "./types.js";

/** GitHub rejects a check-run summary over 65,535 characters; stay under it in bytes too. */
export const SUMMARY_LIMIT_BYTES = 65_535;

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

export function renderSummary(verdict: Omit<Verdict, "summary">, input: VerdictInput): string {
  const lines: string[] = [];
  if (verdict.exceptionApplied) {
    const e = verdict.exception;
    lines.push(
      `> [!WARNING]`,
      `> **Emergency change** declared by ${e.declaredBy ? `@${e.declaredBy}` : "unknown"} with the \`${e.label}\` label for ${e.commit ? e.commit.slice(0, 7) : "the head"}: ${cell(e.reason)}.${e.selfDeclared ? " Self-declared by the author or a contributor (exceptions.allowSelfDeclared)." : ""}`,
      `> The failures below are recorded as an exception; a retroactive review is due by ${e.reviewDueAt ?? "(unknown)"}.`,
      "",
    );
  } else if (verdict.exception.requested && !verdict.exception.authorised) {
    lines.push(
      `> [!CAUTION]`,
      `> The \`${verdict.exception.label}\` label has no effect: ${verdict.exception.refusedBecause ?? `${verdict.exception.declaredBy ? `@${verdict.exception.declaredBy}` : "someone"} is not allowed to declare emergency changes (exceptions.allowed)`}.`,
      "",
    );
  }
  if (verdict.configProblems.length > 0) {
    lines.push("**Config problems** — the previous valid settings (or the safe defaults) stay in force:", "");
    for (const p of verdict.configProblems) lines.push(`- \`${p.source}\` \`${p.file}\` line ${p.line}: ${p.key ? `\`${p.key}\` ` : ""}${p.message}`);
    lines.push("");
  }
  lines.push("| | Control | Mode | Result | How to fix |", "|---|---|---|---|---|");
  for (const r of verdict.results) {
    lines.push(`| ${statusIcon(r.status, r.mode)} | \`${r.id}\` | ${r.mode} | ${cell(r.reason)} | ${cell(r.fix) || ""} |`);
  }
  const details = verdict.results.filter((r) => r.findings.length > 0 && r.status !== "pass");
  const findingLines: string[] = [];
  for (const r of details) {
    findingLines.push("", `<details><summary><code>${r.id}</code>: ${r.findings.length} finding${r.findings.length === 1 ? "" : "s"}</summary>`, "");
    for (const f of r.findings) findingLines.push(`- ${f.path ? `\`${f.path}${f.line ? `:${f.line}` : ""}\` ` : ""}${f.message}`);
    findingLines.push("", "</details>");
  }
  const footer = [
    "",
    "---",
    `<sub>Config: ${input.configSources.map((s) => `\`${s}\``).join(", ")} (sha256 \`${input.configHash.slice(0, 12)}\`) · head \`${input.headSha.slice(0, 7)}\` · evaluation \`${input.evaluationId}\` · controls map to SOC 2 ${[...new Set(verdict.results.flatMap((r) => r.criteria))].join(", ")}</sub>`,
  ];
  return fitSummary(lines.join("\n"), findingLines, footer.join("\n"));
}

/** Keeps the table and footer; drops finding lines from the end until the summary fits. */
function fitSummary(head: string, findingLines: string[], footer: string): string {
  const size = (s: string): number => Buffer.byteLength(s, "utf8");
  let body = findingLines.join("\n");
  if (size(head) + size(body) + size(footer) <= SUMMARY_LIMIT_BYTES) return `${head}${body}${footer}`;
  const note = "\n\n_…more findings omitted to stay within GitHub's summary limit; see the annotations and the evidence record._\n</details>";
  const kept: string[] = [];
  let used = size(head) + size(footer) + size(note);
  for (const line of findingLines) {
    const cost = size(line) + 1;
    if (used + cost > SUMMARY_LIMIT_BYTES) break;
    kept.push(line);
    used += cost;
  }
  body = kept.join("\n");
  let result = `${head}${body}${note}${footer}`;
  if (size(result) > SUMMARY_LIMIT_BYTES) {
    // The table alone is too big (thousands of findings in reasons): cut hard on a character boundary.
    result = Buffer.from(result, "utf8").subarray(0, SUMMARY_LIMIT_BYTES - 100).toString("utf8").replace(/\uFFFD$/, "") + "\n\n_…truncated._";
  }
  return result;
}
