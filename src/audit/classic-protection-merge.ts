// A classic-protection fix is a PUT: GitHub replaces the whole protection with the body,
// and what the body leaves out (or sends as null) is removed. So the planned body (the
// bar) is laid over the protection as it is now, keeping everything the fix does not need
// to change: push restrictions (users, teams, apps), who may dismiss reviews or bypass
// pull requests, linear history, conversation resolution, creation blocking, branch lock,
// fork syncing, and the app each required check is pinned to. Pure.

/** `GET /repos/{owner}/{repo}/branches/{branch}/protection`, the fields a PUT can set. */
export interface ClassicProtection {
  required_status_checks?: { strict?: boolean; contexts?: string[]; checks?: Array<{ context: string; app_id?: number | null }> } | null;
  enforce_admins?: { enabled?: boolean } | null;
  required_pull_request_reviews?: {
    dismiss_stale_reviews?: boolean;
    require_code_owner_reviews?: boolean;
    required_approving_review_count?: number;
    require_last_push_approval?: boolean;
    dismissal_restrictions?: { users?: Array<{ login: string }>; teams?: Array<{ slug: string }>; apps?: Array<{ slug: string }> } | null;
    bypass_pull_request_allowances?: { users?: Array<{ login: string }>; teams?: Array<{ slug: string }>; apps?: Array<{ slug: string }> } | null;
  } | null;
  restrictions?: { users?: Array<{ login: string }>; teams?: Array<{ slug: string }>; apps?: Array<{ slug: string }> } | null;
  required_linear_history?: { enabled?: boolean } | null;
  allow_force_pushes?: { enabled?: boolean } | null;
  allow_deletions?: { enabled?: boolean } | null;
  block_creations?: { enabled?: boolean } | null;
  required_conversation_resolution?: { enabled?: boolean } | null;
  lock_branch?: { enabled?: boolean } | null;
  allow_fork_syncing?: { enabled?: boolean } | null;
}

type Actors = { users?: Array<{ login: string }>; teams?: Array<{ slug: string }>; apps?: Array<{ slug: string }> } | null | undefined;

const actors = (a: Actors) => (a ? { users: (a.users ?? []).map((u) => u.login), teams: (a.teams ?? []).map((t) => t.slug), apps: (a.apps ?? []).map((x) => x.slug) } : null);

/** The PUT body: `planned` where the bar needs it, `current` everywhere else. */
export function preserveClassicProtection(current: ClassicProtection | null, planned: Record<string, unknown>): Record<string, unknown> {
  if (!current) return planned;
  const body: Record<string, unknown> = { ...planned };
  // Who may push at all: the fix never widens or drops it.
  body.restrictions = actors(current.restrictions);
  const plannedChecks = planned.required_status_checks as { strict: boolean; contexts: string[] } | null;
  if (plannedChecks) {
    // Keep each check's pinned app (`checks`); `contexts` stays, as GitHub's schema requires it.
    const pinned = new Map((current.required_status_checks?.checks ?? []).map((c) => [c.context, c.app_id ?? null]));
    const anyPinned = plannedChecks.contexts.some((context) => pinned.get(context) != null);
    body.required_status_checks = {
      strict: plannedChecks.strict,
      contexts: plannedChecks.contexts,
      ...(anyPinned ? { checks: plannedChecks.contexts.map((context) => (pinned.get(context) != null ? { context, app_id: pinned.get(context) } : { context })) } : {}),
    };
  }
  const reviews = planned.required_pull_request_reviews as Record<string, unknown> | null;
  const currentReviews = current.required_pull_request_reviews;
  if (reviews && currentReviews) {
    body.required_pull_request_reviews = {
      ...reviews,
      ...(currentReviews.dismissal_restrictions ? { dismissal_restrictions: actors(currentReviews.dismissal_restrictions) } : {}),
      ...(currentReviews.bypass_pull_request_allowances ? { bypass_pull_request_allowances: actors(currentReviews.bypass_pull_request_allowances) } : {}),
    };
  }
  const keep = (name: keyof ClassicProtection) => {
    const value = (current[name] as { enabled?: boolean } | null | undefined)?.enabled;
    if (value !== undefined && !(name in planned)) body[name] = value;
  };
  for (const name of ["required_linear_history", "block_creations", "required_conversation_resolution", "lock_branch", "allow_fork_syncing"] as const) keep(name);
  return body;
}
