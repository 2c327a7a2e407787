import { describe, expect, it } from "vitest";
import { Ajv } from "ajv";
import { makeFacts, review, commit } from "../helpers/facts.js";
import { webhookPayload } from "../helpers/payload.js";
import { buildDirectPushRecord, buildPullRequestRecord, type PushEvent } from "../../src/evidence/record.js";
import { isLandingOf, landingCandidates } from "../../src/evidence/direct-push.js";
import { seal, GENESIS } from "../../src/evidence/ledger.js";
import { recordSchema } from "../../src/evidence/record-schema.js";
import { evaluate } from "../../src/verdict/evaluate.js";
import { resolveConfig } from "../../src/config/resolve.js";

// Formats (date-time) are not checked: ajv-formats is not a dependency.
const validateRecord = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(recordSchema);
// A credential-shaped value (not a real key): the record may name where it is, never what it is.
const SECRET = ["ghp", "_", "R3a1L00kingT0kenValue0123456789abcdEF"].join("");

function emergencyMergeWithSecret() {
  const resolved = resolveConfig([{ source: "acme/.github", file: ".github/soc2-guard.yml", text: "exceptions: { label: emergency-change, allowed: [bob], reviewWithinHours: 24 }\n", isOrgLayer: true }]);
  const facts = makeFacts({
    pr: {
      state: "closed",
      merged: true,
      mergedAt: "2026-11-02T09:00:00Z",
      mergedBy: "bob",
      mergeCommitSha: "9".repeat(40),
      body: "Emergency: payments are down\n\nFixes API-77",
      commits: [commit(1, "octocat"), commit(2, "octocat")],
      // Alice approved commit 1; commit 2 came after: her approval does not cover the merged head.
      reviews: [review("alice", "APPROVED", 1, { submittedAt: "2026-11-02T08:00:00Z" }), review("carol", "DISMISSED", 1, { submittedAt: "2026-11-02T07:00:00Z" })],
      labels: [{ name: "emergency-change", addedBy: "bob", addedAt: "2026-11-02T08:30:00Z" }],
      changedPaths: ["src/config.ts"],
      files: [{ path: "src/config.ts", previousPath: null, status: "modified", additions: 1, deletions: 0, patch: `@@ -1,0 +1,1 @@\n+const token = "${SECRET}";` }],
    },
    checks: [
      { kind: "check", name: "build", app: "github-actions", status: "completed", conclusion: "success", completedAt: "2026-11-02T08:50:00Z", url: null },
      { kind: "status", name: "deploy/preview", app: null, status: "pending", conclusion: null, completedAt: null, url: null },
    ],
  });
  const verdict = evaluate(facts, resolved, { fingerprintKey: new Uint8Array(32).fill(3), now: "2026-11-02T09:00:00Z" }, "delivery-77");
  return { facts, resolved, verdict };
}

