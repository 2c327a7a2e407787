// The PullRequestFacts GraphQL answer (src/github/facts/queries.ts), typed as far as we read it,
// and the pure decoders that turn its parts into facts. No requests here: the loaders
// fetch (and page), these functions translate, and test/github/pull-request-answer.test.ts
// runs them on a recorded answer.

import type { AccountType, CheckFacts, LabelFacts, ReviewFacts, ReviewState } from "../../facts.js";
import type { GqlProtectionRule } from "../../rules/classic-from-graphql.js";
import { OWN_CHECK_NAME } from "../../controls/identities.js";

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface BlobFile {
  object: { oid?: string; text?: string | null; isTruncated?: boolean; byteSize?: number } | null;
}

export interface GqlCommit {
  oid: string;
  message: string;
  parents: { totalCount?: number; nodes: Array<{ oid: string }> };
  author: { user: { login: string } | null } | null;
  committer: { user: { login: string } | null } | null;
  /** The git author first, then each `Co-authored-by:` trailer, with the account its email maps to. */
  authors?: { totalCount: number; nodes: Array<{ email: string | null; user: { login: string } | null }> };
  /** Check suites holding a run named soc2-guard, with those runs' external ids. */
  ownRuns?: { nodes: Array<{ app: { slug: string } | null; checkRuns: { nodes: Array<{ externalId: string | null }> } }> } | null;
}

export interface GqlReview {
  databaseId: number;
  state: ReviewState;
  submittedAt: string | null;
  author: { __typename: string; login: string } | null;
  commit: { oid: string } | null;
}

export interface GqlCheckRun {
  databaseId: number;
  name: string;
  status: string;
  conclusion: string | null;
  completedAt: string | null;
  detailsUrl: string | null;
}

export interface GqlCheckSuite {
  id: string;
  app: { slug: string; databaseId: number | null } | null;
  checkRuns: { totalCount: number; pageInfo: PageInfo; nodes: GqlCheckRun[] };
}

export interface GqlStatusContext {
  context: string;
  state: string;
  createdAt: string;
  targetUrl: string | null;
}

/** The checks on one commit (ChecksFields / CHECKS_ON_COMMIT). */
export interface GqlCommitChecks {
  oid: string;
  checkSuites: { totalCount: number; pageInfo: PageInfo; nodes: GqlCheckSuite[] } | null;
  status: { contexts: GqlStatusContext[] } | null;
}

export interface GqlAssociatedPulls {
  totalCount: number;
  nodes: Array<{ number: number; state?: string; headRefOid: string; baseRepository: { nameWithOwner: string } | null } | null>;
}

export interface GqlPullRequest {
  number: number;
  url: string;
  title: string;
  body: string;
  isDraft: boolean;
  state: "OPEN" | "CLOSED" | "MERGED";
  merged: boolean;
  mergedAt: string | null;
  mergedBy: { login: string } | null;
  mergeCommit: { oid: string; parents?: { totalCount: number } } | null;
  author: { __typename: string; login: string } | null;
  headRefName: string;
  headRefOid: string;
  baseRefName: string;
  baseRefOid: string;
  isCrossRepository: boolean;
  headRepository: { nameWithOwner: string } | null;
  labels: { nodes: Array<{ name: string }> };
  timelineItems: { nodes: Array<{ createdAt?: string; actor?: { login: string } | null; label?: { name: string } }> };
  /** Force pushes to the head branch: who rewrote it, from which head to which. */
  forcePushes?: { nodes: Array<{ actor?: { login: string } | null; beforeCommit?: { oid: string } | null; afterCommit?: { oid: string } | null }> };
  baseChanges?: { nodes: Array<{ createdAt?: string; previousRefName?: string; currentRefName?: string } | null> };
  commits: { totalCount: number; pageInfo: PageInfo; nodes: Array<{ commit: GqlCommit }> };
  reviews: { totalCount: number; pageInfo?: PageInfo; nodes: GqlReview[] };
  files: { totalCount: number; pageInfo: PageInfo; nodes: Array<{ path: string; changeType?: string }> };
  head: { nodes: Array<{ commit: GqlCommitChecks }> };
  headRef?: { associatedPullRequests: GqlAssociatedPulls } | null;
  sharedHead?: { nodes: Array<{ commit: { associatedPullRequests: GqlAssociatedPulls } | null }> };
  baseRef: {
    branchProtectionRule: GqlProtectionRule | null;
    target: { codeownersGithub?: BlobFile | null; codeownersRoot?: BlobFile | null; codeownersDocs?: BlobFile | null } | null;
  } | null;
}

export interface FactsQueryResult {
  repository: {
    nameWithOwner: string;
    defaultBranchRef: { name: string; target: { oid?: string; config?: BlobFile | null } | null } | null;
    pullRequest: GqlPullRequest | null;
  } | null;
  orgConfig: { defaultBranchRef: { target: { oid?: string; config?: BlobFile | null } | null } | null } | null;
}

