// The facts snapshot: everything the controls need about one pull request,
// fetched once by src/github/ and then treated as immutable, trusted data.
// Nothing in this file does I/O; controls import these types only.

export type AccountType = "User" | "Bot" | "Organization" | "Mannequin" | "Unknown";

export interface Actor {
  login: string;
  type: AccountType;
}

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface ReviewFacts {
  id: number;
  author: Actor;
  state: ReviewState;
  /** The head commit the review was given on. */
  commitId: string;
  submittedAt: string;
}

/** Whether a merge commit on the PR branch is a clean merge of the base branch into it. */
export type UpdateMergeKind = "not-merge" | "clean-update-merge" | "other-merge";

export interface CommitFacts {
  sha: string;
  parents: string[];
  /** GitHub login of the commit author, null when the identity has no GitHub account. */
  authorLogin: string | null;
  committerLogin: string | null;
  message: string;
  updateMerge: UpdateMergeKind;
  /** Why a merge is not a clean update-merge (for the summary). */
  updateMergeReason?: string;
  /**
   * Who pushed this commit to the PR branch (the sender of the synchronize event, or the
   * actor of a force push); [] when nobody is known to have pushed it (pushed before the PR
   * was opened, or an event the app never received); absent in older snapshots.
   */
  pushedBy?: string[];
  /** Accounts named by `Co-authored-by:` trailers (GitHub maps each email to an account). */
  coAuthorLogins?: string[];
  /** More co-authors than GitHub listed: who they are cannot be known. */
  coAuthorsTruncated?: boolean;
}

export type CheckConclusion =
  | "success"
  | "neutral"
  | "skipped"
  | "failure"
  | "cancelled"
  | "timed_out"
  | "action_required"
  | "stale"
  | "startup_failure";

export interface CheckFacts {
  /** "check" for check runs, "status" for commit statuses. */
  kind: "check" | "status";
  name: string;
  /** App slug for check runs, null for statuses. */
  app: string | null;
  /** The app's id for check runs (what a required check is pinned to), null for statuses; absent when unknown. */
  appId?: number | null;
  status: "queued" | "in_progress" | "completed" | "waiting" | "pending" | "requested";
  /**
   * The check suite of a check run (one workflow run for GitHub Actions; its re-runs stay in
   * it). GitHub answers the latest run per name within a suite; across suites every one counts.
   */
  suite?: string | null;
  conclusion: CheckConclusion | null;
  completedAt: string | null;
  url: string | null;
}

export interface ChangedFile {
  path: string;
  previousPath: string | null;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  additions: number;
  deletions: number;
  /** Unified diff hunks as GitHub returns them; null when GitHub omitted the patch (binary or too large). */
  patch: string | null;
  /** The file's blob id at the head, as GitHub's file list gives it. */
  sha?: string | null;
  /**
   * For a file GitHub gave no patch for: its content at the head, read through the Git blobs
   * API within a size budget (all of it is scanned as added); binary (NUL bytes); or why it
   * was not read.
   */
  content?: { kind: "text"; text: string } | { kind: "binary"; bytes: number } | { kind: "not-read"; reason: string };
}

export interface LabelFacts {
  name: string;
  /** Who added the label most recently, when the timeline tells us. */
  addedBy: string | null;
  addedAt: string | null;
}

export interface PullRequestFacts {
  owner: string;
  repo: string;
  number: number;
  url: string;
  title: string;
  body: string;
  draft: boolean;
  state: "open" | "closed";
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  author: Actor;
  headRef: string;
  headSha: string;
  headRepoFullName: string | null;
  isFork: boolean;
  baseRef: string;
  baseSha: string;
  /**
   * The latest change of the PR's base branch (GitHub's own timeline time): an approval
   * given before it approved a different diff. null when the base never changed; absent in
   * snapshots not built by the loader.
   */
  baseChanged?: { at: string; from: string; to: string } | null;
  labels: LabelFacts[];
  /**
   * Who added the emergency label while the current head was the head, as our own check run
   * on it records; null when nobody did (a later push ends an emergency). Absent in
   * snapshots not built by the loader.
   */
  emergencyDeclaredBy?: string | null;
  /** Commits on the PR, oldest first, as the branch holds them now. */
  commits: CommitFacts[];
  /** Reviews in submission order. */
  reviews: ReviewFacts[];
  /** Paths of files changed by the PR (always complete); a deleted file keeps its path here. */
  changedPaths: string[];
  /**
   * The old paths of renamed files: path rules and CODEOWNERS see both sides of a rename.
   * null when the PR renames files whose old paths GitHub did not list (fail closed).
   * Absent when nothing was renamed.
   */
  previousPaths?: string[] | null;
  /** Changed files with patches, when loaded (the secrets control needs them). */
  files: ChangedFile[] | null;
}

/** A branch rule, as classic protection and rulesets both express it, reduced to what we evaluate. */
export interface BranchRules {
  /** Where the rules came from; empty when the branch has none. */
  sources: Array<{ kind: "classic" | "ruleset"; name: string; enforcement: "active" | "evaluate" | "disabled"; level: "repository" | "organization" }>;
  requirePullRequest: boolean;
  requiredApprovals: number;
  dismissStaleReviews: boolean;
  requireCodeOwnerReview: boolean;
  requireLastPushApproval: boolean;
  requiredStatusChecks: string[];
  /** Required checks pinned to one app (classic `checks[].app_id`, ruleset `integration_id`): only that app's check run satisfies them. */
  pinnedChecks: Array<{ context: string; appId: number }>;
  strictStatusChecks: boolean;
  blockForcePushes: boolean;
  blockDeletions: boolean;
  /** Admins (classic enforce_admins false) or ruleset bypass actors can skip the rules. */
  adminBypass: boolean;
  bypassActors: string[];
  /** "unknown" parts: which sources we could not read and why. */
  unreadable: string[];
}

export interface RepositorySecurityFacts {
  /** null when the app cannot see `security_and_analysis` (needs Administration read). */
  secretScanning: "enabled" | "disabled" | null;
  pushProtection: "enabled" | "disabled" | null;
  /** null when the `secret_scanning_alerts` permission is not granted. */
  openSecretAlerts: Array<{ number: number; secretType: string; url: string; createdAt: string }> | null;
}

export interface AccessFacts {
  /** Login → permission on the repository at evaluation time (only for the people who matter). */
  permissions: Record<string, "admin" | "maintain" | "write" | "triage" | "read" | "none">;
  /** Team slug → member logins (only teams named by the config or CODEOWNERS). */
  teams: Record<string, string[]>;
  /** CODEOWNERS email owner (lower case) → the account it resolves to, null when it resolves to none. */
  emails?: Record<string, string | null>;
}

export interface CodeOwnersFacts {
  path: string | null;
  text: string | null;
}

/**
 * A fact GitHub would not give in full (it stops listing at a fixed limit) or the app could
 * not read. A control that needs it fails with the reason instead of deciding on a part.
 */
export interface IncompleteFact {
  fact: "commits" | "changedPaths" | "files" | "orgConfig";
  /** What stopped us and what to do, in one sentence. */
  reason: string;
}

export interface Facts {
  pr: PullRequestFacts;
  checks: CheckFacts[];
  branchRules: BranchRules;
  codeOwners: CodeOwnersFacts;
  access: AccessFacts;
  security: RepositorySecurityFacts;
  /** This app, so a control can tell its own required check from another app's of the same name. */
  ownApp?: { slug: string; id: number | null };
  /** Facts that are known to be partial; empty when everything was read in full. */
  incomplete?: IncompleteFact[];
  /** ISO time the snapshot was taken. */
  collectedAt: string;
}
