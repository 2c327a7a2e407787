import { describe, expect, it } from "vitest";
import { branchRulesHash, combineBranchRules, emptyBranchRules, fromBranchRules, fromClassicProtection, rulesetParts, type RulesetDetails } from "../../src/rules/branch-rules.js";

// `GET /repos/{owner}/{repo}/branches/{branch}/protection`, as GitHub's docs show it.
const classic = {
  url: "https://api.github.com/repos/octocat/Hello-World/branches/main/protection",
  required_status_checks: {
    url: "https://api.github.com/repos/octocat/Hello-World/branches/main/protection/required_status_checks",
    contexts: ["continuous-integration/travis-ci"],
    contexts_url: "https://api.github.com/repos/octocat/Hello-World/branches/main/protection/required_status_checks/contexts",
    enforcement_level: "non_admins",
    checks: [{ context: "continuous-integration/travis-ci", app_id: null }],
    strict: true,
  },
  enforce_admins: { url: "https://api.github.com/repos/octocat/Hello-World/branches/main/protection/enforce_admins", enabled: true },
  required_pull_request_reviews: {
    url: "https://api.github.com/repos/octocat/Hello-World/branches/main/protection/required_pull_request_reviews",
    dismissal_restrictions: { users: [], teams: [], apps: [] },
    dismiss_stale_reviews: true,
    require_code_owner_reviews: true,
    required_approving_review_count: 2,
    require_last_push_approval: true,
  },
  required_linear_history: { enabled: true },
  allow_force_pushes: { enabled: false },
  allow_deletions: { enabled: false },
  required_conversation_resolution: { enabled: false },
  lock_branch: { enabled: false },
  allow_fork_syncing: { enabled: false },
};

// `GET /repos/{owner}/{repo}/rules/branches/{branch}`: every rule that applies, with its ruleset.
const orgRules = [
  { type: "pull_request", ruleset_source_type: "Organization", ruleset_source: "acme", ruleset_id: 42, parameters: { required_approving_review_count: 1, dismiss_stale_reviews_on_push: false, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false, allowed_merge_methods: ["merge", "squash", "rebase"] } },
  { type: "required_status_checks", ruleset_source_type: "Organization", ruleset_source: "acme", ruleset_id: 42, parameters: { strict_required_status_checks_policy: false, do_not_enforce_on_create: false, required_status_checks: [{ context: "soc2-guard", integration_id: 1 }, { context: "build" }] } },
  { type: "deletion", ruleset_source_type: "Organization", ruleset_source: "acme", ruleset_id: 42 },
];
const repoRules = [
  { type: "non_fast_forward", ruleset_source_type: "Repository", ruleset_source: "acme/api", ruleset_id: 7 },
  { type: "pull_request", ruleset_source_type: "Repository", ruleset_source: "acme/api", ruleset_id: 7, parameters: { required_approving_review_count: 2, dismiss_stale_reviews_on_push: true, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false } },
];

