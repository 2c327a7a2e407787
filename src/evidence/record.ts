// The evidence record: what an auditor needs to prove one change was authorised,
// independently reviewed, tested and free of leaked secrets. Built when the change lands;
// never holds a secret (fingerprints only). Schema: schema/evidence-record.v1.json.

import type { Facts } from "../facts.js";
import type { ResolvedConfig } from "../config/types.js";
import type { ControlResult } from "../controls/types.js";
import type { ExceptionState } from "../controls/exception.js";
import type { ApprovalAssessment } from "../controls/review-approval.js";
import { latestChecks, outcomeOf } from "../controls/ci-passing.js";
import { branchRulesHash } from "../rules/branch-rules.js";
import { findTicketRefs } from "../controls/change-ticket.js";

export const RECORD_SCHEMA = "soc2-guard/evidence-record@1";

export interface RecordApproval {
  login: string;
  submittedAt: string;
  commitId: string;
  state: "APPROVED";
  counted: boolean;
  discountedBecause: string | null;
  coversMergedHead: boolean;
}

export interface RecordException {
  type: "emergency-change";
  label: string;
  declaredBy: string | null;
  declaredAt: string | null;
  reason: string;
  reviewDueAt: string | null;
  reviewIssueUrl: string | null;
  /** Declared by the author or a contributor, under `exceptions.allowSelfDeclared`. */
  selfDeclared?: boolean;
}

export interface SecretEvidence {
  findings: Array<{ rule: string; path: string; line: number; fingerprint: string }>;
  suppressed: Array<{ rule: string; path: string; line: number; fingerprint: string }>;
  notScanned: Array<{ path: string; reason: string }>;
}

/** What soc2-guard changed in a repository's settings, and on whose configuration. */
export interface SettingsChangeEvidence {
  policy: string;
  /** `PUT /repos/acme/api/branches/main/protection` */
  request: string;
  description: string;
  /** The setting as GitHub showed it just before; null when there was none. */
  before: unknown;
  /** What was sent. */
  after: Record<string, unknown>;
  outcome: "applied" | "failed";
  status: number;
  /** Who configured `fix: apply`: the config file(s) in force and the last commit to the org's file. */
  configuredBy: { sources: string[]; commit: string | null; login: string | null; committedAt: string | null };
}

export interface EvidenceRecord {
  schema: typeof RECORD_SCHEMA;
  /** Derived from the change: `owner/repo#pr@merge_sha` or `owner/repo@push_sha`. */
  id: string;
  kind: "pull-request" | "direct-push" | "settings-change";
  repository: string;
  baseBranch: string;
  pullRequest: {
    number: number;
    url: string;
    title: string;
    author: string;
    headSha: string;
    mergeCommitSha: string | null;
    mergedBy: string | null;
    mergedAt: string | null;
    mergeMethod: "merge" | "squash-or-rebase" | "unknown";
  } | null;
  push: {
    pusher: string;
    before: string;
    after: string;
    forced: boolean;
    commits: Array<{ sha: string; author: string | null; message: string }>;
    justificationIssueUrl: string | null;
  } | null;
  /** A repository setting soc2-guard changed (`fix: apply` in the org audit); absent on other kinds. */
  settingsChange?: SettingsChangeEvidence | null;
  ticketRefs: string[];
  approvals: RecordApproval[];
  dismissedReviews: Array<{ login: string; submittedAt: string; commitId: string }>;
  flags: {
    independentApproval: boolean;
    approvedBeforeMerge: boolean;
    coversMergedHead: boolean;
    ciPassed: boolean;
  };
  checks: Array<{ name: string; app: string | null; conclusion: string | null; completedAt: string | null }>;
  branchRulesHash: string;
  branchRuleSources: string[];
  secrets: SecretEvidence;
  /** privacy.pii findings as fingerprints; absent when the control did not run (off, or records from before it). */
  pii?: SecretEvidence;
  exception: RecordException | null;
  controls: Array<{ id: string; mode: string; status: string; reason: string }>;
  configHash: string;
  appVersion: string;
  deliveryId: string;
  collectedAt: string;
  collectedLate: boolean;
  /**
   * Ids of the keys this record was made with, so a rotation is visible: the signing key
   * of its attestation (`ed25519:` + SHA-256 of the SPKI) and the fingerprint key of its
   * secret findings (`hmac-sha256:` + a hash of the key). Absent on records written before signing.
   */
  keyIds?: RecordKeyIds;
}

