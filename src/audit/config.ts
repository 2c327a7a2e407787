// What the org settings audit reads from the full config: its `audit:` settings and the
// branch bar it shares with the PR gate. The shapes and their parser live in src/config/.

import type { BranchProtectionConfig, Config } from "../config/types.js";
import { defaultAuditConfig, type AuditConfig } from "../config/audit.js";

/** What the audit reads from the full config: the archive, the gate's branch bar and `audit`. */
export type AuditableConfig = Pick<Config, "archive" | "controls"> & { audit?: AuditConfig };

export function auditConfigOf(config: AuditableConfig): AuditConfig {
  return config.audit ?? defaultAuditConfig();
}

/** The effective branch bar: the policy's own keys over the PR gate's `branch.protection`. */
export function branchBar(config: AuditableConfig): Omit<BranchProtectionConfig, "mode"> {
  const gate = config.controls["branch.protection"];
  const own = auditConfigOf(config).policies["repo.branch-rules"];
  return {
    approvals: own.approvals ?? gate.approvals,
    requireDismissStale: own.requireDismissStale ?? gate.requireDismissStale,
    requireStatusChecks: own.requireStatusChecks ?? gate.requireStatusChecks,
    requireNoForcePush: own.requireNoForcePush ?? gate.requireNoForcePush,
    requireNoDeletion: own.requireNoDeletion ?? gate.requireNoDeletion,
    allowAdminBypass: own.allowAdminBypass ?? gate.allowAdminBypass,
  };
}
