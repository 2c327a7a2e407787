// branch.protection — CC8.1, CC6.1: the base branch's effective rules (classic protection
// and rulesets together) hold every change to the bar the config sets.

import type { Control, ControlResult, Finding } from "./types.js";

export const branchProtection: Control = {
  id: "branch.protection",
  criteria: ["CC8.1", "CC6.1"],
  title: "Branch rules",
  evaluate(facts, config): ControlResult {
    const bar = config.controls["branch.protection"];
    const rules = facts.branchRules;
    const base = { id: this.id, criteria: this.criteria, mode: bar.mode, annotations: [] };
    if (bar.mode === "off") return { ...base, status: "skipped", reason: "off in config", fix: "", findings: [] };
    const branch = facts.pr.baseRef;
    if (rules.sources.length === 0 && rules.unreadable.length > 0) {
      return { ...base, status: "skipped", reason: `cannot read the rules of ${branch}: ${rules.unreadable.join("; ")}`, fix: "", findings: [] };
    }
    const gaps: Array<{ gap: string; fix: string }> = [];
    if (!rules.requirePullRequest) gaps.push({ gap: "pull requests are not required", fix: "require a pull request before merging" });
    if (rules.requiredApprovals < bar.approvals)
      gaps.push({ gap: `${rules.requiredApprovals} approval${rules.requiredApprovals === 1 ? "" : "s"} required, the bar is ${bar.approvals}`, fix: `require ${bar.approvals} approving review${bar.approvals === 1 ? "" : "s"}` });
    if (bar.requireDismissStale && !rules.dismissStaleReviews) gaps.push({ gap: "stale approvals are not dismissed", fix: "dismiss stale pull request approvals when new commits are pushed" });
    if (bar.requireStatusChecks && rules.requiredStatusChecks.length === 0) gaps.push({ gap: "no status checks are required", fix: "require status checks to pass (add soc2-guard)" });
    if (bar.requireNoForcePush && !rules.blockForcePushes) gaps.push({ gap: "force pushes are allowed", fix: "block force pushes" });
    if (bar.requireNoDeletion && !rules.blockDeletions) gaps.push({ gap: "the branch can be deleted", fix: "restrict deletions" });
    if (!bar.allowAdminBypass && rules.adminBypass)
      gaps.push({ gap: `the rules can be bypassed${rules.bypassActors.length > 0 ? ` by ${rules.bypassActors.join(", ")}` : " by admins"}`, fix: "remove bypass actors and include administrators" });

    const where = rules.sources.length > 0 ? rules.sources.map((s) => `${s.kind} "${s.name}"`).join(", ") : "no branch rules";
    const details = { sources: rules.sources, gaps: gaps.map((g) => g.gap), unreadable: rules.unreadable };
    if (gaps.length === 0) {
      return { ...base, status: "pass", reason: `${branch} is protected by ${where}`, fix: "", findings: [], details };
    }
    const findings: Finding[] = gaps.map((g) => ({ message: g.gap }));
    return {
      ...base,
      status: "fail",
      reason: `${branch} (${where}): ${gaps.map((g) => g.gap).join("; ")}`,
      fix: `In Settings → Rules → Rulesets (or Branches) for ${branch}: ${gaps.map((g) => g.fix).join("; ")}`,
      findings,
      details,
    };
  },
};