describe("pull-request record", () => {
  it("records an emergency merge: exception with who/why/due, the approval on an older commit, checks, secrets as fingerprints only", () => {
    const { facts, resolved, verdict } = emergencyMergeWithSecret();
    const record = buildPullRequestRecord({
      facts,
      results: verdict.results,
      resolved,
      exception: verdict.exception,
      exceptionApplied: verdict.exceptionApplied,
      reviewIssueUrl: "https://github.com/acme/compliance-evidence/issues/9",
      mergeMethod: "squash-or-rebase",
      meta: { deliveryId: "delivery-77", appVersion: "1.2.3", collectedAt: "2026-11-02T09:00:05Z" },
    });
    const sealed = seal(record, GENESIS);
    expect(validateRecord(sealed), JSON.stringify(validateRecord.errors)).toBe(true);
    expect(record).toMatchObject({
      id: `acme/api#42@${"9".repeat(40)}`,
      kind: "pull-request",
      repository: "acme/api",
      baseBranch: "main",
      pullRequest: { number: 42, url: "https://github.com/acme/api/pull/42", title: "Add rate limiting (API-123)", author: "octocat", mergedBy: "bob", mergedAt: "2026-11-02T09:00:00Z", mergeMethod: "squash-or-rebase", mergeCommitSha: "9".repeat(40) },
      ticketRefs: expect.arrayContaining(["API-123", "API-77"]),
      approvals: [{ login: "alice", submittedAt: "2026-11-02T08:00:00Z", commitId: commit(1, null).sha, state: "APPROVED", coversMergedHead: false }],
      dismissedReviews: [{ login: "carol", submittedAt: "2026-11-02T07:00:00Z", commitId: commit(1, null).sha }],
      flags: { coversMergedHead: false, ciPassed: false },
      checks: [
        { name: "build", app: "github-actions", conclusion: "success", completedAt: "2026-11-02T08:50:00Z" },
        { name: "deploy/preview", app: null, completedAt: null },
      ],
      exception: { type: "emergency-change", label: "emergency-change", declaredBy: "bob", declaredAt: "2026-11-02T08:30:00Z", reason: "payments are down", reviewDueAt: "2026-11-03T08:30:00.000Z", reviewIssueUrl: "https://github.com/acme/compliance-evidence/issues/9" },
      configHash: resolved.hash,
      appVersion: "1.2.3",
      deliveryId: "delivery-77",
      collectedAt: "2026-11-02T09:00:05Z",
      collectedLate: false,
    });
    expect(record.secrets.findings).toHaveLength(1);
    expect(record.secrets.findings[0]).toMatchObject({ path: "src/config.ts", line: 1, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(record.controls.find((c) => c.id === "secrets.diff")).toMatchObject({ status: "fail" });
    // Nowhere in the sealed record — not even a prefix long enough to be useful.
    const text = JSON.stringify(sealed);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(SECRET.slice(4, 20));
  });

  it("changes its hash when any field changes", () => {
    const { facts, resolved, verdict } = emergencyMergeWithSecret();
    const input = { facts, results: verdict.results, resolved, exception: verdict.exception, exceptionApplied: verdict.exceptionApplied, meta: { deliveryId: "d", appVersion: "1", collectedAt: "2026-11-02T09:00:05Z" } };
    const a = seal(buildPullRequestRecord(input), GENESIS);
    const b = seal(buildPullRequestRecord({ ...input, meta: { ...input.meta, collectedLate: true } }), GENESIS);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).not.toBe(a.hash);
    expect(seal(buildPullRequestRecord(input), GENESIS).hash).toBe(a.hash);
  });
});

/** The real push payload from @octokit/webhooks-examples, as the app narrows it. */
function realPush(forced: boolean): PushEvent & { deleted: boolean } {
  const p = webhookPayload("push", undefined, 0) as {
    ref: string; before: string; after: string; deleted: boolean;
    repository: { full_name: string }; pusher: { name: string };
    commits: Array<{ id: string; message: string; author: { username?: string; name?: string } }>;
  };
  return { repository: p.repository.full_name, ref: p.ref, before: p.before, after: p.after, forced, deleted: p.deleted, pusher: p.pusher.name, commits: p.commits };
}

describe("direct pushes", () => {
  const B = "b".repeat(40);
  const M = "e".repeat(40);
  const H = "a".repeat(40);
  const pushTo = (after: string) => ({ ref: "refs/heads/main", before: B, after, created: false, deleted: false, forced: false });
  const pull = { number: 7, baseRef: "main", mergedAt: "2026-11-02T12:00:00Z", mergeCommitSha: M, headSha: H };
  const c = (sha: string, parents: string[], message = `m-${sha.slice(0, 1)}`, author: string | null = "dev <dev@x>") => ({ sha, parents, message, author });
  const ahead = (commits: ReturnType<typeof c>[]) => ({ status: "ahead" as const, totalCommits: commits.length, commits });
  it.each([
    { name: "a merge commit on the old head bringing in the PR's commits", comparison: ahead([c(H, [B]), c(M, [B, H])]), prCommits: [c(H, [B])], landing: true },
    { name: "a squash commit on the old head", comparison: ahead([c(M, [B])]), prCommits: [c(H, [B]), c("9".repeat(40), [H])], landing: true },
    { name: "the PR's commits rebased one by one", comparison: ahead([c("1".repeat(40), [B], "one"), c(M, ["1".repeat(40)], "two")]), prCommits: [c("3".repeat(40), [B], "one"), c(H, ["3".repeat(40)], "two")], landing: true },
    { name: "a merge commit that also brings in a commit the PR does not contain", comparison: ahead([c("5".repeat(40), [B]), c(H, [B]), c(M, [B, H])]), prCommits: [c(H, [B])], landing: false },
    { name: "rebased commits whose messages are not the PR's", comparison: ahead([c("1".repeat(40), [B], "one"), c(M, ["1".repeat(40)], "sneaky")]), prCommits: [c("3".repeat(40), [B], "one"), c(H, ["3".repeat(40)], "two")], landing: false },
    { name: "a force push (diverged)", comparison: { ...ahead([c(M, [B])]), status: "diverged" as const }, prCommits: [c(H, [B])], landing: false },
    { name: "a comparison GitHub cut short", comparison: { ...ahead([c(M, [B])]), totalCommits: 300 }, prCommits: [c(H, [B])], landing: false },
  ])("a push is a PR's landing only when it is exactly that landing: $name", ({ comparison, prCommits, landing }) => {
    expect(isLandingOf(pushTo(M), pull, comparison, prCommits, true)).toBe(landing);
  });

  it("takes as candidates only merged PRs whose base is the pushed branch and whose merge commit is the push's head", () => {
    expect(landingCandidates(pushTo(M), [pull])).toEqual([pull]);
    expect(landingCandidates(pushTo(M), [{ ...pull, baseRef: "staging" }])).toEqual([]);
    expect(landingCandidates(pushTo(H), [pull])).toEqual([]);
    expect(landingCandidates(pushTo(M), [{ ...pull, mergedAt: null }])).toEqual([]);
    expect(landingCandidates({ ...pushTo(M), created: true }, [pull])).toEqual([]);
  });

  it("records a real push payload as a direct push, and a force push as forced", () => {
    for (const forced of [false, true]) {
      const push = realPush(forced);
      const record = buildDirectPushRecord({ push, branchRules: makeFacts().branchRules, configHash: "c".repeat(64), meta: { deliveryId: "delivery-push", appVersion: "1.2.3", collectedAt: "2026-11-02T10:00:00Z" } });
      expect(validateRecord(seal(record, GENESIS)), JSON.stringify(validateRecord.errors)).toBe(true);
      expect(record).toMatchObject({
        id: `${push.repository}@${push.after}`,
        kind: "direct-push",
        repository: push.repository,
        baseBranch: push.ref.replace("refs/heads/", ""),
        pullRequest: null,
        push: { pusher: push.pusher, before: push.before, after: push.after, forced },
        approvals: [],
        flags: { independentApproval: false, approvedBeforeMerge: false, coversMergedHead: false },
        exception: null,
        controls: [{ id: "review.approval", status: "fail" }],
      });
      expect(record.push!.commits.map((c) => c.sha)).toEqual(push.commits.map((c) => c.id));
      expect(record.branchRulesHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
