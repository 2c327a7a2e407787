// Per-merge attestations: for each sealed record, an in-toto Statement v1 whose subject
// is the commit that landed (gitCommit, gitTree where the record knows it) and whose
// predicate says what was reviewed — the reviewed head, each approval with the commit it
// covered, the checks with the commit they ran on, the exception, every control result —
// plus a SLSA Source VSA for the same commit. Both are DSSE envelopes
// (payloadType application/vnd.in-toto+json) signed with the app's key. Pure.

import { createHash, type KeyObject } from "node:crypto";
import type { SealedRecord } from "../evidence/record.js";
import { asEnvelope, signEnvelope, verifyEnvelope, type DsseEnvelope, type KeyRing } from "./dsse.js";

export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
export const CHANGE_PREDICATE_TYPE = "https://soc2-guard.dev/attestation/change-review/v1";
export const VSA_PREDICATE_TYPE = "https://slsa.dev/verification_summary/v1";
export const INDEPENDENT_REVIEW_LEVEL = "ORG_SOURCE_SOC2_INDEPENDENT_REVIEW";
export const VERIFIER_ID = "https://github.com/apps/soc2-guard";
export const POLICY_URI = "https://soc2-guard.dev/policy/change-management/v1";

export interface ResourceDescriptor {
  uri?: string;
  digest: Record<string, string>;
  annotations?: Record<string, unknown>;
}

export interface Statement<P = Record<string, unknown>> {
  _type: typeof STATEMENT_TYPE;
  subject: ResourceDescriptor[];
  predicateType: string;
  predicate: P;
}

export interface ChangePredicate {
  record: { id: string; hash: string; prev: string; schema: string };
  repository: string;
  baseBranch: string;
  kind: SealedRecord["kind"];
  pullRequest: { number: number; url: string; author: string; mergedBy: string | null; mergedAt: string | null; mergeMethod: string } | null;
  push: { pusher: string; before: string; forced: boolean } | null;
  reviewedHead: { gitCommit: string; gitTree?: string } | null;
  approvals: Array<{ reviewer: string; submittedAt: string; commit: string; counted: boolean; coversMergedHead: boolean; discountedBecause: string | null }>;
  checks: Array<{ name: string; app: string | null; conclusion: string | null; completedAt: string | null; commit: string | null }>;
  exception: SealedRecord["exception"];
  controls: SealedRecord["controls"];
  flags: SealedRecord["flags"];
  configHash: string;
  keyIds: SealedRecord["keyIds"] | null;
  collectedAt: string;
}

const repoUrl = (repository: string, serverUrl: string): string => `${serverUrl.replace(/\/$/, "")}/${repository}`;

/** The GitHub the record came from (GitHub Enterprise too): its PR link's origin, else github.com. */
export function serverUrlOf(record: SealedRecord): string {
  try {
    return record.pullRequest?.url ? new URL(record.pullRequest.url).origin : "https://github.com";
  } catch {
    return "https://github.com";
  }
}

/** The commit that landed: the merge commit of a PR, the pushed head of a direct push. */
export function landedCommit(record: SealedRecord): string | null {
  return record.pullRequest?.mergeCommitSha ?? record.push?.after ?? null;
}

function subjectOf(record: SealedRecord, serverUrl: string): ResourceDescriptor[] {
  const commit = landedCommit(record);
  if (!commit) return [];
  const trees = record as SealedRecord & { trees?: { merged?: string; reviewed?: string } };
  return [
    {
      uri: `${repoUrl(record.repository, serverUrl)}/commit/${commit}`,
      digest: { gitCommit: commit, ...(trees.trees?.merged ? { gitTree: trees.trees.merged } : {}) },
      annotations: { source_refs: [`refs/heads/${record.baseBranch}`] },
    },
  ];
}

