// Loads the audit facts for a whole organization with few counted requests:
//
//   org level, once, all conditional (a 304 is free):
//     GET /orgs/{org}                       → two_factor_requirement_enabled
//     GET /orgs/{org}/members?role=admin    → owners (admins everywhere; not counted as repo admins)
//     GET /orgs/{org}/outside_collaborators → who is outside
//     GET /orgs/{org}/repos                 → every repository with visibility, default branch, security_and_analysis
//   per repository, batched 25 to a GraphQL query (aliases):
//     default branch's classic protection rule, the ruleset rules that apply to it (with
//     each ruleset's enforcement, source and bypass actors — org rulesets included), collaborators.
//
// So a cold pass costs ~1/100 + 1/25 requests per repository plus four, a warm one ~1/25.

import { PROTECTION_RULE_FIELDS } from "../facts/queries.js";
import type { GitHubClient } from "../transport/client.js";
import { classicFromGraphql, type GqlProtectionRule } from "../../rules/classic-from-graphql.js";
import { combineBranchRules, fromClassicProtection, rulesetParts, type BypassActor, type RulesetDetails } from "../../rules/branch-rules.js";
import type { BranchRules } from "../../facts.js";
import type { OrgAuditFacts, Permission, RepositoryAuditFacts } from "../../audit/facts.js";

/** A repository as `GET /orgs/{org}/repos` (or `GET /repos/{owner}/{repo}`) lists it; the fields we read. */
export interface ListedRepository {
  id: number;
  name: string;
  full_name: string;
  html_url: string;
  private: boolean;
  visibility?: string;
  archived?: boolean;
  fork: boolean;
  default_branch?: string;
  security_and_analysis?: {
    secret_scanning?: { status?: string } | null;
    secret_scanning_push_protection?: { status?: string } | null;
  } | null;
}

export interface OrgContext {
  org: OrgAuditFacts;
  repositories: ListedRepository[];
}

const status = (error: unknown): number => (error as { status?: number }).status ?? 0;
const isDenied = (error: unknown): boolean => [403, 404].includes(status(error));

/** The org-level answers every repository's facts reuse. */
export async function loadOrgContext(gh: GitHubClient, org: string, options: { listRepositories?: boolean } = {}): Promise<OrgContext> {
  const [settings, owners, outside, repositories] = await Promise.all([
    gh.request("GET /orgs/{org}", { org }).then((r) => r.data as { two_factor_requirement_enabled?: boolean | null }),
    gh.paginate("GET /orgs/{org}/members", { org, role: "admin", per_page: 100 }).then((m) => m.map((u) => u.login), (e: unknown) => (isDenied(e) ? null : Promise.reject(e))),
    gh.paginate("GET /orgs/{org}/outside_collaborators", { org, per_page: 100 }).then((m) => m.map((u) => u.login), (e: unknown) => (isDenied(e) ? null : Promise.reject(e))),
    options.listRepositories === false ? Promise.resolve([]) : gh.paginate("GET /orgs/{org}/repos", { org, type: "all", per_page: 100 }).then((r) => r as unknown as ListedRepository[]),
  ]);
  // GitHub answers the field only to owners (or apps with organization Administration read).
  const twoFactor = typeof settings.two_factor_requirement_enabled === "boolean" ? settings.two_factor_requirement_enabled : null;
  return { org: { org, twoFactorRequired: twoFactor, owners, outsideCollaborators: outside }, repositories };
}

export async function loadListedRepository(gh: GitHubClient, org: string, repo: string): Promise<ListedRepository> {
  const { data } = await gh.request("GET /repos/{owner}/{repo}", { owner: org, repo });
  return data as unknown as ListedRepository;
}

// ---- GraphQL batch -------------------------------------------------------------

