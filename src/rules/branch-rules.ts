// GitHub's two ways of protecting a branch — classic protection and rulesets (repository
// and organization level) — turned into one BranchRules value, combined as GitHub
// combines them: every rule that applies is enforced, so the most restrictive setting
// wins. A bypass actor skips only the source that lists it; the others still apply.
//
// Pure: callers (the PR facts loader, the org audit loader) fetch the JSON.

import { canonicalHash } from "../canonical-json.js";
import type { BranchRules } from "../facts.js";

type Json = Record<string, unknown>;
type Source = BranchRules["sources"][number];

export function emptyBranchRules(): BranchRules {
  return {
    sources: [],
    requirePullRequest: false,
    requiredApprovals: 0,
    dismissStaleReviews: false,
    requireCodeOwnerReview: false,
    requireLastPushApproval: false,
    requiredStatusChecks: [],
    pinnedChecks: [],
    strictStatusChecks: false,
    blockForcePushes: false,
    blockDeletions: false,
    adminBypass: false,
    bypassActors: [],
    unreadable: [],
  };
}

const enabled = (value: unknown): boolean => typeof value === "object" && value !== null && (value as Json).enabled === true;
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

/** Who classic protection lets skip it: admins unless "include administrators", plus PR bypass allowances. */
function classicBypassActors(json: Json, reviews: Json | undefined): string[] {
  const actors: string[] = [];
  if (!enabled(json.enforce_admins)) actors.push(REPOSITORY_ADMINS);
  const allowances = (reviews?.bypass_pull_request_allowances ?? {}) as Json;
  for (const user of list(allowances.users)) actors.push(`user ${String(user.login)}`);
  for (const team of list(allowances.teams)) actors.push(`team ${String(team.slug)}`);
  for (const app of list(allowances.apps)) actors.push(`app ${String(app.slug)}`);
  return actors;
}

/** From `GET /repos/{owner}/{repo}/branches/{branch}/protection` (or the same shape built from GraphQL). */
export function fromClassicProtection(json: Json, name = "classic branch protection"): BranchRules {
  const reviews = (json.required_pull_request_reviews ?? undefined) as Json | undefined;
  const checks = (json.required_status_checks ?? undefined) as Json | undefined;
  const contexts = new Set<string>([
    ...((checks?.contexts as string[] | undefined) ?? []),
    ...((checks?.checks as Array<{ context: string }> | undefined) ?? []).map((c) => c.context),
  ]);
  const bypassActors = classicBypassActors(json, reviews);
  // app_id -1 (or none) means "any source"; a positive id pins the check to that app.
  const pinnedChecks = ((checks?.checks as Array<{ context: string; app_id?: number | null }> | undefined) ?? [])
    .filter((c) => typeof c.app_id === "number" && c.app_id > 0)
    .map((c) => ({ context: c.context, appId: c.app_id! }));
  return {
    ...emptyBranchRules(),
    sources: [{ kind: "classic", name, enforcement: "active", level: "repository" }],
    requirePullRequest: reviews !== undefined,
    requiredApprovals: Number(reviews?.required_approving_review_count ?? 0),
    dismissStaleReviews: reviews?.dismiss_stale_reviews === true,
    requireCodeOwnerReview: reviews?.require_code_owner_reviews === true,
    requireLastPushApproval: reviews?.require_last_push_approval === true,
    requiredStatusChecks: [...contexts].sort(),
    pinnedChecks: sortPins(pinnedChecks),
    strictStatusChecks: checks?.strict === true,
    blockForcePushes: !enabled(json.allow_force_pushes),
    blockDeletions: !enabled(json.allow_deletions),
    adminBypass: bypassActors.length > 0,
    bypassActors,
  };
}

/** A ruleset as `GET /repos/{owner}/{repo}/rulesets/{id}` or `GET /orgs/{org}/rulesets/{id}` returns it (the fields we read). */
export interface RulesetDetails {
  id: number;
  name: string;
  enforcement: "active" | "evaluate" | "disabled";
  source_type?: "Repository" | "Organization" | "Enterprise";
  source?: string;
  /** Only returned to callers with write access to the ruleset; absent → unknown. */
  bypass_actors?: BypassActor[];
}

/** A ruleset bypass actor in REST's shape; `actor_name` (slug) when the source (GraphQL) gave one. */
export interface BypassActor {
  actor_id?: number | null;
  actor_type: string;
  bypass_mode?: string;
  actor_name?: string;
}

