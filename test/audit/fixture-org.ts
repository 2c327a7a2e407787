// A scripted GitHub organization for audit tests and the bench: nock interceptors that
// answer the audit's org-level REST requests (with ETags and 304s, as GitHub does) and
// its batched GraphQL query, from a small description of each repository.

import nock from "nock";

export const API = "https://api.github.com";

export interface FixtureRule {
  type: "PULL_REQUEST" | "REQUIRED_STATUS_CHECKS" | "NON_FAST_FORWARD" | "DELETION";
  approvals?: number;
  dismissStale?: boolean;
  checks?: string[];
}
export interface FixtureRuleset {
  id: number;
  name: string;
  level: "Repository" | "Organization";
  enforcement?: "ACTIVE" | "EVALUATE" | "DISABLED";
  rules: FixtureRule[];
  bypass?: Array<{ organizationAdmin?: boolean; roleId?: number; team?: string; app?: string; mode?: "ALWAYS" | "PULL_REQUEST" }>;
}
export interface FixtureRepo {
  name: string;
  visibility?: "public" | "private" | "internal";
  archived?: boolean;
  fork?: boolean;
  /** Classic protection on the default branch; null → none. */
  classic?: { approvals: number; dismissStale?: boolean; checks?: string[]; enforceAdmins?: boolean; allowForcePushes?: boolean; allowDeletions?: boolean } | null;
  rulesets?: FixtureRuleset[];
  collaborators?: Array<{ login: string; permission: "ADMIN" | "MAINTAIN" | "WRITE" | "TRIAGE" | "READ" }>;
  /** null → security_and_analysis absent (no Administration read). */
  security?: { secretScanning: boolean; pushProtection: boolean } | null;
}
export interface FixtureOrg {
  login: string;
  twoFactor?: boolean | null;
  owners?: string[];
  outside?: string[] | null;
  repos: FixtureRepo[];
}

const etagged = (etag: string, data: unknown, headers: Record<string, string> = {}) =>
  function (this: { req: { headers: Record<string, string | string[] | undefined> } }): [number, unknown, Record<string, string>] {
    return this.req.headers["if-none-match"] === etag ? [304, "", { etag }] : [200, data, { etag, ...headers }];
  };

export function listedRepo(org: string, r: FixtureRepo, i: number): Record<string, unknown> {
  const visibility = r.visibility ?? "private";
  return {
    id: 100_000 + i,
    node_id: `R_${i}`,
    name: r.name,
    full_name: `${org}/${r.name}`,
    private: visibility !== "public",
    visibility,
    owner: { login: org, id: 1, type: "Organization" },
    html_url: `https://github.com/${org}/${r.name}`,
    url: `${API}/repos/${org}/${r.name}`,
    fork: r.fork ?? false,
    archived: r.archived ?? false,
    disabled: false,
    default_branch: "main",
    ...(r.security === null
      ? {}
      : { security_and_analysis: { secret_scanning: { status: r.security?.secretScanning === false ? "disabled" : "enabled" }, secret_scanning_push_protection: { status: r.security?.pushProtection === false ? "disabled" : "enabled" } } }),
  };
}

