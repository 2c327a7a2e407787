// org.config-trust-root — CC8.1, CC6.1: the org's `.github` repository, whose
// `.github/soc2-guard.yml` sets every repository's gate (and its minimums), takes changes
// only through a reviewed pull request. Otherwise whoever can push there — or any member
// who may create repositories, if it does not exist yet — can switch the gate off.
// Reported on that repository's row; always on (the config cannot waive its own root).

import { skipped, type Policy, type PolicyResult } from "../policy.js";

export const CONFIG_REPOSITORY = ".github";

export const configTrustRootPolicy: Policy = {
  id: "org.config-trust-root",
  criteria: ["CC8.1", "CC6.1"],
  title: "Org config trust root",
  evaluate(facts): PolicyResult {
    if (facts.repo.name.toLowerCase() !== CONFIG_REPOSITORY) return skipped(this, `applies to ${facts.org.org}/${CONFIG_REPOSITORY} only`);
    const rules = facts.branchRules;
    const branch = facts.repo.defaultBranch;
    const where = `${facts.repo.fullName}@${branch}`;
    if (rules.sources.length === 0 && rules.unreadable.length > 0) return skipped(this, `skipped: cannot read the rules of ${where} (${rules.unreadable.join("; ")}): grant Administration (read)`);
    const gaps: string[] = [];
    if (!rules.requirePullRequest) gaps.push("changes do not need a pull request");
    else if (rules.requiredApprovals < 1) gaps.push("pull requests need no approving review");
    if (gaps.length === 0) {
      return { id: this.id, criteria: this.criteria, status: "pass", reason: `${where} takes changes only through a pull request with ${rules.requiredApprovals} approving review${rules.requiredApprovals === 1 ? "" : "s"}`, fix: "", findings: [] };
    }
    return {
      id: this.id,
      criteria: this.criteria,
      status: "fail",
      reason: `${where} holds the org's soc2-guard config, but ${gaps.join(" and ")}: anyone who can push there can switch the gate off for every repository`,
      fix: `In ${facts.repo.fullName} Settings → Rules → Rulesets (or Branches) for ${branch}: require a pull request with at least 1 approving review, and block force pushes`,
      findings: gaps.map((gap) => ({ message: `org config trust root: ${gap}` })),
    };
  },
};
