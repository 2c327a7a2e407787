// What an audit policy is: a pure function over one repository's facts snapshot, with the
// SOC 2 criteria it supports — the audit's counterpart of src/controls/types.ts.

import type { Finding } from "../controls/types.js";
import type { RepositoryAuditFacts } from "./facts.js";
import type { AuditableConfig } from "./config.js";

export type PolicyId = "repo.branch-rules" | "repo.secret-scanning" | "repo.visibility" | "org.two-factor" | "repo.admins" | "org.config-trust-root";

/** pass ✅ · fail ❌ · skipped ➖ (off, or cannot be evaluated — the reason names the permission). */
export type PolicyStatus = "pass" | "fail" | "skipped";

export interface PolicyResult {
  id: PolicyId;
  criteria: string[];
  status: PolicyStatus;
  /** One line for the table. */
  reason: string;
  /** What to do to make it pass; empty when passing. */
  fix: string;
  findings: Finding[];
  details?: Record<string, unknown>;
}

export interface Policy {
  id: PolicyId;
  criteria: string[];
  title: string;
  evaluate(facts: RepositoryAuditFacts, config: AuditableConfig): PolicyResult;
}

export function skipped(policy: Pick<Policy, "id" | "criteria">, reason: string): PolicyResult {
  return { id: policy.id, criteria: policy.criteria, status: "skipped", reason, fix: "", findings: [] };
}
