// repo.visibility — C1.1, CC6.1: no repository is public unless the config allows it.
// (A `repository.publicized` event is recorded as a confidentiality change by
// src/audit/visibility-change.ts; this policy is the standing check.)

import { minimatch } from "minimatch";
import { auditConfigOf } from "../config.js";
import { skipped, type Policy, type PolicyResult } from "../policy.js";

export const visibilityPolicy: Policy = {
  id: "repo.visibility",
  criteria: ["C1.1", "CC6.1"],
  title: "Visibility",
  evaluate(facts, config): PolicyResult {
    const own = auditConfigOf(config).policies["repo.visibility"];
    if (!own.enabled) return skipped(this, "off in config");
    const { visibility, name } = facts.repo;
    const details = { visibility };
    if (visibility !== "public") return { id: this.id, criteria: this.criteria, status: "pass", reason: `${visibility}`, fix: "", findings: [], details };
    const allowed = own.publicAllowlist.find((pattern) => minimatch(name, pattern, { nocase: true }));
    if (allowed) return { id: this.id, criteria: this.criteria, status: "pass", reason: `public, allowed by "${allowed}"`, fix: "", findings: [], details };
    return {
      id: this.id,
      criteria: this.criteria,
      status: "fail",
      reason: "public, and not on the public allowlist",
      fix: "Make the repository private (Settings → Danger zone), or add it to audit.policies.repo.visibility.publicAllowlist if it is meant to be public",
      findings: [{ message: `${facts.repo.fullName} is public but not on the allowlist` }],
      details,
    };
  },
};
