// org.two-factor — CC6.1: the organization requires two-factor authentication. An
// org-level fact, reported on every repository's row so the table is complete.

import { auditConfigOf } from "../config.js";
import { skipped, type Policy, type PolicyResult } from "../policy.js";

export const twoFactorPolicy: Policy = {
  id: "org.two-factor",
  criteria: ["CC6.1"],
  title: "Two-factor authentication",
  evaluate(facts, config): PolicyResult {
    if (!auditConfigOf(config).policies["org.two-factor"].enabled) return skipped(this, "off in config");
    const required = facts.org.twoFactorRequired;
    if (required === null) return skipped(this, "skipped: needs organization Administration (read) to see the 2FA requirement");
    if (required) return { id: this.id, criteria: this.criteria, status: "pass", reason: `${facts.org.org} requires 2FA`, fix: "", findings: [] };
    return {
      id: this.id,
      criteria: this.criteria,
      status: "fail",
      reason: `${facts.org.org} does not require two-factor authentication`,
      fix: "Organization Settings → Authentication security: require two-factor authentication",
      findings: [{ message: "the organization does not require 2FA" }],
    };
  },
};
