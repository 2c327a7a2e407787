// repo.branch-rules — CC8.1, CC6.1: the default branch's effective rules (classic
// protection plus repository and organization rulesets, combined as GitHub combines them)
// meet the bar. Bypass actors are listed by name.

import { auditConfigOf, branchBar } from "../config.js";
import { skipped, type Policy, type PolicyResult } from "../policy.js";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export const branchRulesPolicy: Policy = {
  id: "repo.branch-rules",
  criteria: ["CC8.1", "CC6.1"],
  title: "Default branch rules",
  evaluate(facts, config): PolicyResult {
    const own = auditConfigOf(config).policies["repo.branch-rules"];
    if (!own.enabled) return skipped(this, "off in config");
    const rules = facts.branchRules;
    const branch = facts.repo.defaultBranch;
    if (rules.sources.length === 0 && rules.unreadable.length > 0) return skipped(this, `skipped: needs ${rules.unreadable.join("; ")}`);
    const bar = branchBar(config);
    const gaps: Array<{ gap: string; fix: string }> = [];
    if (!rules.requirePullRequest) gaps.push({ gap: "pull requests are not required", fix: "require a pull request before merging" });
    if (rules.requiredApprovals < bar.approvals) gaps.push({ gap: `${plural(rules.requiredApprovals, "approval")} required, the bar is ${bar.approvals}`, fix: `require ${plural(bar.approvals, "approving review")}` });
    if (bar.requireDismissStale && !rules.dismissStaleReviews) gaps.push({ gap: "stale approvals are not dismissed", fix: "dismiss stale approvals when new commits are pushed" });
    if (bar.requireStatusChecks && rules.requiredStatusChecks.length === 0) gaps.push({ gap: "no status checks are required", fix: `require status checks (${own.requiredChecks.join(", ") || "soc2-guard"})` });
    if (bar.requireNoForcePush && !rules.blockForcePushes) gaps.push({ gap: "force pushes are allowed", fix: "block force pushes" });
    if (bar.requireNoDeletion && !rules.blockDeletions) gaps.push({ gap: "the branch can be deleted", fix: "restrict deletions" });
    const unexpectedBypass = rules.bypassActors.filter((a) => !own.allowedBypassActors.includes(a));
    if (!bar.allowAdminBypass && rules.adminBypass && unexpectedBypass.length > 0)
      gaps.push({ gap: `the rules can be bypassed by ${unexpectedBypass.join(", ")}`, fix: "remove the bypass actors (or list them in allowedBypassActors) and include administrators" });

    const where = rules.sources.length > 0 ? rules.sources.map((s) => `${s.level} ${s.kind} "${s.name}"${s.enforcement === "active" ? "" : ` (${s.enforcement})`}`).join(", ") : "no branch rules";
    const details = { branch, sources: rules.sources, bypassActors: rules.bypassActors, unreadable: rules.unreadable };
    const note = rules.unreadable.length > 0 ? ` (partly unreadable: ${rules.unreadable.join("; ")})` : "";
    const base = { id: this.id, criteria: this.criteria, details };
    if (gaps.length === 0) return { ...base, status: "pass", reason: `${branch} is protected by ${where}${note}`, fix: "", findings: [] };
    return {
      ...base,
      status: "fail",
      reason: `${branch} (${where}): ${gaps.map((g) => g.gap).join("; ")}${note}`,
      fix: `In Settings → Rules → Rulesets for ${branch}: ${gaps.map((g) => g.fix).join("; ")}`,
      findings: gaps.map((g) => ({ message: g.gap })),
    };
  },
};
