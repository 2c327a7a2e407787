// GitHub's two ways of protecting a branch — classic protection and rulesets — turned
// into one BranchRules value, combined as GitHub combines them: every rule that
// applies is enforced, so the most restrictive setting wins.

import { canonicalHash } from "../canonical-json.js";
import type { BranchRules } from "../facts.js";

type Json = Record<string, unknown>;

export function emptyBranchRules(): BranchRules {
  return {
    sources: [],
    requirePullRequest: false,
    requiredApprovals: 0,
    dismissStaleReviews: false,
    requireCodeOwnerReview: false,
    requireLastPushApproval: false,
    requiredStatusChecks: [],
    strictStatusChecks: false,
    blockForcePushes: false,
    blockDeletions: false,
    adminBypass: false,
    bypassActors: [],
    unreadable: [],
  };
}

const enabled = (value: unknown): boolean => typeof value === "object" && value !== null && (value as Json).enabled === true;

/** From `GET /repos/{owner}/{repo}/branches/{branch}/protection` (or the same shape built from GraphQL). */
export function fromClassicProtection(json: Json, name = "classic branch protection"): BranchRules {
  const reviews = json.required_pull_request_reviews as Json | undefined;
  const checks = json.required_status_checks as Json | undefined;
  const contexts = new Set<string>([
    ...(((checks?.contexts as string[] | undefined) ?? [])),
    ...(((checks?.checks as Array<{ context: string }> | undefined) ?? []).map((c) => c.context)),
  ]);
  const adminsEnforced = enabled(json.enforce_admins);
  return {
    ...emptyBranchRules(),
    sources: [{ kind: "classic", name, enforcement: "active", level: "repository" }],
    requirePullRequest: reviews !== undefined && reviews !== null,
    requiredApprovals: Number(reviews?.required_approving_review_count ?? 0),
    dismissStaleReviews: reviews?.dismiss_stale_reviews === true,
    requireCodeOwnerReview: reviews?.require_code_owner_reviews === true,
    requireLastPushApproval: reviews?.require_last_push_approval === true,
    requiredStatusChecks: [...contexts],
    strictStatusChecks: checks?.strict === true,
    blockForcePushes: !enabled(json.allow_force_pushes),
    blockDeletions: !enabled(json.allow_deletions),
    adminBypass: !adminsEnforced,
    bypassActors: adminsEnforced ? [] : ["repository admins"],
  };
}

export interface RulesetDetails {
  id: number;
  name: string;
  enforcement: "active" | "evaluate" | "disabled";
  source_type?: "Repository" | "Organization" | "Enterprise";
  bypass_actors?: Array<{ actor_id?: number | null; actor_type: string; bypass_mode?: string }>;
}

/** From `GET /repos/{owner}/{repo}/rules/branches/{branch}` plus, when known, each ruleset's details. */
export function fromBranchRules(rules: Json[], rulesets: Map<number, RulesetDetails> = new Map()): BranchRules {
  const byRuleset = new Map<number, Json[]>();
  for (const rule of rules) {
    const id = Number(rule.ruleset_id ?? 0);
    byRuleset.set(id, [...(byRuleset.get(id) ?? []), rule]);
  }
  const parts: BranchRules[] = [];
  for (const [id, group] of byRuleset) {
    const details = rulesets.get(id);
    const enforcement = details?.enforcement ?? "active";
    const level = (details?.source_type ?? group[0]?.ruleset_source_type) === "Organization" ? "organization" : "repository";
    const part: BranchRules = { ...emptyBranchRules(), sources: [{ kind: "ruleset", name: details?.name ?? `ruleset ${id}`, enforcement, level }] };
    // Evaluate-mode rulesets only report; they enforce nothing.
    if (enforcement !== "active") {
      parts.push(part);
      continue;
    }
    for (const rule of group) {
      const p = (rule.parameters ?? {}) as Json;
      switch (rule.type) {
        case "pull_request":
          part.requirePullRequest = true;
          part.requiredApprovals = Math.max(part.requiredApprovals, Number(p.required_approving_review_count ?? 0));
          part.dismissStaleReviews ||= p.dismiss_stale_reviews_on_push === true;
          part.requireCodeOwnerReview ||= p.require_code_owner_review === true;
          part.requireLastPushApproval ||= p.require_last_push_approval === true;
          break;
        case "required_status_checks":
          part.requiredStatusChecks.push(...((p.required_status_checks as Array<{ context: string }> | undefined) ?? []).map((c) => c.context));
          part.strictStatusChecks ||= p.strict_required_status_checks_policy === true;
          break;
        case "non_fast_forward":
          part.blockForcePushes = true;
          break;
        case "deletion":
          part.blockDeletions = true;
          break;
      }
    }
    const bypass = details?.bypass_actors ?? [];
    if (bypass.length > 0) {
      part.adminBypass = true;
      part.bypassActors = bypass.map((a) => `${a.actor_type}${a.actor_id ? `#${a.actor_id}` : ""}${a.bypass_mode === "pull_request" ? " (pull requests only)" : ""}`);
    }
    parts.push(part);
  }
  return combineBranchRules(...parts);
}

/**
 * Combines the rule sources that apply to one branch. Everything that applies is
 * enforced, so requirements add up; a bypass in any enforcing source can skip that
 * source's rules, so it is reported.
 */
export function combineBranchRules(...parts: BranchRules[]): BranchRules {
  const combined = emptyBranchRules();
  for (const part of parts) {
    combined.sources.push(...part.sources);
    combined.unreadable.push(...part.unreadable);
    combined.requirePullRequest ||= part.requirePullRequest;
    combined.requiredApprovals = Math.max(combined.requiredApprovals, part.requiredApprovals);
    combined.dismissStaleReviews ||= part.dismissStaleReviews;
    combined.requireCodeOwnerReview ||= part.requireCodeOwnerReview;
    combined.requireLastPushApproval ||= part.requireLastPushApproval;
    combined.requiredStatusChecks = [...new Set([...combined.requiredStatusChecks, ...part.requiredStatusChecks])];
    combined.strictStatusChecks ||= part.strictStatusChecks;
    combined.blockForcePushes ||= part.blockForcePushes;
    combined.blockDeletions ||= part.blockDeletions;
  }
  // Someone can skip the pull-request requirement only if every source that requires it
  // lets them; with no such source, any bypass is reported.
  const enforcing = parts.filter((p) => p.requirePullRequest && p.sources.some((s) => s.enforcement === "active"));
  const bypassing = (enforcing.length > 0 ? enforcing : parts).filter((p) => p.adminBypass);
  combined.adminBypass = bypassing.length > 0 && (enforcing.length === 0 || bypassing.length === enforcing.length);
  combined.bypassActors = combined.adminBypass ? [...new Set(bypassing.flatMap((p) => p.bypassActors))] : [];
  return combined;
}

export function branchRulesHash(rules: BranchRules): string {
  return canonicalHash(rules);
}
