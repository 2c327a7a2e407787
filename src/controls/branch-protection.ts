// branch.protection — CC8.1, CC6.1: the base branch's effective rules (classic protection
// and rulesets together) hold every change to the bar the config sets. soc2-guard itself
// must be a required check pinned to this app — otherwise any app or commit status named
// "soc2-guard" satisfies the rule — and a part of the rules the app cannot read (a bypass
// list, a ruleset) is unknown, so it fails with the permission to grant, never passes.

import type { Control, ControlResult, Finding } from "./types.js";
import type { Facts } from "../facts.js";
import { OWN_CHECK_NAME } from "./identities.js";

/** Whether soc2-guard is required, and pinned to this app; the gap and fix when not. */
function ownCheckGap(facts: Facts): { gap: string; fix: string } | null {
  const rules = facts.branchRules;
  const app = facts.ownApp;
  const fix = `require the status check ${OWN_CHECK_NAME} with this app (${app?.slug ?? OWN_CHECK_NAME}) as its source, so no other app or commit status can satisfy it`;
  if (!rules.requiredStatusChecks.includes(OWN_CHECK_NAME)) return { gap: `${OWN_CHECK_NAME} is not a required status check`, fix };
  const pins = (rules.pinnedChecks ?? []).filter((p) => p.context === OWN_CHECK_NAME);
  if (app?.id === null || app?.id === undefined) return { gap: `cannot tell whether the required ${OWN_CHECK_NAME} check is pinned to this app (its id is unknown)`, fix };
  if (!pins.some((p) => p.appId === app.id)) return { gap: `the required ${OWN_CHECK_NAME} check is not pinned to this app: any app or commit status of that name satisfies it`, fix };
  return null;
}

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
    const gaps: Array<{ gap: string; fix: string }> = [];
    // Unknown is not "cannot be bypassed": what the app cannot read fails, with what to grant.
    for (const part of rules.unreadable) gaps.push({ gap: `unknown: ${part}`, fix: "grant soc2-guard Administration (read) on the repository (and Organization administration (read) for organization rulesets) so it can read every rule and bypass list" });
    if (!rules.requirePullRequest) gaps.push({ gap: "pull requests are not required", fix: "require a pull request before merging" });
    if (rules.requiredApprovals < bar.approvals)
      gaps.push({ gap: `${rules.requiredApprovals} approval${rules.requiredApprovals === 1 ? "" : "s"} required, the bar is ${bar.approvals}`, fix: `require ${bar.approvals} approving review${bar.approvals === 1 ? "" : "s"}` });
    if (bar.requireDismissStale && !rules.dismissStaleReviews) gaps.push({ gap: "stale approvals are not dismissed", fix: "dismiss stale pull request approvals when new commits are pushed" });
    if (bar.requireStatusChecks && rules.requiredStatusChecks.length === 0) gaps.push({ gap: "no status checks are required", fix: "require status checks to pass (add soc2-guard)" });
    if (bar.requireNoForcePush && !rules.blockForcePushes) gaps.push({ gap: "force pushes are allowed", fix: "block force pushes" });
    if (bar.requireNoDeletion && !rules.blockDeletions) gaps.push({ gap: "the branch can be deleted", fix: "restrict deletions" });
    const own = ownCheckGap(facts);
    if (own) gaps.push(own);
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
      fix: `In Settings → Rules → Rulesets (or Branches) for ${branch}: ${[...new Set(gaps.map((g) => g.fix))].join("; ")}`,
      findings,
      details,
    };
  },
};
