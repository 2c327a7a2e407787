// The exact REST calls that would bring a repository up to the bar — pure, so a dry-run
// can print them into the issue and `apply` (src/github/audit/org-audit-fixer.ts) sends the
// very same calls. Only branch rules and secret scanning are fixed; visibility, 2FA and
// access changes need a human decision and are reported only.

import type { RepositoryAuditFacts } from "./facts.js";
import { auditConfigOf, branchBar, type AuditableConfig } from "./config.js";
import type { FixMode } from "../config/audit.js";
import type { PolicyId, PolicyResult } from "./policy.js";

export interface PlannedCall {
  policy: PolicyId;
  mode: Exclude<FixMode, "off">;
  /** Octokit route, e.g. `PUT /repos/{owner}/{repo}/rulesets/{ruleset_id}`. */
  route: string;
  params: Record<string, string | number>;
  body: Record<string, unknown>;
  /** Why, in one sentence, for the issue and the change record. */
  description: string;
}

/** The ruleset soc2-guard owns in each repository; a fix edits it rather than adding another. */
export const OWN_RULESET_NAME = "soc2-guard baseline";

export function planFixes(facts: RepositoryAuditFacts, results: PolicyResult[], config: AuditableConfig): PlannedCall[] {
  const audit = auditConfigOf(config);
  const failing = new Set(results.filter((r) => r.status === "fail").map((r) => r.id));
  const calls: PlannedCall[] = [];
  const owner = facts.org.org;
  const repo = facts.repo.name;

  const branchPolicy = audit.policies["repo.branch-rules"];
  if (failing.has("repo.branch-rules") && branchPolicy.fix !== "off") {
    const bar = branchBar(config);
    const current = facts.branchRules;
    // Mirror the stricter of the bar and what is already required, so nobody who may
    // bypass another source escapes anything (see combineBranchRules).
    const approvals = Math.min(10, Math.max(bar.approvals, current.requiredApprovals));
    const checks = [...new Set([...current.requiredStatusChecks, ...(bar.requireStatusChecks ? branchPolicy.requiredChecks : [])])].sort();
    const dismissStale = bar.requireDismissStale || current.dismissStaleReviews;
    if (branchPolicy.fixWith === "classic") {
      calls.push({
        policy: "repo.branch-rules",
        mode: branchPolicy.fix,
        route: "PUT /repos/{owner}/{repo}/branches/{branch}/protection",
        params: { owner, repo, branch: facts.repo.defaultBranch },
        body: {
          required_status_checks: checks.length > 0 ? { strict: current.strictStatusChecks, contexts: checks } : null,
          enforce_admins: !bar.allowAdminBypass || !current.adminBypass,
          required_pull_request_reviews: {
            dismiss_stale_reviews: dismissStale,
            require_code_owner_reviews: current.requireCodeOwnerReview,
            required_approving_review_count: approvals,
            require_last_push_approval: current.requireLastPushApproval,
          },
          // Laid over the current protection when applied (classic-protection-merge.ts): existing push restrictions are kept.
          restrictions: null,
          allow_force_pushes: bar.requireNoForcePush ? false : !current.blockForcePushes,
          allow_deletions: bar.requireNoDeletion ? false : !current.blockDeletions,
        },
        description: `Replace classic protection on ${facts.repo.defaultBranch}: ${approvals} approval(s), stale approvals dismissed, checks ${checks.join(", ") || "none"}, administrators included; push restrictions and other settings kept as they are`,
      });
    } else {
      const rules: Array<Record<string, unknown>> = [
        { type: "pull_request", parameters: { required_approving_review_count: approvals, dismiss_stale_reviews_on_push: dismissStale, require_code_owner_review: current.requireCodeOwnerReview, require_last_push_approval: current.requireLastPushApproval, required_review_thread_resolution: false } },
      ];
      if (checks.length > 0) rules.push({ type: "required_status_checks", parameters: { strict_required_status_checks_policy: current.strictStatusChecks, required_status_checks: checks.map((context) => ({ context })) } });
      if (bar.requireNoForcePush || current.blockForcePushes) rules.push({ type: "non_fast_forward" });
      if (bar.requireNoDeletion || current.blockDeletions) rules.push({ type: "deletion" });
      const body = {
        name: OWN_RULESET_NAME,
        target: "branch",
        enforcement: "active",
        conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
        rules,
        bypass_actors: [],
      };
      const existing = facts.repositoryRulesets[OWN_RULESET_NAME];
      calls.push(
        existing !== undefined
          ? { policy: "repo.branch-rules", mode: branchPolicy.fix, route: "PUT /repos/{owner}/{repo}/rulesets/{ruleset_id}", params: { owner, repo, ruleset_id: existing }, body, description: `Update the "${OWN_RULESET_NAME}" ruleset on the default branch to the bar, with no bypass actors` }
          : { policy: "repo.branch-rules", mode: branchPolicy.fix, route: "POST /repos/{owner}/{repo}/rulesets", params: { owner, repo }, body, description: `Add a "${OWN_RULESET_NAME}" ruleset on the default branch holding the bar, with no bypass actors` },
      );
    }
  }

  const secretPolicy = audit.policies["repo.secret-scanning"];
  if (failing.has("repo.secret-scanning") && secretPolicy.fix !== "off" && facts.security) {
    const analysis: Record<string, { status: string }> = {};
    if (facts.security.secretScanning !== "enabled") analysis.secret_scanning = { status: "enabled" };
    if (secretPolicy.requirePushProtection && facts.security.pushProtection !== "enabled") analysis.secret_scanning_push_protection = { status: "enabled" };
    calls.push({
      policy: "repo.secret-scanning",
      mode: secretPolicy.fix,
      route: "PATCH /repos/{owner}/{repo}",
      params: { owner, repo },
      body: { security_and_analysis: analysis },
      description: `Enable ${Object.keys(analysis).map((k) => k.replace(/_/g, " ")).join(" and ")}`,
    });
  }
  return calls;
}

/** `/repos/acme/api/rulesets/7` — the route's path with its parameters filled in. */
export function callPath(call: Pick<PlannedCall, "route" | "params">): string {
  return call.route.slice(call.route.indexOf(" ") + 1).replace(/\{(\w+)\}/g, (_m, key: string) => encodeURIComponent(String(call.params[key] ?? `{${key}}`)));
}