const REPOSITORY_ADMINS = "repository admins";
const ORGANIZATION_ADMINS = "organization admins";
// Built-in repository role ids GitHub uses in bypass lists.
const ROLE_NAMES: Record<number, string> = { 5: REPOSITORY_ADMINS, 2: "maintain role", 4: "write role" };

function bypassActorLabel(actor: BypassActor): string {
  const id = actor.actor_name ?? actor.actor_id ?? null;
  const who =
    actor.actor_type === "RepositoryRole" ? (typeof id === "number" ? ROLE_NAMES[id] ?? `repository role #${id}` : id !== null ? `${id} role` : "repository role")
    : actor.actor_type === "OrganizationAdmin" ? ORGANIZATION_ADMINS
    : actor.actor_type === "DeployKey" ? "deploy keys"
    : actor.actor_type === "Integration" ? (actor.actor_name ? `app ${id}` : `app #${id}`)
    : actor.actor_name ? `${actor.actor_type.toLowerCase()} ${id}`
    : `${actor.actor_type.toLowerCase()} #${id}`;
  const mode = actor.bypass_mode === "pull_request" ? " (pull requests only)" : actor.bypass_mode === "exempt" ? " (exempt)" : "";
  return `${who}${mode}`;
}

/** The identity in a bypass label, without its mode. */
const actorIdentity = (label: string): string => label.replace(/ \((pull requests only|exempt)\)$/, "");

/** Whether `actor` may skip `part`: listed there, or an org owner where repository admins are (owners administer every repository). */
function canBypass(actor: string, part: BranchRules): boolean {
  const listed = new Set(part.bypassActors.map(actorIdentity));
  return listed.has(actor) || (actor === ORGANIZATION_ADMINS && listed.has(REPOSITORY_ADMINS));
}

/**
 * One BranchRules per ruleset from `GET /repos/{owner}/{repo}/rules/branches/{branch}` (the
 * rules that apply, each naming its `ruleset_id` and `ruleset_source_type`), with each
 * ruleset's details when known (enforcement, bypass actors). Evaluate-mode and disabled
 * rulesets enforce nothing.
 */
export function rulesetParts(rules: Json[], rulesets: ReadonlyMap<number, RulesetDetails> | Record<number, RulesetDetails> = new Map()): BranchRules[] {
  const details = (id: number): RulesetDetails | undefined => (rulesets instanceof Map ? rulesets.get(id) : (rulesets as Record<number, RulesetDetails>)[id]);
  const byRuleset = new Map<number, Json[]>();
  for (const rule of rules) {
    const id = Number(rule.ruleset_id ?? 0);
    byRuleset.set(id, [...(byRuleset.get(id) ?? []), rule]);
  }
  const parts: BranchRules[] = [];
  for (const [id, group] of byRuleset) {
    const ruleset = details(id);
    const enforcement = ruleset?.enforcement ?? "active";
    const sourceType = ruleset?.source_type ?? (group[0]?.ruleset_source_type as string | undefined);
    const source: Source = { kind: "ruleset", name: ruleset?.name ?? `ruleset ${id}`, enforcement, level: sourceType === "Organization" ? "organization" : "repository" };
    const part: BranchRules = { ...emptyBranchRules(), sources: [source] };
    parts.push(part);
    if (enforcement !== "active") continue;
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
          part.requiredStatusChecks = [...new Set([...part.requiredStatusChecks, ...list(p.required_status_checks).map((c) => String(c.context))])].sort();
          part.pinnedChecks = unionPins(
            part.pinnedChecks,
            list(p.required_status_checks)
              .filter((c) => typeof c.integration_id === "number" && c.integration_id > 0)
              .map((c) => ({ context: String(c.context), appId: Number(c.integration_id) })),
          );
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
    if (!ruleset) part.unreadable.push(`${source.name}: enforcement and bypass list unknown`);
    else if (ruleset.bypass_actors === undefined) part.unreadable.push(`${source.name}: bypass list not visible to the app`);
    part.bypassActors = (ruleset?.bypass_actors ?? []).map(bypassActorLabel);
    part.adminBypass = part.bypassActors.length > 0;
  }
  return parts;
}

