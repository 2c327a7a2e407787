// access-review.csv: for every repository, each person or team that can change it (admin,
// maintain or write) and how they got that access, with outside collaborators flagged;
// and whether the organization requires two-factor authentication. Pure: the GitHub
// listing is src/github/export/export-access.ts.

import type { CsvValue } from "./csv.js";

export type WritePermission = "admin" | "maintain" | "write";

export interface AccessGrant {
  repository: string;
  principal: string;
  principalType: "user" | "team" | "organization members";
  permission: WritePermission;
  /** How the access is held: `direct`, `team <slug>`, `organization owner`, `base permission`. */
  via: string;
  outsideCollaborator: boolean;
}

export interface AccessFacts {
  organization: string;
  /** null when GitHub did not say (the app may not read the organization's settings). */
  twoFactorRequired: boolean | null;
  /** The organization's base permission for members, when known. */
  basePermission: string | null;
  repositories: string[];
  owners: string[];
  /** Direct collaborators per repository (lower-cased `owner/repo`). */
  direct: Map<string, Array<{ login: string; permission: string; outside: boolean }>>;
  /** Team grants per repository (lower-cased `owner/repo`). */
  teams: Map<string, Array<{ slug: string; permission: string }>>;
  /** What could not be read, with the reason (e.g. a missing permission). */
  problems: string[];
}

export const ACCESS_HEADER = ["repository", "principal", "type", "permission", "via", "outside_collaborator", "org_requires_2fa"] as const;

const RANK: Record<WritePermission, number> = { write: 1, maintain: 2, admin: 3 };

export function writePermission(permission: string): WritePermission | null {
  const p = permission.toLowerCase();
  return p === "admin" || p === "maintain" || p === "write" ? p : p === "push" ? "write" : null;
}

export function accessGrants(facts: AccessFacts): AccessGrant[] {
  const grants: AccessGrant[] = [];
  const base = facts.basePermission ? writePermission(facts.basePermission) : null;
  for (const repository of [...facts.repositories].sort((a, b) => a.localeCompare(b))) {
    const key = repository.toLowerCase();
    const owners = new Set(facts.owners.map((o) => o.toLowerCase()));
    for (const owner of facts.owners) grants.push({ repository, principal: owner, principalType: "user", permission: "admin", via: "organization owner", outsideCollaborator: false });
    if (base) grants.push({ repository, principal: facts.organization, principalType: "organization members", permission: base, via: "base permission", outsideCollaborator: false });
    for (const team of [...(facts.teams.get(key) ?? [])].sort((a, b) => a.slug.localeCompare(b.slug))) {
      const permission = writePermission(team.permission);
      if (permission) grants.push({ repository, principal: team.slug, principalType: "team", permission, via: `team ${team.slug}`, outsideCollaborator: false });
    }
    for (const user of [...(facts.direct.get(key) ?? [])].sort((a, b) => a.login.localeCompare(b.login))) {
      const permission = writePermission(user.permission);
      // An owner listed again as a collaborator adds nothing the owner row does not say.
      if (permission && !owners.has(user.login.toLowerCase())) grants.push({ repository, principal: user.login, principalType: "user", permission, via: "direct", outsideCollaborator: user.outside });
    }
  }
  return grants;
}

export function accessCsvValues(grant: AccessGrant, twoFactorRequired: boolean | null): CsvValue[] {
  return [grant.repository, grant.principal, grant.principalType, grant.permission, grant.via, grant.outsideCollaborator, twoFactorRequired ?? "unknown"];
}

export function accessTotals(grants: AccessGrant[]): { grants: number; admins: number; outsideCollaborators: number } {
  return {
    grants: grants.length,
    admins: grants.filter((g) => g.permission === "admin").length,
    outsideCollaborators: new Set(grants.filter((g) => g.outsideCollaborator).map((g) => g.principal.toLowerCase())).size,
  };
}

/** The strongest permission wins when a principal is listed twice for a repository. */
export const strongest = (a: WritePermission, b: WritePermission): WritePermission => (RANK[a] >= RANK[b] ? a : b);