function gqlRepository(org: string, r: FixtureRepo): Record<string, unknown> {
  const c = r.classic;
  return {
    defaultBranchRef: {
      name: "main",
      branchProtectionRule: c
        ? {
            pattern: "main",
            requiresApprovingReviews: c.approvals > 0,
            requiredApprovingReviewCount: c.approvals,
            dismissesStaleReviews: c.dismissStale ?? false,
            requiresCodeOwnerReviews: false,
            requireLastPushApproval: false,
            requiresStatusChecks: (c.checks ?? []).length > 0,
            requiredStatusCheckContexts: c.checks ?? [],
            requiresStrictStatusChecks: false,
            allowsForcePushes: c.allowForcePushes ?? false,
            allowsDeletions: c.allowDeletions ?? false,
            isAdminEnforced: c.enforceAdmins ?? true,
            bypassPullRequestAllowances: { nodes: [] },
          }
        : null,
      rules: {
        nodes: (r.rulesets ?? []).flatMap((rs) =>
          rs.rules.map((rule) => ({
            type: rule.type,
            parameters:
              rule.type === "PULL_REQUEST"
                ? { __typename: "PullRequestParameters", requiredApprovingReviewCount: rule.approvals ?? 1, dismissStaleReviewsOnPush: rule.dismissStale ?? false, requireCodeOwnerReview: false, requireLastPushApproval: false }
                : rule.type === "REQUIRED_STATUS_CHECKS"
                  ? { __typename: "RequiredStatusChecksParameters", strictRequiredStatusChecksPolicy: false, requiredStatusChecks: (rule.checks ?? []).map((context) => ({ context, integrationId: null })) }
                  : null,
            repositoryRuleset: {
              databaseId: rs.id,
              name: rs.name,
              enforcement: rs.enforcement ?? "ACTIVE",
              source: rs.level === "Organization" ? { __typename: "Organization", login: org } : { __typename: "Repository", nameWithOwner: `${org}/${r.name}` },
              bypassActors: {
                nodes: (rs.bypass ?? []).map((b) => ({
                  bypassMode: b.mode ?? "ALWAYS",
                  organizationAdmin: b.organizationAdmin ?? false,
                  deployKey: false,
                  repositoryRoleDatabaseId: b.roleId ?? null,
                  actor: b.team ? { __typename: "Team", slug: b.team, databaseId: 77 } : b.app ? { __typename: "App", slug: b.app, databaseId: 88 } : null,
                })),
              },
            },
          })),
        ),
      },
    },
    collaborators: { pageInfo: { hasNextPage: false }, edges: (r.collaborators ?? []).map((c) => ({ permission: c.permission, node: { login: c.login } })) },
  };
}

/** Interceptors for every read an org audit makes; persistent, so several passes can run. */
export function mockOrg(fixture: FixtureOrg, scope: nock.Scope = nock(API), options: { repositoryGets?: boolean } = {}): nock.Scope {
  const org = fixture.login;
  const version = JSON.stringify(fixture).length; // any change to the fixture changes the ETags
  scope.persist();
  scope.get(`/orgs/${org}`).reply(etagged(`"org-${version}"`, { login: org, id: 1, url: `${API}/orgs/${org}`, ...(fixture.twoFactor === null ? {} : { two_factor_requirement_enabled: fixture.twoFactor ?? true }) }) as never);
  scope.get(`/orgs/${org}/members`).query({ role: "admin", per_page: "100" }).reply(etagged(`"owners-${version}"`, (fixture.owners ?? ["octo-owner"]).map((login, id) => ({ login, id, type: "User" }))) as never);
  if (fixture.outside === null) scope.get(`/orgs/${org}/outside_collaborators`).query(true).reply(403, { message: "Resource not accessible by integration" });
  else scope.get(`/orgs/${org}/outside_collaborators`).query(true).reply(etagged(`"outside-${version}"`, (fixture.outside ?? []).map((login, id) => ({ login, id, type: "User" }))) as never);
  const pages = Math.max(1, Math.ceil(fixture.repos.length / 100));
  for (let page = 1; page <= pages; page++) {
    const items = fixture.repos.slice((page - 1) * 100, page * 100).map((r, i) => listedRepo(org, r, (page - 1) * 100 + i));
    const link: Record<string, string> = page < pages ? { link: `<${API}/orgs/${org}/repos?type=all&per_page=100&page=${page + 1}>; rel="next"` } : {};
    const query = page === 1 ? { type: "all", per_page: "100" } : { type: "all", per_page: "100", page: String(page) };
    scope.get(`/orgs/${org}/repos`).query(query).reply(etagged(`"repos-${page}-${version}"`, items, link) as never);
  }
  if (options.repositoryGets !== false) for (const [i, r] of fixture.repos.entries()) scope.get(`/repos/${org}/${r.name}`).reply(etagged(`"repo-${r.name}-${version}"`, listedRepo(org, r, i)) as never);
  const byName = new Map(fixture.repos.map((r) => [r.name, r]));
  scope.post("/graphql", (body: { query?: string }) => String(body.query).includes("query OrgAuditRepositories")).reply((_uri, body) => {
    const variables = (body as { variables: Record<string, string> }).variables;
    const data: Record<string, unknown> = {};
    for (const [key, name] of Object.entries(variables)) if (key !== "owner") data[key] = byName.has(name) ? gqlRepository(org, byName.get(name)!) : null;
    return [200, { data }];
  });
  return scope;
}
