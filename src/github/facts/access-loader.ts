// Who may do what, at evaluation time: repository permissions of the people whose
// approval or label matters, and the members of the teams the config or CODEOWNERS name.
// Conditional requests (ETag), so an unchanged answer costs nothing.

import type { GitHubClient } from "../transport/client.js";
import type { Facts } from "../../facts.js";
import type { Config } from "../../config/types.js";
import { parseCodeOwners } from "../../controls/codeowners.js";
import { httpStatus, isDenied } from "../transport/http-status.js";

export async function loadPermissions(gh: GitHubClient, ref: { owner: string; repo: string }, logins: string[]): Promise<Facts["access"]["permissions"]> {
  const entries = await Promise.all(
    logins.map(async (login) => {
      try {
        const { data } = await gh.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { owner: ref.owner, repo: ref.repo, username: login });
        return [login, (data.role_name === "maintain" ? "maintain" : data.permission) as Facts["access"]["permissions"][string]] as const;
      } catch (error) {
        // 404: not a collaborator at all.
        if (httpStatus(error) === 404) return [login, "none"] as const;
        throw error;
      }
    }),
  );
  return Object.fromEntries(entries);
}

export async function loadTeams(gh: GitHubClient, org: string, slugs: string[]): Promise<Record<string, string[]>> {
  const entries = await Promise.all(
    slugs.map(async (slug) => {
      try {
        const members = await gh.paginate("GET /orgs/{org}/teams/{team_slug}/members", { org, team_slug: slug, per_page: 100 });
        return [slug, members.map((m) => m.login)] as const;
      } catch (error) {
        // Unknown team or no Members permission: nobody is a member, and the control says so.
        if (isDenied(error)) return [slug, []] as const;
        throw error;
      }
    }),
  );
  return Object.fromEntries(entries);
}

/** Teams whose membership decides something: path rules, emergency declarers, CODEOWNERS teams of this org. */
export function teamsNeeded(config: Config, codeOwnersText: string | null, org: string): string[] {
  const teams = new Set<string>();
  for (const rule of config.controls["review.approval"].paths) rule.teams.forEach((t) => teams.add(t));
  for (const entry of config.exceptions.allowed) if (entry.startsWith("team:")) teams.add(entry.slice(5));
  if (config.controls["review.approval"].requireCodeOwners && codeOwnersText) {
    for (const rule of parseCodeOwners(codeOwnersText).rules) {
      // A team of another organization is nobody here: never look up this org's namesake.
      for (const owner of rule.parsed) if (owner.kind === "team" && owner.org.toLowerCase() === org.toLowerCase()) teams.add(owner.slug);
    }
  }
  return [...teams];
}
