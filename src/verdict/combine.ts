// One check run, several pull requests. A check run belongs to a commit, and GitHub shows
// it on every pull request whose head is that commit (and a merge group's run on the
// group's commit stands for every PR in the group), so the run passes only if every one
// of them passes. Pure: the verdicts come in, one verdict for the commit goes out.

import { SUMMARY_LIMIT_BYTES } from "./summary.js";
import type { Verdict } from "./types.js";
import type { Annotation } from "../controls/types.js";

export interface PullVerdict {
  number: number;
  /** null when it is not known (its facts could not be read). */
  baseRef: string | null;
  /** null when this pull request's facts could not be gathered: it cannot pass. */
  verdict: Verdict | null;
  /** Why it could not be evaluated (when verdict is null). */
  error?: string;
}

export interface CombineContext {
  /** The commit the run is on. */
  sha: string;
  evaluationId: string;
  /** "head": PRs sharing a head commit; "merge-group": the PRs of a merge queue group. */
  scope: "head" | "merge-group";
}

const outcomeOf = (p: PullVerdict): "success" | "failure" | "pending" => (p.verdict === null ? "failure" : p.verdict.status === "in_progress" ? "pending" : (p.verdict.conclusion ?? "failure"));
const ICON = { success: "✅", failure: "❌", pending: "⏳" } as const;

export function combineVerdicts(pulls: PullVerdict[], context: CombineContext): Verdict {
  if (pulls.length === 0) throw new Error("combineVerdicts needs at least one pull request");
  if (pulls.length === 1 && pulls[0]!.verdict) return pulls[0]!.verdict;
  const sorted = [...pulls].sort((a, b) => a.number - b.number);
  const failing = sorted.filter((p) => outcomeOf(p) === "failure");
  const pending = sorted.filter((p) => outcomeOf(p) === "pending");
  const status: Verdict["status"] = failing.length === 0 && pending.length > 0 ? "in_progress" : "completed";
  const conclusion: Verdict["conclusion"] = status === "in_progress" ? null : failing.length > 0 ? "failure" : "success";
  const label = (p: PullVerdict) => (p.baseRef === null ? `#${p.number}` : `#${p.number} into \`${p.baseRef}\``);
  const title =
    failing.length > 0
      ? `${failing.length} of ${sorted.length} pull requests blocked: ${failing.map((p) => `#${p.number} (${p.verdict?.title ?? "could not evaluate"})`).join("; ")}`
      : pending.length > 0
        ? `Waiting on ${pending.map((p) => `#${p.number}`).join(", ")}: ${pending.map((p) => p.verdict!.title).join("; ")}`
        : `All ${sorted.length} pull requests pass`;

  const what = context.scope === "merge-group" ? `This merge group's commit \`${context.sha.slice(0, 7)}\` carries ${sorted.length} pull requests` : `Commit \`${context.sha.slice(0, 7)}\` is the head of ${sorted.length} open pull requests`;
  const head = [
    `${what}; this check passes only if every one of them passes.`,
    "",
    "| | Pull request | Verdict |",
    "|---|---|---|",
    ...sorted.map((p) => `| ${ICON[outcomeOf(p)]} | ${label(p)} | ${(p.verdict?.title ?? `could not evaluate: ${p.error ?? "unknown error"}`).replace(/\|/g, "\\|")} |`),
    "",
  ].join("\n");
  const footer = `\n\n---\n<sub>combined at evaluation \`${context.evaluationId}\` · commit \`${context.sha.slice(0, 7)}\`</sub>`;
  // Each PR's own summary, failing ones first, each within an equal share of what is left.
  const order = [...failing, ...pending, ...sorted.filter((p) => outcomeOf(p) === "success")];
  const share = Math.floor((SUMMARY_LIMIT_BYTES - bytes(head) - bytes(footer) - 200) / order.length);
  const sections = order.map((p) => cut(`\n### ${ICON[outcomeOf(p)]} ${label(p)}\n\n${p.verdict?.summary ?? p.error ?? ""}\n`, share));

  return {
    status,
    conclusion,
    title: title.slice(0, 1000),
    summary: head + sections.join("") + footer,
    annotations: dedupe(order.flatMap((p) => p.verdict?.annotations ?? [])),
    results: order.flatMap((p) => p.verdict?.results ?? []),
    exception: (order.find((p) => p.verdict) ?? sorted[0]!).verdict?.exception ?? { requested: false, authorised: false, label: "", declaredBy: null, declaredAt: null, reason: "", reviewDueAt: null },
    exceptionApplied: sorted.every((p) => p.verdict?.exceptionApplied === true),
    configProblems: order.flatMap((p) => p.verdict?.configProblems ?? []),
  };
}

const bytes = (s: string): number => Buffer.byteLength(s, "utf8");

function cut(text: string, limit: number): string {
  if (bytes(text) <= limit) return text;
  const note = "\n\n_…cut to fit GitHub's summary limit; see this pull request's own evaluation._\n";
  return Buffer.from(text, "utf8").subarray(0, Math.max(0, limit - bytes(note))).toString("utf8").replace(/\uFFFD$/, "") + note;
}

function dedupe(annotations: Annotation[]): Annotation[] {
  const seen = new Set<string>();
  return annotations.filter((a) => {
    const key = `${a.path}:${a.startLine}:${a.endLine}:${a.title}:${a.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
