// The audit's facts snapshot: what one repository's settings look like, plus the
// organization-level answers every repository shares. Built by src/github/audit/org-audit-loader.ts;
// policies read it and nothing else.

import type { BranchRules } from "../facts.js";

export type Permission = "admin" | "maintain" | "write" | "triage" | "read";

export interface OrgAuditFacts {
  org: string;
  /** null when the app cannot see it (needs organization Administration (read) or an owner's token). */
  twoFactorRequired: boolean | null;
  /** Organization owners (admins of every repository); null when unreadable. */
  owners: string[] | null;
  /** Logins of outside collaborators; null when unreadable (needs organization Members (read)). */
  outsideCollaborators: string[] | null;
}

export interface RepositoryAuditFacts {
  org: OrgAuditFacts;
  repo: {
    id: number;
    name: string;
    fullName: string;
    url: string;
    visibility: "public" | "private" | "internal";
    archived: boolean;
    fork: boolean;
    defaultBranch: string;
  };
  /** The default branch's effective rules; `unreadable` says what could not be read. */
  branchRules: BranchRules;
  /** Repository rulesets by name → id, so a fix edits ours instead of adding another. */
  repositoryRulesets: Record<string, number>;
  /** From `security_and_analysis`; null when not visible (needs Administration (read)). */
  security: { secretScanning: "enabled" | "disabled"; pushProtection: "enabled" | "disabled" } | null;
  /** Everyone with access and their effective permission; null when unreadable. */
  collaborators: Array<{ login: string; permission: Permission }> | null;
  /** False when the repository has more collaborators than one page showed. */
  collaboratorsComplete: boolean;
  collectedAt: string;
}
