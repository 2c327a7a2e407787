// What the portal needs from the outside, as ports: who the user is (GitHub sign-in),
// whether they may see an organization's evidence, and the evidence itself. The adapters
// live in src/github/ (every GitHub request does); src/web/ never calls GitHub.

import type { LedgerHead } from "../evidence/ledger.js";
import type { StoredLine } from "../evidence/verify.js";
import type { Period } from "../evidence/reconcile.js";
import type { ReviewIssueState } from "../export/exception-row.js";
import type { CheckpointSource } from "../trust/verify-archive.js";

/** What the app signed, as found outside the records: the portal verifies it (src/trust/) every time it shows it. */
export interface TrustSources {
  /** The archive the checkpoints must name (e.g. acme/compliance-evidence@main); null accepts the one they name. */
  archive: string | null;
  /** The app's login as comment author; null where the anchor has no authors (a local file). */
  appLogins: string[] | null;
  /** The checkpoints issue's comments (or the local checkpoints file) and the export issues. */
  checkpoints: CheckpointSource[];
  /** The export issues (each carries its period's checkpoint and export statement). */
  exportIssues: CheckpointSource[];
}

export interface SignIn {
  /** Where to send the browser to sign in (GitHub's OAuth authorize URL). */
  authorizeUrl(state: string, redirectUri: string): string;
  /** Exchanges the code GitHub sent back for the signed-in user's login; null when refused. */
  exchange(code: string, redirectUri: string): Promise<{ login: string } | null>;
}

export type AccessDecision = { allowed: true; via: string } | { allowed: false };

export interface PortalAccess {
  /** Organizations the app is installed on (the only ones with evidence). */
  organizations(): Promise<string[]>;
  /**
   * May `login` see `org`'s evidence? Read access to the org's archive repository, or
   * membership of the auditors team, both checked with the installation's token.
   */
  canView(org: string, login: string): Promise<AccessDecision>;
}

export interface ExportStatus {
  /** summary.json of exports/YYYY-MM/ exists */
  exists: boolean;
  seal: string | null;
  changes: number | null;
  reportPath: string | null;
}

export interface PortalEvidence {
  /** The organization's archive as stored: every line in chain order and the head. */
  read(org: string): Promise<{ lines: StoredLine[]; head: LedgerHead | null }>;
  /** The period's export, if one was made. */
  exportStatus(org: string, period: string): Promise<ExportStatus>;
  /** Review issues' states for the period's exceptions; null when they cannot be read. */
  reviewStates(org: string, period: Period): Promise<Map<string, ReviewIssueState> | null>;
  /** Per exported period: the default-branch commit times its snapshot.json holds (where late pushes belong). */
  exportedCommits(org: string): Promise<ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, string>>>>;
  /** Where the signed checkpoints and export statements are; a listing may be reused for a minute unless `fresh` (the verification page). */
  trustSources(org: string, options?: { fresh?: boolean }): Promise<TrustSources>;
  /** The lines of one attestations/YYYY/MM/DD.jsonl file, or of all of them when `path` is null. */
  attestations(org: string, path: string | null): Promise<StoredLine[]>;
  /** Web base for commit links, e.g. https://github.com/ */
  readonly webBase: string;
}