export function accountType(typename: string): AccountType {
  return typename === "Bot" || typename === "User" || typename === "Organization" || typename === "Mannequin" ? typename : "Unknown";
}

/** Reviews with an author, a commit and a submission time (pending drafts have none). */
export function decodeReviews(nodes: GqlReview[]): ReviewFacts[] {
  return nodes
    .filter((r) => r.author && r.commit && r.submittedAt)
    .map<ReviewFacts>((r) => ({ id: r.databaseId, author: { login: r.author!.login, type: accountType(r.author!.__typename) }, state: r.state, commitId: r.commit!.oid, submittedAt: r.submittedAt! }));
}

export function decodeLabels(gpr: Pick<GqlPullRequest, "labels" | "timelineItems">): LabelFacts[] {
  return gpr.labels.nodes.map((label) => {
    const added = [...gpr.timelineItems.nodes].reverse().find((e) => e.label?.name === label.name);
    return { name: label.name, addedBy: added?.actor?.login ?? null, addedAt: added?.createdAt ?? null };
  });
}

/** A blob's text as GraphQL gave it: null when absent, or `truncated` when GraphQL cut it (its oid lets the loader read it all). */
export type BlobAnswer = { kind: "absent" } | { kind: "text"; text: string } | { kind: "truncated"; oid: string; byteSize: number };

export function decodeBlob(blob: BlobFile | null | undefined): BlobAnswer {
  const object = blob?.object;
  if (!object || typeof object.text !== "string") {
    // A blob GraphQL returns without text is binary or too large: treat it as truncated when we know its oid.
    return object?.oid ? { kind: "truncated", oid: object.oid, byteSize: object.byteSize ?? 0 } : { kind: "absent" };
  }
  if (object.isTruncated) return { kind: "truncated", oid: object.oid ?? "", byteSize: object.byteSize ?? 0 };
  return { kind: "text", text: object.text };
}

/** GitHub reads the first CODEOWNERS it finds, in this order. */
export function codeOwnersBlob(target: NonNullable<GqlPullRequest["baseRef"]>["target"] | undefined): { path: string; blob: BlobAnswer } | null {
  const candidates = [
    [".github/CODEOWNERS", target?.codeownersGithub],
    ["CODEOWNERS", target?.codeownersRoot],
    ["docs/CODEOWNERS", target?.codeownersDocs],
  ] as const;
  for (const [path, blob] of candidates) {
    const decoded = decodeBlob(blob);
    if (decoded.kind !== "absent") return { path, blob: decoded };
  }
  return null;
}

const CHECK_STATUS = new Set(["queued", "in_progress", "completed", "waiting", "pending", "requested"]);

export interface OwnCheckRun {
  id: number;
  status: string;
}

/** Check runs (ours set apart) and commit statuses on one commit, from complete suite and run lists. */
export function decodeChecks(suites: GqlCheckSuite[], contexts: GqlStatusContext[], appSlug: string): { checks: CheckFacts[]; ownCheckRun: OwnCheckRun | null } {
  const checks: CheckFacts[] = [];
  let ownCheckRun: OwnCheckRun | null = null;
  for (const suite of suites) {
    for (const run of suite.checkRuns.nodes) {
      if (suite.app?.slug === appSlug && run.name === OWN_CHECK_NAME) {
        if (!ownCheckRun || run.databaseId > ownCheckRun.id) ownCheckRun = { id: run.databaseId, status: run.status.toLowerCase() };
        continue;
      }
      const status = run.status.toLowerCase();
      checks.push({
        kind: "check",
        name: run.name,
        app: suite.app?.slug ?? null,
        appId: suite.app?.databaseId ?? null,
        suite: suite.id,
        status: (CHECK_STATUS.has(status) ? status : "queued") as CheckFacts["status"],
        conclusion: (run.conclusion?.toLowerCase() ?? null) as CheckFacts["conclusion"],
        completedAt: run.completedAt,
        url: run.detailsUrl,
      });
    }
  }
  for (const ctx of contexts) {
    const state = ctx.state.toLowerCase();
    checks.push({
      kind: "status",
      name: ctx.context,
      app: null,
      appId: null,
      status: state === "pending" || state === "expected" ? "pending" : "completed",
      conclusion: state === "success" ? "success" : state === "pending" || state === "expected" ? null : "failure",
      completedAt: state === "pending" ? null : ctx.createdAt,
      url: ctx.targetUrl,
    });
  }
  return { checks, ownCheckRun };
}

/** How a merged PR was merged: a two-parent merge commit, or squash/rebase (one parent). */
export function mergeMethodOf(gpr: Pick<GqlPullRequest, "mergeCommit">): "merge" | "squash-or-rebase" | "unknown" {
  const parents = gpr.mergeCommit?.parents?.totalCount;
  return parents === undefined ? "unknown" : parents >= 2 ? "merge" : "squash-or-rebase";
}
