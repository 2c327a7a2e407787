// The validated configuration. Parsed and checked once in src/config/; everything
// else trusts these types.

import type { AuditConfig } from "./audit.js";

/** enforce blocks the check; advisory reports only; off skips the control. */
export type Mode = "enforce" | "advisory" | "off";

export interface PathRule {
  pattern: string;
  approvals?: number;
  teams: string[];
  users: string[];
}

export interface ReviewApprovalConfig {
  mode: Mode;
  approvals: number;
  allowContributors: boolean;
  /** Merge commits that cleanly bring in the base branch keep approvals fresh. */
  allowUpdateMerges: boolean;
  allowBots: boolean;
  requireCodeOwners: boolean;
  paths: PathRule[];
}

export type CheckSpec = string | { name: string; app: string };

export interface CiPassingConfig {
  mode: Mode;
  checks: CheckSpec[];
}

export interface BranchProtectionConfig {
  mode: Mode;
  approvals: number;
  requireDismissStale: boolean;
  requireStatusChecks: boolean;
  requireNoForcePush: boolean;
  requireNoDeletion: boolean;
  allowAdminBypass: boolean;
}

export interface SecretRuleConfig {
  id: string;
  description: string;
  regex: string;
  keywords: string[];
  entropy?: number;
}

export interface SecretsDiffConfig {
  mode: Mode;
  ignorePaths: string[];
  rules: SecretRuleConfig[];
}

export interface SecretsRepositoryConfig {
  mode: Mode;
}

export interface ChangeTicketConfig {
  mode: Mode;
  patterns: string[];
}

export interface PrivacyPiiConfig {
  mode: Mode;
  /** Distinct real-looking e-mail addresses and phone numbers that make a data file bulk personal data. */
  bulkThreshold: number;
  /** Known test values (as written, or their fingerprints) that are never findings. */
  allow: string[];
  /** The organisation's own test e-mail domains. */
  allowDomains: string[];
  ignorePaths: string[];
}

export interface ControlsConfig {
  "review.approval": ReviewApprovalConfig;
  "ci.passing": CiPassingConfig;
  "branch.protection": BranchProtectionConfig;
  "secrets.diff": SecretsDiffConfig;
  "secrets.repository": SecretsRepositoryConfig;
  "change.ticket": ChangeTicketConfig;
  "privacy.pii": PrivacyPiiConfig;
}

export interface ExceptionsConfig {
  label: string;
  /** Logins, or `team:slug`. Empty → nobody can declare an emergency. */
  allowed: string[];
  reviewWithinHours: number;
  /** Let the PR's author or a contributor declare its emergency (recorded as self-declared). Default false. */
  allowSelfDeclared: boolean;
}

export interface ArchiveConfig {
  repository: string;
  branch: string;
}

export interface Config {
  archive: ArchiveConfig;
  controls: ControlsConfig;
  exceptions: ExceptionsConfig;
  /** Branches, besides the default branch, whose direct pushes are recorded as unreviewed changes. */
  protectedBranches: string[];
  /** The org-wide settings audit. */
  audit: AuditConfig;
}

/** A config problem located in its file, for the check run annotation. */
export interface ConfigProblem {
  file: string;
  /** owner/repo the file was read from. */
  source: string;
  line: number;
  column: number;
  /** Dotted key path, e.g. `controls.review.approval.approvals`. */
  key: string;
  message: string;
}

/** The outcome of loading config for a repository: always a usable config, plus any problems. */
export interface ResolvedConfig {
  config: Config;
  /** Where the effective config came from, for the summary footer. */
  sources: string[];
  problems: ConfigProblem[];
  /** SHA-256 of the canonical effective config, for evidence. */
  hash: string;
}