export interface RecordKeyIds {
  signing: string;
  fingerprint: string;
}

/** A record as built, before the ledger links and seals it (`prev`, `hash`). */
export type UnsealedRecord = EvidenceRecord;

/** A record in the ledger: linked to the previous record's hash and sealed with its own. */
export interface SealedRecord extends EvidenceRecord {
  prev: string;
  hash: string;
}

export interface RecordMeta {
  deliveryId: string;
  appVersion: string;
  collectedAt: string;
  collectedLate?: boolean;
}

export function pullRequestRecordId(repository: string, number: number, mergeSha: string | null): string {
  return `${repository}#${number}@${mergeSha ?? "unmerged"}`;
}

export function pushRecordId(repository: string, after: string): string {
  return `${repository}@${after}`;
}

export function buildPullRequestRecord(input: {
  facts: Facts;
  results: ControlResult[];
  resolved: ResolvedConfig;
  exception: ExceptionState;
  exceptionApplied: boolean;
  reviewIssueUrl?: string | null;
  mergeMethod?: "merge" | "squash-or-rebase" | "unknown";
  meta: RecordMeta;
}): EvidenceRecord {
  const { facts, results, resolved, meta } = input;
  const pr = facts.pr;
  const repository = `${pr.owner}/${pr.repo}`;
  const review = results.find((r) => r.id === "review.approval");
  const ci = results.find((r) => r.id === "ci.passing");
  const secrets = results.find((r) => r.id === "secrets.diff");
  const pii = results.find((r) => r.id === "privacy.pii")?.details as Partial<SecretEvidence> | undefined;
  const assessments = ((review?.details as { approvals?: ApprovalAssessment[] } | undefined)?.approvals ?? []);
  const approvals: RecordApproval[] = assessments.map((a) => ({
    login: a.login,
    submittedAt: a.submittedAt,
    commitId: a.commitId,
    state: "APPROVED",
    counted: a.counted,
    discountedBecause: a.discountedBecause ?? null,
    coversMergedHead: a.fresh,
  }));
  const mergedAt = pr.mergedAt;
  const counted = approvals.filter((a) => a.counted);
  const secretDetails = (secrets?.details ?? {}) as Partial<SecretEvidence>;
  return {
    schema: RECORD_SCHEMA,
    id: pullRequestRecordId(repository, pr.number, pr.mergeCommitSha),
    kind: "pull-request",
    repository,
    baseBranch: pr.baseRef,
    pullRequest: {
      number: pr.number,
      url: pr.url,
      title: pr.title,
      author: pr.author.login,
      headSha: pr.headSha,
      mergeCommitSha: pr.mergeCommitSha,
      mergedBy: pr.mergedBy,
      mergedAt,
      mergeMethod: input.mergeMethod ?? "unknown",
    },
    push: null,
    ticketRefs: findTicketRefs([pr.title, pr.body, pr.headRef], resolved.config.controls["change.ticket"].patterns),
    approvals,
    dismissedReviews: pr.reviews.filter((r) => r.state === "DISMISSED").map((r) => ({ login: r.author.login, submittedAt: r.submittedAt, commitId: r.commitId })),
    flags: {
      independentApproval: review?.status === "pass",
      approvedBeforeMerge: counted.some((a) => mergedAt === null || a.submittedAt <= mergedAt),
      coversMergedHead: counted.some((a) => a.coversMergedHead),
      ciPassed: ci?.status === "pass",
    },
    checks: latestChecks(facts.checks).map((c) => ({ name: c.name, app: c.app, conclusion: c.status === "completed" ? c.conclusion : outcomeOf(c), completedAt: c.completedAt })),
    branchRulesHash: branchRulesHash(facts.branchRules),
    branchRuleSources: facts.branchRules.sources.map((s) => `${s.level} ${s.kind} "${s.name}" (${s.enforcement})`),
    secrets: { findings: secretDetails.findings ?? [], suppressed: secretDetails.suppressed ?? [], notScanned: secretDetails.notScanned ?? [] },
    ...(pii ? { pii: { findings: pii.findings ?? [], suppressed: pii.suppressed ?? [], notScanned: pii.notScanned ?? [] } } : {}),
    exception: input.exception.requested
      ? {
          type: "emergency-change",
          label: input.exception.label,
          declaredBy: input.exception.declaredBy,
          declaredAt: input.exception.declaredAt,
          reason: input.exception.authorised ? input.exception.reason : `not authorised: ${input.exception.reason}`,
          reviewDueAt: input.exceptionApplied ? input.exception.reviewDueAt : null,
          ...(input.exception.selfDeclared ? { selfDeclared: true } : {}),
          reviewIssueUrl: input.reviewIssueUrl ?? null,
        }
      : null,
    controls: results.map((r) => ({ id: r.id, mode: r.mode, status: r.status, reason: r.reason })),
    configHash: resolved.hash,
    appVersion: meta.appVersion,
    deliveryId: meta.deliveryId,
    collectedAt: meta.collectedAt,
    collectedLate: meta.collectedLate ?? false,
  };
}

