// The access review's facts with few requests: the organization's settings (REST, for the
// two-factor requirement and base permission), its owners and every team's repository
// grants (GraphQL, paged), and direct and outside collaborators of 25 repositories a query.
// What the app may not read is noted as a problem, never guessed.

import type { GitHubClient } from "../transport/client.js";
import type { AccessFacts } from "../../export/access-review.js";
import type { OrgRepository } from "./export-population.js";
import { REPOSITORIES_PER_QUERY } from "./export-population.js";

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

const why = (error: unknown): string => `${(error as { status?: number }).status ? `HTTP ${(error as { status: number }).status}: ` : ""}${(error as Error).message}`;

async function organizationSettings(gh: GitHubClient, org: string, facts: AccessFacts): Promise<void> {
  try {
    const { data } = await gh.request("GET /orgs/{org}", { org });
    facts.twoFactorRequired = data.two_factor_requirement_enabled ?? null;
    facts.basePermission = data.default_repository_permission ?? null;
    if (facts.twoFactorRequired === null) facts.problems.push("the two-factor requirement is only shown to organization owners or apps with organization Administration (read)");
  } catch (error) {
    facts.problems.push(`organization settings: ${why(error)}`);
  }
}

async function ownersAndTeams(gh: GitHubClient, org: string, facts: AccessFacts): Promise<void> {
  let membersAfter: string | null | false = null;
  let teamsAfter: string | null | false = null;
  const teamFollowUps: Array<{ slug: string; after: string }> = [];
  const grant = (slug: string, edges: Array<{ permission: string; node: { nameWithOwner: string } }>): void => {
    for (const e of edges) {
      const key = e.node.nameWithOwner.toLowerCase();
      const list = facts.teams.get(key) ?? [];
      list.push({ slug, permission: e.permission });
      facts.teams.set(key, list);
    }
  };
  try {
    while (membersAfter !== false || teamsAfter !== false) {
      const parts: string[] = [];
      if (membersAfter !== false) parts.push(`membersWithRole(first: 100${membersAfter ? `, after: ${JSON.stringify(membersAfter)}` : ""}) { edges { role node { login } } pageInfo { hasNextPage endCursor } }`);
      if (teamsAfter !== false)
        parts.push(`teams(first: 50${teamsAfter ? `, after: ${JSON.stringify(teamsAfter)}` : ""}) {
      nodes { slug repositories(first: 100) { edges { permission node { nameWithOwner } } pageInfo { hasNextPage endCursor } } }
      pageInfo { hasNextPage endCursor }
    }`);
      type Answer = {
        organization: {
          membersWithRole?: { edges: Array<{ role: string | null; node: { login: string } }>; pageInfo: PageInfo };
          teams?: { nodes: Array<{ slug: string; repositories: { edges: Array<{ permission: string; node: { nameWithOwner: string } }>; pageInfo: PageInfo } }>; pageInfo: PageInfo };
        } | null;
      };
      const data: Answer = await gh.graphql(`query ($org: String!) {\n  organization(login: $org) {\n    ${parts.join("\n    ")}\n  }\n}`, { org });
      const o = data.organization;
      if (!o) throw new Error(`organization ${org} not found`);
      if (o.membersWithRole) {
        for (const e of o.membersWithRole.edges) if (e.role === "ADMIN") facts.owners.push(e.node.login);
        membersAfter = o.membersWithRole.pageInfo.hasNextPage ? o.membersWithRole.pageInfo.endCursor : false;
      } else membersAfter = false;
      if (o.teams) {
        for (const t of o.teams.nodes) {
          grant(t.slug, t.repositories.edges);
          if (t.repositories.pageInfo.hasNextPage && t.repositories.pageInfo.endCursor) teamFollowUps.push({ slug: t.slug, after: t.repositories.pageInfo.endCursor });
        }
        teamsAfter = o.teams.pageInfo.hasNextPage ? o.teams.pageInfo.endCursor : false;
      } else teamsAfter = false;
    }
    // A team with more than 100 repositories: its further pages, one query each.
    for (const f of teamFollowUps) {
      for (let after: string | null = f.after; after; ) {
        const data: { organization: { team: { repositories: { edges: Array<{ permission: string; node: { nameWithOwner: string } }>; pageInfo: PageInfo } } | null } | null } = await gh.graphql(
          `query ($org: String!, $slug: String!, $after: String) {
  organization(login: $org) { team(slug: $slug) { repositories(first: 100, after: $after) { edges { permission node { nameWithOwner } } pageInfo { hasNextPage endCursor } } } }
}`,
          { org, slug: f.slug, after },
        );
        const repos = data.organization?.team?.repositories;
        if (!repos) break;
        grant(f.slug, repos.edges);
        after = repos.pageInfo.hasNextPage ? repos.pageInfo.endCursor : null;
      }
    }
  } catch (error) {
    facts.problems.push(`owners and teams: ${why(error)}`);
  }
}

async function collaborators(gh: GitHubClient, repos: OrgRepository[], facts: AccessFacts): Promise<void> {
  type Collaborators = { edges: Array<{ permission: string; node: { login: string } }>; pageInfo: PageInfo };
  for (let start = 0; start < repos.length; start += REPOSITORIES_PER_QUERY) {
    const batch = repos.slice(start, start + REPOSITORIES_PER_QUERY);
    const fields = batch
      .map(
        (r, i) => `r${i}: repository(owner: ${JSON.stringify(r.owner)}, name: ${JSON.stringify(r.repo)}) {
    direct: collaborators(affiliation: DIRECT, first: 100) { edges { permission node { login } } pageInfo { hasNextPage endCursor } }
    outside: collaborators(affiliation: OUTSIDE, first: 100) { edges { permission node { login } } pageInfo { hasNextPage endCursor } }
  }`,
      )
      .join("\n  ");
    let data: Record<string, { direct: Collaborators | null; outside: Collaborators | null } | null>;
    try {
      data = await gh.graphql(`query {\n  ${fields}\n}`);
    } catch (error) {
      // GraphQL answers what it can: keep the repositories it did answer.
      const partial = (error as { data?: typeof data }).data;
      facts.problems.push(`collaborators of ${batch.map((r) => r.repo).join(", ")}: ${why(error)}`);
      if (!partial) continue;
      data = partial;
    }
    batch.forEach((r, i) => {
      const answer = data[`r${i}`];
      if (!answer?.direct) return;
      const outside = new Set((answer.outside?.edges ?? []).map((e) => e.node.login.toLowerCase()));
      facts.direct.set(`${r.owner}/${r.repo}`.toLowerCase(), answer.direct.edges.map((e) => ({ login: e.node.login, permission: e.permission, outside: outside.has(e.node.login.toLowerCase()) })));
      if (answer.direct.pageInfo.hasNextPage) facts.problems.push(`${r.owner}/${r.repo} has more than 100 direct collaborators: only the first 100 are listed`);
    });
  }
}

export async function loadAccessFacts(gh: GitHubClient, org: string, repos: OrgRepository[]): Promise<AccessFacts> {
  const facts: AccessFacts = {
    organization: org,
    twoFactorRequired: null,
    basePermission: null,
    repositories: repos.map((r) => `${r.owner}/${r.repo}`),
    owners: [],
    direct: new Map(),
    teams: new Map(),
    problems: [],
  };
  await organizationSettings(gh, org, facts);
  await ownersAndTeams(gh, org, facts);
  await collaborators(gh, repos, facts);
  return facts;
}
