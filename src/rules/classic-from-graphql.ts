// Classic branch protection as GraphQL's BranchProtectionRule gives it, turned into the
// REST shape of `GET /repos/{owner}/{repo}/branches/{branch}/protection`, so one parser
// (fromClassicProtection) handles both. Pure: the PR facts loader and the org audit
// loader fetch the rule.

/** The fields of GraphQL's BranchProtectionRule we read (PROTECTION_RULE_FIELDS in src/github/facts/queries.ts). */
export interface GqlProtectionRule {
  pattern: string;
  requiresApprovingReviews: boolean;
  requiredApprovingReviewCount: number | null;
  dismissesStaleReviews: boolean;
  requiresCodeOwnerReviews: boolean;
  requireLastPushApproval: boolean;
  requiresStatusChecks: boolean;
  requiredStatusCheckContexts: Array<string | null> | null;
  /** Each required check with the app it is pinned to (null: any source). */
  requiredStatusChecks?: Array<{ context: string; app: { databaseId: number | null; slug?: string } | null }> | null;
  requiresStrictStatusChecks: boolean;
  allowsForcePushes: boolean;
  allowsDeletions: boolean;
  isAdminEnforced: boolean;
  /** Who may merge without the required reviews; absent when the query did not ask. */
  bypassPullRequestAllowances?: { nodes: Array<{ actor: GqlAllowanceActor | null } | null> | null } | null;
}

export interface GqlAllowanceActor {
  __typename: string;
  login?: string;
  slug?: string;
}

const allowance = (actor: GqlAllowanceActor | null): Record<string, string> | null =>
  actor?.__typename === "User" ? { login: actor.login ?? "" } : actor?.__typename === "Team" || actor?.__typename === "App" ? { slug: actor.slug ?? "" } : null;

export function classicFromGraphql(rule: GqlProtectionRule): Record<string, unknown> {
  const pinned = (rule.requiredStatusChecks ?? []).filter((c) => typeof c.app?.databaseId === "number");
  const actors = (rule.bypassPullRequestAllowances?.nodes ?? []).map((n) => n?.actor ?? null);
  const ofType = (type: string) => actors.filter((a) => a?.__typename === type).map(allowance);
  return {
    required_pull_request_reviews: rule.requiresApprovingReviews
      ? {
          required_approving_review_count: rule.requiredApprovingReviewCount ?? 0,
          dismiss_stale_reviews: rule.dismissesStaleReviews,
          require_code_owner_reviews: rule.requiresCodeOwnerReviews,
          require_last_push_approval: rule.requireLastPushApproval,
          bypass_pull_request_allowances: { users: ofType("User"), teams: ofType("Team"), apps: ofType("App") },
        }
      : undefined,
    required_status_checks: rule.requiresStatusChecks
      ? {
          strict: rule.requiresStrictStatusChecks,
          contexts: (rule.requiredStatusCheckContexts ?? []).filter((c): c is string => !!c),
          checks: pinned.map((c) => ({ context: c.context, app_id: c.app!.databaseId })),
        }
      : undefined,
    enforce_admins: { enabled: rule.isAdminEnforced },
    allow_force_pushes: { enabled: rule.allowsForcePushes },
    allow_deletions: { enabled: rule.allowsDeletions },
  };
}
