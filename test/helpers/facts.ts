// Builds facts snapshots for control tests: a realistic PR with sensible defaults that
// each test overrides where its scenario differs.

import type { CommitFacts, Facts, ReviewFacts, ReviewState } from "../../src/facts.js";
import { safeDefaults } from "../../src/config/defaults.js";
import type { Config } from "../../src/config/types.js";

export const sha = (n: number): string => n.toString(16).padStart(40, "a");

export function commit(n: number, author: string | null, extra: Partial<CommitFacts> = {}): CommitFacts {
  return { sha: sha(n), parents: [sha(n - 1)], authorLogin: author, committerLogin: author, message: `commit ${n}`, updateMerge: "not-merge", ...extra };
}

let reviewId = 1000;
export function review(login: string, state: ReviewState, commitN: number, extra: Partial<ReviewFacts> = {}): ReviewFacts {
  reviewId++;
  return {
    id: reviewId,
    author: { login, type: login.endsWith("[bot]") ? "Bot" : "User" },
    state,
    commitId: sha(commitN),
    submittedAt: new Date(Date.UTC(2026, 10, 1, 0, reviewId % 60)).toISOString(),
    ...extra,
  };
}

export function makeFacts(overrides: { pr?: Partial<Facts["pr"]> } & Partial<Omit<Facts, "pr">> = {}): Facts {
  const commits = overrides.pr?.commits ?? [commit(1, "octocat")];
  const { pr: prOverrides, ...rest } = overrides;
  return {
    pr: {
      owner: "acme",
      repo: "api",
      number: 42,
      url: "https://github.com/acme/api/pull/42",
      title: "Add rate limiting (API-123)",
      body: "Adds a token bucket.",
      draft: false,
      state: "open",
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      author: { login: "octocat", type: "User" },
      headRef: "feature/rate-limit",
      headSha: commits[commits.length - 1]!.sha,
      headRepoFullName: "acme/api",
      isFork: false,
      baseRef: "main",
      baseSha: sha(0),
      labels: [],
      commits,
      reviews: [],
      changedPaths: ["src/limiter.ts"],
      files: null,
      ...prOverrides,
    },
    checks: [],
    branchRules: {
      sources: [{ kind: "ruleset", name: "main", enforcement: "active", level: "repository" }],
      requirePullRequest: true,
      requiredApprovals: 1,
      dismissStaleReviews: true,
      requireCodeOwnerReview: false,
      requireLastPushApproval: false,
      requiredStatusChecks: ["soc2-guard"],
      pinnedChecks: [{ context: "soc2-guard", appId: 1 }],
      strictStatusChecks: false,
      blockForcePushes: true,
      blockDeletions: true,
      adminBypass: false,
      bypassActors: [],
      unreadable: [],
    },
    codeOwners: { path: null, text: null },
    access: { permissions: { alice: "write", bob: "admin", carol: "write", dave: "read", octocat: "write", "renovate[bot]": "write" }, teams: {} },
    security: { secretScanning: "enabled", pushProtection: "enabled", openSecretAlerts: [] },
    ownApp: { slug: "soc2-guard", id: 1 },
    incomplete: [],
    collectedAt: "2026-11-01T12:00:00.000Z",
    ...rest,
  };
}

export function configWith(mutate: (c: Config) => void): Config {
  const config = safeDefaults();
  mutate(config);
  return config;
}

export const env = { fingerprintKey: new Uint8Array(32), now: "2026-11-01T12:00:00.000Z" };