/** From `GET /repos/{owner}/{repo}/rules/branches/{branch}` plus, when known, each ruleset's details. */
export function fromBranchRules(rules: Json[], rulesets: ReadonlyMap<number, RulesetDetails> | Record<number, RulesetDetails> = new Map()): BranchRules {
  return combineBranchRules(...rulesetParts(rules, rulesets));
}

type Pin = BranchRules["pinnedChecks"][number];
const sortPins = (pins: Pin[]): Pin[] => [...pins].sort((a, b) => a.context.localeCompare(b.context) || a.appId - b.appId);
/** Both lists of pins; a check pinned to two apps by two sources must satisfy both (GitHub enforces each rule). */
function unionPins(a: Pin[], b: Pin[]): Pin[] {
  const seen = new Map<string, Pin>();
  for (const pin of [...a, ...b]) seen.set(`${pin.appId}:${pin.context}`, pin);
  return sortPins([...seen.values()]);
}

/** The requirements of several sources added up, ignoring who may bypass them. */
function requirements(parts: BranchRules[]): BranchRules {
  const combined = emptyBranchRules();
  for (const part of parts) {
    combined.sources.push(...part.sources);
    combined.unreadable.push(...part.unreadable);
    combined.requirePullRequest ||= part.requirePullRequest;
    combined.requiredApprovals = Math.max(combined.requiredApprovals, part.requiredApprovals);
    combined.dismissStaleReviews ||= part.dismissStaleReviews;
    combined.requireCodeOwnerReview ||= part.requireCodeOwnerReview;
    combined.requireLastPushApproval ||= part.requireLastPushApproval;
    combined.requiredStatusChecks = [...new Set([...combined.requiredStatusChecks, ...part.requiredStatusChecks])].sort();
    combined.pinnedChecks = unionPins(combined.pinnedChecks, part.pinnedChecks);
    combined.strictStatusChecks ||= part.strictStatusChecks;
    combined.blockForcePushes ||= part.blockForcePushes;
    combined.blockDeletions ||= part.blockDeletions;
  }
  return combined;
}

/** Whether `weaker` lets through something `full` blocks. */
function isWeaker(weaker: BranchRules, full: BranchRules): boolean {
  return (
    (full.requirePullRequest && !weaker.requirePullRequest) ||
    weaker.requiredApprovals < full.requiredApprovals ||
    (full.dismissStaleReviews && !weaker.dismissStaleReviews) ||
    (full.requireCodeOwnerReview && !weaker.requireCodeOwnerReview) ||
    (full.requireLastPushApproval && !weaker.requireLastPushApproval) ||
    full.requiredStatusChecks.some((c) => !weaker.requiredStatusChecks.includes(c)) ||
    full.pinnedChecks.some((c) => !weaker.pinnedChecks.some((w) => w.context === c.context && w.appId === c.appId)) ||
    (full.strictStatusChecks && !weaker.strictStatusChecks) ||
    (full.blockForcePushes && !weaker.blockForcePushes) ||
    (full.blockDeletions && !weaker.blockDeletions)
  );
}

/**
 * Combines the rule sources that apply to one branch. Requirements add up (max approvals,
 * any "require", union of checks). A bypass actor skips the sources that list it and is
 * still held to the rest, so it is reported only when what remains for it is weaker
 * than the combined rules — e.g. admins who may skip a ruleset that only repeats an
 * enforced classic rule bypass nothing.
 */
export function combineBranchRules(...parts: BranchRules[]): BranchRules {
  const combined = requirements(parts);
  const candidates = new Set(parts.flatMap((p) => p.bypassActors.map(actorIdentity)));
  // Owners are admins of every repository: where admins may bypass, so may they.
  if (candidates.has(REPOSITORY_ADMINS)) candidates.add(ORGANIZATION_ADMINS);
  const effective = new Set<string>();
  for (const actor of candidates) {
    const remaining = requirements(parts.filter((p) => !canBypass(actor, p)));
    if (isWeaker(remaining, combined)) effective.add(actor);
  }
  // Keep the labels as the sources wrote them (with their modes), for the report.
  const labels = parts.flatMap((p) => p.bypassActors).filter((label) => effective.has(actorIdentity(label)));
  combined.bypassActors = [...new Set(labels)].sort();
  combined.adminBypass = combined.bypassActors.length > 0;
  return combined;
}

/** SHA-256 of the canonical JSON of the rules in force, for evidence records. */
export function branchRulesHash(rules: BranchRules): string {
  return canonicalHash(rules);
}