export interface PushEvent {
  repository: string;
  ref: string;
  before: string;
  after: string;
  forced: boolean;
  pusher: string;
  commits: Array<{ id: string; message: string; author: { username?: string | null; name?: string | null } }>;
}

export function buildDirectPushRecord(input: { push: PushEvent; branchRules: Facts["branchRules"] | null; configHash: string; justificationIssueUrl?: string | null; meta: RecordMeta }): EvidenceRecord {
  const { push, meta } = input;
  return {
    schema: RECORD_SCHEMA,
    id: pushRecordId(push.repository, push.after),
    kind: "direct-push",
    repository: push.repository,
    baseBranch: push.ref.replace(/^refs\/heads\//, ""),
    pullRequest: null,
    push: {
      pusher: push.pusher,
      before: push.before,
      after: push.after,
      forced: push.forced,
      commits: push.commits.map((c) => ({ sha: c.id, author: c.author.username ?? c.author.name ?? null, message: c.message.split("\n")[0] ?? "" })),
      justificationIssueUrl: input.justificationIssueUrl ?? null,
    },
    ticketRefs: [],
    approvals: [],
    dismissedReviews: [],
    flags: { independentApproval: false, approvedBeforeMerge: false, coversMergedHead: false, ciPassed: false },
    checks: [],
    branchRulesHash: input.branchRules ? branchRulesHash(input.branchRules) : "",
    branchRuleSources: input.branchRules?.sources.map((s) => `${s.level} ${s.kind} "${s.name}" (${s.enforcement})`) ?? [],
    secrets: { findings: [], suppressed: [], notScanned: [] },
    exception: null,
    controls: [{ id: "review.approval", mode: "enforce", status: "fail", reason: "pushed directly to a protected branch without a pull request" }],
    configHash: input.configHash,
    appVersion: meta.appVersion,
    deliveryId: meta.deliveryId,
    collectedAt: meta.collectedAt,
    collectedLate: meta.collectedLate ?? false,
  };
}

export function buildSettingsChangeRecord(input: {
  repository: string;
  change: Omit<SettingsChangeEvidence, "configuredBy">;
  configuredBy: SettingsChangeEvidence["configuredBy"];
  configHash: string;
  at: string;
  meta: RecordMeta;
}): EvidenceRecord {
  const { meta } = input;
  return {
    schema: RECORD_SCHEMA,
    id: `${input.repository}@settings:${input.change.policy}:${input.at}`,
    kind: "settings-change",
    repository: input.repository,
    baseBranch: "",
    pullRequest: null,
    push: null,
    settingsChange: { ...input.change, configuredBy: input.configuredBy },
    ticketRefs: [],
    approvals: [],
    dismissedReviews: [],
    flags: { independentApproval: false, approvedBeforeMerge: false, coversMergedHead: false, ciPassed: false },
    checks: [],
    branchRulesHash: "",
    branchRuleSources: [],
    secrets: { findings: [], suppressed: [], notScanned: [] },
    exception: null,
    controls: [],
    configHash: input.configHash,
    appVersion: meta.appVersion,
    deliveryId: meta.deliveryId,
    collectedAt: meta.collectedAt,
    collectedLate: meta.collectedLate ?? false,
  };
}
