import type { Config } from "./types.js";
import { defaultAuditConfig } from "./audit.js";

export const CONFIG_PATH = ".github/soc2-guard.yml";

/**
 * The safe defaults: in force when no config exists anywhere, and underneath every
 * config file. One independent approval and passing CI are enforced; branch rules and
 * tickets are advisory so a fresh install never blocks on settings it cannot know.
 */
export function safeDefaults(): Config {
  return {
    archive: { repository: "compliance-evidence", branch: "main" },
    controls: {
      "review.approval": {
        mode: "enforce",
        approvals: 1,
        allowContributors: false,
        allowUpdateMerges: true,
        allowBots: false,
        requireCodeOwners: false,
        paths: [],
      },
      "ci.passing": { mode: "enforce", checks: [] },
      "branch.protection": {
        mode: "advisory",
        approvals: 1,
        requireDismissStale: true,
        requireStatusChecks: true,
        requireNoForcePush: true,
        requireNoDeletion: true,
        allowAdminBypass: false,
      },
      "secrets.diff": { mode: "enforce", ignorePaths: [], rules: [] },
      "secrets.repository": { mode: "advisory" },
      "privacy.pii": { mode: "advisory", bulkThreshold: 20, allow: [], allowDomains: [], ignorePaths: [] },
      "change.ticket": { mode: "advisory", patterns: ["[A-Z][A-Z0-9]+-\\d+", "#\\d+", "https?://\\S+/(?:browse|issues?|tickets?)/\\S+"] },
    },
    exceptions: { label: "emergency-change", allowed: [], reviewWithinHours: 48, allowSelfDeclared: false },
    protectedBranches: [],
    audit: defaultAuditConfig(),
  };
}