export function changeStatement(record: SealedRecord, serverUrl = "https://github.com"): Statement<ChangePredicate> {
  const pr = record.pullRequest;
  const trees = record as SealedRecord & { trees?: { reviewed?: string } };
  return {
    _type: STATEMENT_TYPE,
    subject: subjectOf(record, serverUrl),
    predicateType: CHANGE_PREDICATE_TYPE,
    predicate: {
      record: { id: record.id, hash: record.hash, prev: record.prev, schema: record.schema },
      repository: record.repository,
      baseBranch: record.baseBranch,
      kind: record.kind,
      pullRequest: pr ? { number: pr.number, url: pr.url, author: pr.author, mergedBy: pr.mergedBy, mergedAt: pr.mergedAt, mergeMethod: pr.mergeMethod } : null,
      push: record.push ? { pusher: record.push.pusher, before: record.push.before, forced: record.push.forced } : null,
      reviewedHead: pr ? { gitCommit: pr.headSha, ...(trees.trees?.reviewed ? { gitTree: trees.trees.reviewed } : {}) } : null,
      approvals: record.approvals.map((a) => ({ reviewer: a.login, submittedAt: a.submittedAt, commit: a.commitId, counted: a.counted, coversMergedHead: a.coversMergedHead, discountedBecause: a.discountedBecause })),
      // The record's checks are the head commit's (facts are loaded for the PR head).
      checks: record.checks.map((c) => ({ name: c.name, app: c.app, conclusion: c.conclusion, completedAt: c.completedAt, commit: pr?.headSha ?? null })),
      exception: record.exception,
      controls: record.controls,
      flags: record.flags,
      configHash: record.configHash,
      keyIds: record.keyIds ?? null,
      collectedAt: record.collectedAt,
    },
  };
}

/** Independent review verified when a counted approval by someone else covers the merged head. */
export function verifiedLevels(record: SealedRecord): string[] {
  return record.kind === "pull-request" && record.flags.independentApproval && record.flags.coversMergedHead ? [INDEPENDENT_REVIEW_LEVEL] : [];
}

export function sourceVsa(record: SealedRecord, reviewEnvelope: DsseEnvelope, serverUrl = "https://github.com"): Statement {
  const levels = verifiedLevels(record);
  return {
    _type: STATEMENT_TYPE,
    subject: subjectOf(record, serverUrl),
    predicateType: VSA_PREDICATE_TYPE,
    predicate: {
      verifier: { id: VERIFIER_ID },
      timeVerified: record.collectedAt,
      resourceUri: `git+${repoUrl(record.repository, serverUrl)}`,
      policy: { uri: POLICY_URI },
      inputAttestations: [{ uri: `soc2-guard:record:${record.id}`, digest: { sha256: createHash("sha256").update(Buffer.from(reviewEnvelope.payload, "base64")).digest("hex") } }],
      verificationResult: levels.length > 0 ? "PASSED" : "FAILED",
      verifiedLevels: levels,
    },
  };
}

const serialise = (statement: Statement<unknown>): Buffer => Buffer.from(JSON.stringify(statement), "utf8");

/** The two envelopes for a record: the change statement, then the Source VSA. */
export function attestRecord(record: SealedRecord, key: { privateKey: KeyObject; keyId: string }, serverUrl = serverUrlOf(record)): [DsseEnvelope, DsseEnvelope] {
  const review = signEnvelope(IN_TOTO_PAYLOAD_TYPE, serialise(changeStatement(record, serverUrl)), key);
  const vsa = signEnvelope(IN_TOTO_PAYLOAD_TYPE, serialise(sourceVsa(record, review, serverUrl)), key);
  return [review, vsa];
}

/** Day file for attestations beside records/YYYY/MM/DD.jsonl. */
export const attestationPathFor = (shard: string): string => shard.replace(/^records\//, "attestations/");

export type AttestationCheck =
  | { ok: true; statement: Statement; keyid: string }
  | { ok: false; problem: "unreadable" | "bad-signature" | "not-in-toto"; detail: string };

export function verifyAttestation(envelopeOrText: DsseEnvelope | string, publicKey: KeyObject | KeyRing): AttestationCheck {
  const envelope = typeof envelopeOrText === "string" ? asEnvelope(envelopeOrText) : envelopeOrText;
  if (!envelope) return { ok: false, problem: "unreadable", detail: "not a DSSE envelope (payload, payloadType, signatures)" };
  const checked = verifyEnvelope(envelope, publicKey, IN_TOTO_PAYLOAD_TYPE);
  if (!checked.ok) return { ok: false, problem: checked.problem === "bad-signature" ? "bad-signature" : "not-in-toto", detail: checked.detail };
  let statement: Statement;
  try {
    statement = JSON.parse(checked.body.toString("utf8")) as Statement;
  } catch {
    return { ok: false, problem: "not-in-toto", detail: "the signed payload is not JSON" };
  }
  if (statement._type !== STATEMENT_TYPE || !Array.isArray(statement.subject) || typeof statement.predicateType !== "string") {
    return { ok: false, problem: "not-in-toto", detail: "the signed payload is not an in-toto Statement v1" };
  }
  return { ok: true, statement, keyid: checked.keyid };
}