// `GET /repos/{owner}/{repo}/rulesets/{id}` (fields trimmed to what GitHub always sends and we read).
const ruleset = (id: number, name: string, extra: Partial<RulesetDetails> & Record<string, unknown> = {}): RulesetDetails =>
  ({ id, name, target: "branch", source_type: "Repository", source: "acme/api", enforcement: "active", bypass_actors: [], node_id: "RRS_lACqUmVwb3NpdG9yec5Rdrnq", _links: {}, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", ...extra }) as RulesetDetails;

describe("classic branch protection", () => {
  it("reads every requirement and an admin-enforced rule has no bypass", () => {
    const rules = fromClassicProtection(classic);
    expect(rules).toMatchObject({
      sources: [{ kind: "classic", enforcement: "active", level: "repository" }],
      requirePullRequest: true,
      requiredApprovals: 2,
      dismissStaleReviews: true,
      requireCodeOwnerReview: true,
      requireLastPushApproval: true,
      requiredStatusChecks: ["continuous-integration/travis-ci"],
      strictStatusChecks: true,
      blockForcePushes: true,
      blockDeletions: true,
      adminBypass: false,
      bypassActors: [],
    });
  });

  it("lists admins and pull-request bypass allowances as bypass actors", () => {
    const rules = fromClassicProtection({
      ...classic,
      enforce_admins: { url: "x", enabled: false },
      required_pull_request_reviews: { ...classic.required_pull_request_reviews, bypass_pull_request_allowances: { users: [{ login: "octocat", id: 1 }], teams: [{ slug: "release", id: 2 }], apps: [{ slug: "deploy-bot", id: 3 }] } },
    });
    expect(rules.adminBypass).toBe(true);
    expect(rules.bypassActors).toEqual(["repository admins", "user octocat", "team release", "app deploy-bot"]);
    // Combined with nothing else, every one of them escapes every rule.
    expect(combineBranchRules(rules).bypassActors).toEqual(["app deploy-bot", "repository admins", "team release", "user octocat"]);
  });

  it("without review settings does not require pull requests; allowed force pushes are not blocked", () => {
    const rules = fromClassicProtection({ ...classic, required_pull_request_reviews: undefined, allow_force_pushes: { enabled: true } });
    expect(rules.requirePullRequest).toBe(false);
    expect(rules.requiredApprovals).toBe(0);
    expect(rules.blockForcePushes).toBe(false);
  });
});

describe("rulesets", () => {
  it("reads repository and organization rulesets and combines them: max approvals, union of checks", () => {
    const details = new Map([
      [42, ruleset(42, "org baseline", { source_type: "Organization", source: "acme" })],
      [7, ruleset(7, "main protection")],
    ]);
    const rules = fromBranchRules([...orgRules, ...repoRules], details);
    expect(rules.sources).toEqual([
      { kind: "ruleset", name: "org baseline", enforcement: "active", level: "organization" },
      { kind: "ruleset", name: "main protection", enforcement: "active", level: "repository" },
    ]);
    expect(rules).toMatchObject({ requirePullRequest: true, requiredApprovals: 2, dismissStaleReviews: true, requiredStatusChecks: ["build", "soc2-guard"], blockForcePushes: true, blockDeletions: true, adminBypass: false, unreadable: [] });
  });

  it("evaluate-mode and disabled rulesets enforce nothing but are listed as sources", () => {
    const details = { 42: ruleset(42, "org baseline (trial)", { enforcement: "evaluate", source_type: "Organization" }), 7: ruleset(7, "old", { enforcement: "disabled" }) };
    const rules = fromBranchRules([...orgRules, ...repoRules], details);
    expect(rules.sources.map((s) => s.enforcement)).toEqual(["evaluate", "disabled"]);
    expect(rules).toMatchObject({ requirePullRequest: false, requiredApprovals: 0, requiredStatusChecks: [], blockDeletions: false, blockForcePushes: false });
  });

  it("reports a ruleset whose details could not be read as unreadable, assuming it is active", () => {
    const rules = fromBranchRules(repoRules);
    expect(rules.requiredApprovals).toBe(2);
    expect(rules.sources[0]!.level).toBe("repository");
    expect(rules.unreadable).toEqual(["ruleset 7: enforcement and bypass list unknown"]);
  });

  it("names bypass actors with their mode", () => {
    const parts = rulesetParts(repoRules, { 7: ruleset(7, "main", { bypass_actors: [{ actor_id: 5, actor_type: "RepositoryRole", bypass_mode: "always" }, { actor_id: 1, actor_type: "OrganizationAdmin", bypass_mode: "always" }, { actor_id: 2718, actor_type: "Team", bypass_mode: "pull_request" }, { actor_id: 99, actor_type: "Integration", bypass_mode: "always" }, { actor_id: null, actor_type: "DeployKey", bypass_mode: "always" }] }) });
    expect(parts[0]!.bypassActors).toEqual(["repository admins", "organization admins", "team #2718 (pull requests only)", "app #99", "deploy keys"]);
  });
});

describe("combining classic protection and rulesets", () => {
  it("the most restrictive setting wins across classic, repository and organization rules", () => {
    const weakClassic = fromClassicProtection({ ...classic, required_pull_request_reviews: { ...classic.required_pull_request_reviews, required_approving_review_count: 1, dismiss_stale_reviews: false }, allow_force_pushes: { enabled: true } });
    const rules = combineBranchRules(weakClassic, ...rulesetParts([...orgRules, ...repoRules], { 42: ruleset(42, "org", { source_type: "Organization" }), 7: ruleset(7, "repo") }));
    expect(rules.sources.map((s) => `${s.level}/${s.kind}`)).toEqual(["repository/classic", "organization/ruleset", "repository/ruleset"]);
    expect(rules).toMatchObject({ requiredApprovals: 2, dismissStaleReviews: true, blockForcePushes: true, requiredStatusChecks: ["build", "continuous-integration/travis-ci", "soc2-guard"], adminBypass: false });
  });

  it("a bypass actor on the only source that blocks force pushes can still force push", () => {
    const rules = combineBranchRules(fromClassicProtection({ ...classic, allow_force_pushes: { enabled: true } }), ...rulesetParts(repoRules, { 7: ruleset(7, "repo", { bypass_actors: [{ actor_id: 2718, actor_type: "Team", bypass_mode: "always" }] }) }));
    expect(rules.adminBypass).toBe(true);
    expect(rules.bypassActors).toEqual(["team #2718"]);
  });

  it("a bypass actor on a ruleset that only repeats an enforced classic rule bypasses nothing", () => {
    const repeat = [{ type: "pull_request", ruleset_source_type: "Repository", ruleset_source: "acme/api", ruleset_id: 7, parameters: { required_approving_review_count: 1, dismiss_stale_reviews_on_push: true, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false } }];
    const rules = combineBranchRules(fromClassicProtection(classic), ...rulesetParts(repeat, { 7: ruleset(7, "repo", { bypass_actors: [{ actor_id: 5, actor_type: "RepositoryRole", bypass_mode: "always" }] }) }));
    expect(rules.adminBypass).toBe(false);
    expect(rules.bypassActors).toEqual([]);
  });

  it("admins who may skip classic protection and an organization ruleset that lets org admins bypass: owners escape both", () => {
    const classicNoAdmins = fromClassicProtection({ ...classic, enforce_admins: { url: "x", enabled: false } });
    const org = rulesetParts(orgRules, { 42: ruleset(42, "org", { source_type: "Organization", bypass_actors: [{ actor_id: 1, actor_type: "OrganizationAdmin", bypass_mode: "always" }] }) });
    const rules = combineBranchRules(classicNoAdmins, ...org);
    // Repository admins skip classic (2 approvals) and still meet the org ruleset (1): weaker. Owners skip both.
    expect(rules.bypassActors).toEqual(["organization admins", "repository admins"]);
  });

  it("an evaluate-mode ruleset's bypass list is irrelevant", () => {
    const rules = combineBranchRules(fromClassicProtection(classic), ...rulesetParts(orgRules, { 42: ruleset(42, "trial", { enforcement: "evaluate", bypass_actors: [{ actor_id: 1, actor_type: "OrganizationAdmin", bypass_mode: "always" }] }) }));
    expect(rules.adminBypass).toBe(false);
  });

  it("no sources → nothing required", () => {
    expect(combineBranchRules()).toEqual(emptyBranchRules());
  });
});

describe("branchRulesHash", () => {
  it("is a SHA-256 of canonical JSON: stable across key order, changes with the rules", () => {
    const a = fromClassicProtection(classic);
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
    expect(branchRulesHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(branchRulesHash(reordered)).toBe(branchRulesHash(a));
    expect(branchRulesHash({ ...a, requiredApprovals: 1 })).not.toBe(branchRulesHash(a));
  });
});
