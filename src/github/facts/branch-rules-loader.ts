// The base branch's effective rules for a pull request: classic protection (from the facts
// query) and the rulesets that apply (conditional REST, free when unchanged), each
// ruleset's details for its bypass list. What cannot be read is named in `unreadable`
// with the permission that would let the app read it — never taken as "no bypass".

import type { GitHubClient } from "../transport/client.js";
import type { BranchRules } from "../../facts.js";
import { combineBranchRules, fromClassicProtection, rulesetParts, type RulesetDetails } from "../../rules/branch-rules.js";
import { classicFromGraphql, type GqlProtectionRule } from "../../rules/classic-from-graphql.js";
import { isDenied } from "../transport/http-status.js";

export async function loadBranchRules(gh: GitHubClient, ref: { owner: string; repo: string }, branch: string, classic: GqlProtectionRule | null, forbiddenPaths: string[]): Promise<BranchRules> {
  const parts: BranchRules[] = [];
  const unreadable: string[] = [];
  if (forbiddenPaths.some((p) => p.includes("branchProtectionRule"))) unreadable.push("classic branch protection needs the Administration (read) permission");
  else if (classic) parts.push(fromClassicProtection(classicFromGraphql(classic)));
  try {
    const rules = await gh.paginate("GET /repos/{owner}/{repo}/rules/branches/{branch}", { owner: ref.owner, repo: ref.repo, branch, per_page: 100 });
    if (rules.length > 0) {
      const ids = [...new Set(rules.map((r) => Number((r as { ruleset_id?: number }).ruleset_id)).filter((id) => id > 0))];
      const details = new Map<number, RulesetDetails>();
      await Promise.all(
        ids.map(async (id) => {
          try {
            const { data } = await gh.request("GET /repos/{owner}/{repo}/rulesets/{ruleset_id}", { owner: ref.owner, repo: ref.repo, ruleset_id: id });
            details.set(id, data as unknown as RulesetDetails);
          } catch (error) {
            if (!isDenied(error)) throw error;
            unreadable.push(`ruleset ${id}'s bypass list could not be read (grant the app Administration (read))`);
          }
        }),
      );
      // One part per ruleset, so a bypass actor is judged against what it actually escapes.
      parts.push(...rulesetParts(rules as unknown as Array<Record<string, unknown>>, details));
    }
  } catch (error) {
    if (!isDenied(error)) throw error;
    unreadable.push("rulesets could not be read (grant the app Metadata (read) and Administration (read))");
  }
  const combined = combineBranchRules(...parts);
  return { ...combined, unreadable: [...combined.unreadable, ...unreadable] };
}