const REPOSITORY_FIELDS = `
  defaultBranchRef {
    name
    branchProtectionRule {
      ${PROTECTION_RULE_FIELDS}
      bypassPullRequestAllowances(first: 50) { nodes { actor { __typename ... on User { login } ... on Team { slug } ... on App { slug } } } }
    }
    rules(first: 100) {
      nodes {
        type
        parameters {
          __typename
          ... on PullRequestParameters { requiredApprovingReviewCount dismissStaleReviewsOnPush requireCodeOwnerReview requireLastPushApproval }
          ... on RequiredStatusChecksParameters { strictRequiredStatusChecksPolicy requiredStatusChecks { context integrationId } }
        }
        repositoryRuleset {
          databaseId
          name
          enforcement
          source { __typename ... on Organization { login } ... on Repository { nameWithOwner } }
          bypassActors(first: 50) {
            nodes {
              bypassMode
              organizationAdmin
              deployKey
              repositoryRoleDatabaseId
              actor { __typename ... on App { slug databaseId } ... on Team { slug databaseId } }
            }
          }
        }
      }
    }
  }
  collaborators(first: 100) { pageInfo { hasNextPage } edges { permission node { login } } }`;

export function repositoriesQuery(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$r${i}: String!`).join(", ");
  const fields = Array.from({ length: count }, (_, i) => `  r${i}: repository(owner: $owner, name: $r${i}) {${REPOSITORY_FIELDS}\n  }`).join("\n");
  return `query OrgAuditRepositories($owner: String!, ${vars}) {\n${fields}\n}`;
}

interface GqlActor {
  __typename: string;
  login?: string;
  slug?: string;
  databaseId?: number;
}
interface GqlRule {
  type: string;
  parameters: ({ __typename: string } & Record<string, unknown>) | null;
  repositoryRuleset: {
    databaseId: number | null;
    name: string;
    enforcement: "ACTIVE" | "EVALUATE" | "DISABLED";
    source: { __typename: string; login?: string; nameWithOwner?: string };
    bypassActors: { nodes: Array<{ bypassMode: string | null; organizationAdmin: boolean; deployKey: boolean; repositoryRoleDatabaseId: number | null; actor: GqlActor | null } | null> | null } | null;
  } | null;
}
interface GqlRepository {
  defaultBranchRef: {
    name: string;
    branchProtectionRule: (GqlProtectionRule & { bypassPullRequestAllowances?: { nodes: Array<{ actor: GqlActor | null } | null> | null } | null }) | null;
    rules: { nodes: Array<GqlRule | null> | null } | null;
  } | null;
  collaborators: { pageInfo: { hasNextPage: boolean }; edges: Array<{ permission: string; node: { login: string } } | null> | null } | null;
}

interface GqlError {
  type?: string;
  path?: Array<string | number>;
  message?: string;
}

/** GraphQL answers what it may and reports FORBIDDEN/NOT_FOUND per field; keep the data, note where. */
async function graphqlPartial<T>(gh: GitHubClient, query: string, variables: Record<string, unknown>): Promise<{ data: T; errors: GqlError[] }> {
  try {
    return { data: await gh.graphql<T>(query, variables), errors: [] };
  } catch (error) {
    const partial = error as { data?: T; errors?: GqlError[] };
    if (partial.data && partial.errors?.every((e) => e.type === "FORBIDDEN" || e.type === "NOT_FOUND")) return { data: partial.data, errors: partial.errors };
    throw error;
  }
}

const BYPASS_MODES: Record<string, string> = { ALWAYS: "always", PULL_REQUEST: "pull_request", EXEMPT: "exempt" };

/** GraphQL's rule → the REST `rules/branches` item shape, so one parser (src/rules/) handles both. */
function restRule(rule: GqlRule): Record<string, unknown> {
  const p = rule.parameters;
  const parameters =
    p?.__typename === "PullRequestParameters"
      ? { required_approving_review_count: p.requiredApprovingReviewCount, dismiss_stale_reviews_on_push: p.dismissStaleReviewsOnPush, require_code_owner_review: p.requireCodeOwnerReview, require_last_push_approval: p.requireLastPushApproval }
      : p?.__typename === "RequiredStatusChecksParameters"
        ? { strict_required_status_checks_policy: p.strictRequiredStatusChecksPolicy, required_status_checks: ((p.requiredStatusChecks as Array<{ context: string; integrationId: number | null }>) ?? []).map((c) => ({ context: c.context, integration_id: c.integrationId ?? undefined })) }
        : undefined;
  const ruleset = rule.repositoryRuleset;
  return {
    type: rule.type.toLowerCase(),
    ...(parameters ? { parameters } : {}),
    ruleset_id: ruleset?.databaseId ?? 0,
    ruleset_source_type: ruleset?.source.__typename === "Organization" ? "Organization" : ruleset?.source.__typename === "Enterprise" ? "Enterprise" : "Repository",
    ruleset_source: ruleset?.source.login ?? ruleset?.source.nameWithOwner ?? "",
  };
}

function rulesetDetails(ruleset: NonNullable<GqlRule["repositoryRuleset"]>, bypassVisible: boolean): RulesetDetails {
  const actors: BypassActor[] = (ruleset.bypassActors?.nodes ?? []).flatMap((a): BypassActor[] => {
    if (!a) return [];
    const bypass_mode = BYPASS_MODES[a.bypassMode ?? "ALWAYS"] ?? "always";
    if (a.organizationAdmin) return [{ actor_type: "OrganizationAdmin", actor_id: 1, bypass_mode }];
    if (a.deployKey) return [{ actor_type: "DeployKey", actor_id: null, bypass_mode }];
    if (a.repositoryRoleDatabaseId !== null) return [{ actor_type: "RepositoryRole", actor_id: a.repositoryRoleDatabaseId, bypass_mode }];
    if (a.actor?.__typename === "App") return [{ actor_type: "Integration", actor_id: a.actor.databaseId ?? null, actor_name: a.actor.slug, bypass_mode }];
    if (a.actor?.__typename === "Team") return [{ actor_type: "Team", actor_id: a.actor.databaseId ?? null, actor_name: a.actor.slug, bypass_mode }];
    return [];
  });
  const source_type = ruleset.source.__typename === "Organization" ? "Organization" : ruleset.source.__typename === "Enterprise" ? "Enterprise" : "Repository";
  return {
    id: ruleset.databaseId ?? 0,
    name: ruleset.name,
    enforcement: ruleset.enforcement.toLowerCase() as RulesetDetails["enforcement"],
    source_type,
    ...(ruleset.source.login || ruleset.source.nameWithOwner ? { source: ruleset.source.login ?? ruleset.source.nameWithOwner! } : {}),
    ...(bypassVisible ? { bypass_actors: actors } : {}),
  };
}

/** One repository's GraphQL answer → its default branch's effective rules. */
export function branchRulesFromGraphql(repo: GqlRepository, deniedFields: string[]): { rules: BranchRules; repositoryRulesets: Record<string, number> } {
  const parts: BranchRules[] = [];
  const unreadable: string[] = [];
  const ref = repo.defaultBranchRef;
  if (deniedFields.some((f) => f.includes("branchProtectionRule") && !f.includes("bypass"))) unreadable.push("Administration (read) to see classic branch protection");
  else if (ref?.branchProtectionRule) {
    parts.push(fromClassicProtection(classicFromGraphql(ref.branchProtectionRule)));
  }
  if (deniedFields.some((f) => f.endsWith(".rules") || f.endsWith(".rules.nodes"))) unreadable.push("read access to the branch's rulesets");
  const bypassHidden = deniedFields.some((f) => f.includes("bypassActors"));
  const rules = (ref?.rules?.nodes ?? []).filter((r): r is GqlRule => r !== null);
  const details = new Map<number, RulesetDetails>();
  const repositoryRulesets: Record<string, number> = {};
  for (const rule of rules) {
    const ruleset = rule.repositoryRuleset;
    if (!ruleset?.databaseId || details.has(ruleset.databaseId)) continue;
    details.set(ruleset.databaseId, rulesetDetails(ruleset, !bypassHidden));
    if (ruleset.source.__typename === "Repository") repositoryRulesets[ruleset.name] = ruleset.databaseId;
  }
  parts.push(...rulesetParts(rules.map(restRule), details));
  const combined = combineBranchRules(...parts);
  return { rules: { ...combined, unreadable: [...unreadable, ...combined.unreadable] }, repositoryRulesets };
}

const PERMISSIONS: Record<string, Permission> = { ADMIN: "admin", MAINTAIN: "maintain", WRITE: "write", TRIAGE: "triage", READ: "read" };

function securityOf(listed: ListedRepository): RepositoryAuditFacts["security"] {
  const analysis = listed.security_and_analysis;
  if (!analysis) return null;
  const on = (s: { status?: string } | null | undefined) => (s?.status === "enabled" ? "enabled" : "disabled");
  return { secretScanning: on(analysis.secret_scanning), pushProtection: on(analysis.secret_scanning_push_protection) };
}

export interface LoadFactsOptions {
  /** Repositories per GraphQL query; 25 keeps each query well under GitHub's node and cost limits. */
  batchSize?: number;
  /** Parallel GraphQL queries. */
  concurrency?: number;
  now?: () => Date;
}

/** Facts for the listed repositories: one GraphQL request per `batchSize` repositories. */
export async function loadRepositoryFacts(gh: GitHubClient, context: OrgContext, repositories: ListedRepository[], options: LoadFactsOptions = {}): Promise<RepositoryAuditFacts[]> {
  const batchSize = options.batchSize ?? 25;
  const batches: ListedRepository[][] = [];
  for (let i = 0; i < repositories.length; i += batchSize) batches.push(repositories.slice(i, i + batchSize));
  const collectedAt = (options.now?.() ?? new Date()).toISOString();
  const results: RepositoryAuditFacts[][] = new Array(batches.length);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const index = next++;
      results[index] = await loadBatch(gh, context, batches[index]!, collectedAt);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, batches.length) }, worker));
  return results.flat();
}

async function loadBatch(gh: GitHubClient, context: OrgContext, batch: ListedRepository[], collectedAt: string): Promise<RepositoryAuditFacts[]> {
  const variables: Record<string, unknown> = { owner: context.org.org };
  batch.forEach((repo, i) => (variables[`r${i}`] = repo.name));
  const { data, errors } = await graphqlPartial<Record<string, GqlRepository | null>>(gh, repositoriesQuery(batch.length), variables);
  return batch.map((listed, i) => {
    const alias = `r${i}`;
    const denied = errors.filter((e) => e.path?.[0] === alias).map((e) => (e.path ?? []).join("."));
    const repo = data[alias] ?? null;
    const { rules, repositoryRulesets } = repo
      ? branchRulesFromGraphql(repo, denied)
      : { rules: { ...combineBranchRules(), unreadable: ["read access to the repository"] }, repositoryRulesets: {} };
    const collaboratorsDenied = denied.some((d) => d.includes("collaborators"));
    const edges = repo?.collaborators?.edges ?? null;
    return {
      org: context.org,
      repo: {
        id: listed.id,
        name: listed.name,
        fullName: listed.full_name,
        url: listed.html_url,
        visibility: (listed.visibility ?? (listed.private ? "private" : "public")) as RepositoryAuditFacts["repo"]["visibility"],
        archived: listed.archived ?? false,
        fork: listed.fork,
        defaultBranch: repo?.defaultBranchRef?.name ?? listed.default_branch ?? "main",
      },
      branchRules: rules,
      repositoryRulesets,
      security: securityOf(listed),
      collaborators: collaboratorsDenied || edges === null ? null : edges.flatMap((e) => (e ? [{ login: e.node.login, permission: PERMISSIONS[e.permission] ?? "read" }] : [])),
      collaboratorsComplete: !(repo?.collaborators?.pageInfo.hasNextPage ?? false),
      collectedAt,
    } satisfies RepositoryAuditFacts;
  });
}
