// One repository's audit: every policy over its facts, the fixes config asks for, and a
// hash of the findings (what decides whether its drift issue is edited).

import { canonicalHash } from "../canonical-json.js";
import type { RepositoryAuditFacts } from "./facts.js";
import type { AuditableConfig } from "./config.js";
import type { PolicyResult, PolicyStatus } from "./policy.js";
import { POLICIES } from "./policies/index.js";
import { planFixes, type PlannedCall } from "./fix-plan.js";

export interface RepositoryAudit {
  repo: RepositoryAuditFacts["repo"];
  results: PolicyResult[];
  /** fail if any policy fails; pass if any passes and none fails; skipped otherwise. */
  status: PolicyStatus;
  /** REST calls that would fix the failures (only for policies with `fix: dry-run | apply`). */
  fixes: PlannedCall[];
  /** SHA-256 over the failing policies' findings: equal hash, nothing new to report. */
  findingsHash: string;
  collectedAt: string;
}

export function overallStatus(results: PolicyResult[]): PolicyStatus {
  if (results.some((r) => r.status === "fail")) return "fail";
  return results.some((r) => r.status === "pass") ? "pass" : "skipped";
}

export function findingsHash(results: PolicyResult[]): string {
  return canonicalHash(results.filter((r) => r.status === "fail").map((r) => ({ id: r.id, findings: r.findings.map((f) => f.message) })));
}

export function evaluateRepository(facts: RepositoryAuditFacts, config: AuditableConfig): RepositoryAudit {
  const results = POLICIES.map((policy) => policy.evaluate(facts, config));
  return {
    repo: facts.repo,
    results,
    status: overallStatus(results),
    fixes: planFixes(facts, results, config),
    findingsHash: findingsHash(results),
    collectedAt: facts.collectedAt,
  };
}
