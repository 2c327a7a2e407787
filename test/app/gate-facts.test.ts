// Issue 10, items 2, 8, 9, 13 and 15, played through the app: complete facts or fail closed,
// CI must have reported, required checks keep their app, unscanned is not clean, and the
// org's own .github repository is one layer. Each attack concluded success on 3dca4fb.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import nock from "nock";
import { API, APP_SLUG, createTestApp, INSTALLATION_ID, mockEvaluationReads, mockInstallationToken, type Scenario } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";
import { withGitHubChecksum } from "../../src/secrets/github-token-checksum.js";

const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const OLDER = "34c5c7793cb3b279e22454cb6750c80560547b3a";
const REVIEWER = "octo-reviewer";
const GREEN = { name: "build", status: "COMPLETED" as const, conclusion: "SUCCESS" };
/** An approved PR with green CI: the gate passes it unless the attack works. */
const approved: Scenario = {
  owner: "Codertocat",
  repo: "Hello-World",
  number: 2,
  commits: [{ sha: HEAD, author: "Codertocat" }],
  reviews: [{ id: 80, login: REVIEWER, state: "APPROVED", commit: HEAD }],
  checks: [GREEN],
};
const reviewerCanWrite = { permissions: { [REVIEWER]: "write" } };

interface CheckRunBody {
  status?: string;
  conclusion?: string;
  output?: { title: string; summary: string; annotations?: Array<{ path: string; annotation_level: string; title?: string; message: string }> };
}

function recordCheckRuns(scope: nock.Scope, repo = "Codertocat/Hello-World"): CheckRunBody[] {
  const writes: CheckRunBody[] = [];
  scope.post(`/repos/${repo}/check-runs`).times(5).optionally().reply(201, (_uri, body) => (writes.push(body as CheckRunBody), { id: 555 }));
  scope.patch(new RegExp(`/repos/${repo}/check-runs/\\d+$`)).times(5).optionally().reply(200, (_uri, body) => (writes.push(body as CheckRunBody), { id: 555 }));
  return writes;
}

const isQuery = (name: string) => (body: { query?: string }) => String(body.query).includes(`query ${name}`);

async function gate(setup: (scope: nock.Scope) => void, payload = webhookPayload("pull_request", "opened"), repo?: string): Promise<CheckRunBody> {
  nock.cleanAll();
  const app = createTestApp();
  const scope = mockInstallationToken(nock(API));
  setup(scope);
  const writes = recordCheckRuns(scope, repo);
  await app.receive("pull_request", payload).catch(() => undefined);
  return writes[writes.length - 1]!;
}

const row = (body: CheckRunBody, control: string): string => body.output!.summary.split("\n").find((line) => line.includes(`\`${control}\``)) ?? "";

beforeEach(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("item 2: complete facts, or fail closed", () => {
  it("pages reviews past 100: a later 'changes requested' on page two withdraws the approval", async () => {
    const commented = Array.from({ length: 99 }, (_, i) => ({ id: 100 + i, login: `bystander-${i}`, state: "COMMENTED" as const, commit: HEAD }));
    const done = await gate((scope) => {
      mockEvaluationReads(scope, { ...approved, reviews: [...approved.reviews!, ...commented] }, {
        ...reviewerCanWrite,
        patchFacts: (r) => {
          const reviews = r.data.repository.pullRequest.reviews;
          reviews.totalCount = 101;
          reviews.pageInfo = { hasNextPage: true, endCursor: "Y3Vyc29yOjEwMA==" };
        },
      });
      scope.post("/graphql", isQuery("MorePullRequestReviews")).reply(200, {
        data: {
          repository: {
            pullRequest: {
              reviews: {
                pageInfo: { hasNextPage: false, endCursor: "Y3Vyc29yOjEwMQ==" },
                nodes: [{ databaseId: 300, state: "CHANGES_REQUESTED", submittedAt: "2026-11-02T11:50:00Z", author: { __typename: "User", login: REVIEWER }, commit: { oid: HEAD } }],
              },
            },
          },
        },
      });
    });
    expect(done.conclusion).toBe("failure");
    expect(row(done, "review.approval")).toContain("❌");
  });

  it("fails closed when GitHub's commit list does not hold the head it names (read twice, then 'could not evaluate')", async () => {
    const done = await gate((scope) => {
      for (let i = 0; i < 2; i++) {
        mockEvaluationReads(scope, approved, {
          ...reviewerCanWrite,
          patchFacts: (r) => {
            r.data.repository.pullRequest.commits.nodes[0].commit.oid = OLDER;
          },
        });
      }
    });
    expect(done).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(done.output!.title).toBe("soc2-guard could not evaluate this commit");
  });

  it("fails review.approval at GitHub's 250-commit limit instead of deciding on the commits it listed", async () => {
    const done = await gate((scope) =>
      mockEvaluationReads(scope, approved, {
        ...reviewerCanWrite,
        patchFacts: (r) => {
          r.data.repository.pullRequest.commits.totalCount = 300;
        },
      }),
    );
    expect(done.conclusion).toBe("failure");
    expect(row(done, "review.approval")).toContain("GitHub lists only 1 of this pull request's 300 commits (its limit is 250)");
  });

  it("fails at GitHub's 3,000-file limit: path rules cannot be checked and the unlisted files are not scanned", async () => {
    const done = await gate((scope) =>
      mockEvaluationReads(scope, approved, {
        ...reviewerCanWrite,
        patchFacts: (r) => {
          r.data.repository.pullRequest.files.totalCount = 3500;
        },
      }),
    );
    expect(done.conclusion).toBe("failure");
    expect(row(done, "review.approval")).toContain("GitHub lists only 1 of this pull request's 3500 changed files (its limit is 3000)");
    expect(row(done, "secrets.diff")).toContain("unscanned is not clean");
  });

  it("reads check suites past the first page: a failing check on page two fails the gate", async () => {
    const done = await gate((scope) => {
      mockEvaluationReads(scope, approved, {
        ...reviewerCanWrite,
        patchFacts: (r) => {
          const suites = r.data.repository.pullRequest.head.nodes[0].commit.checkSuites;
          suites.totalCount = 51;
          suites.pageInfo = { hasNextPage: true, endCursor: "c3VpdGU6NTA=" };
          for (const suite of suites.nodes) suite.id = "CS_first";
        },
      });
      scope.post("/graphql", isQuery("ChecksOnCommit")).reply(200, {
        data: {
          repository: {
            object: {
              oid: HEAD,
              checkSuites: {
                totalCount: 51,
                pageInfo: { hasNextPage: false, endCursor: "c3VpdGU6NTE=" },
                nodes: [
                  {
                    id: "CS_second",
                    app: { slug: "security-scanner", databaseId: 777 },
                    checkRuns: { totalCount: 1, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [{ databaseId: 9100, name: "lint", status: "COMPLETED", conclusion: "FAILURE", completedAt: "2026-11-02T11:40:00Z", detailsUrl: null }] },
                  },
                ],
              },
              status: null,
            },
          },
        },
      });
    });
    expect(done.conclusion).toBe("failure");
    expect(row(done, "ci.passing")).toContain("lint (failure)");
  });

  it("reads a config GraphQL truncated whole through the blobs API, so a stricter setting past the cut holds", async () => {
    const full = `${"# padding\n".repeat(3)}controls:\n  review.approval: { approvals: 2 }\n`;
    const done = await gate((scope) => {
      mockEvaluationReads(scope, { ...approved, repoConfig: "# padding\n" }, {
        ...reviewerCanWrite,
        patchFacts: (r) => {
          r.data.repository.defaultBranchRef.target.config.object = { oid: "c0ffee0000000000000000000000000000000001", text: "# padding\n", isTruncated: true, byteSize: full.length };
        },
      });
      scope.get("/repos/Codertocat/Hello-World/git/blobs/c0ffee0000000000000000000000000000000001").reply(200, { sha: "c0ffee0000000000000000000000000000000001", size: full.length, content: Buffer.from(full).toString("base64"), encoding: "base64" });
    });
    expect(done.conclusion).toBe("failure");
    expect(row(done, "review.approval")).toContain("2 required");
  });

  it("reads a CODEOWNERS GraphQL truncated whole: a later owner line past the cut still needs its owner's approval", async () => {
    const shown = "README.md @octo-reviewer\n";
    const full = `${shown}${"# padding\n".repeat(5)}README.md @octo-docs-lead\n`;
    const oid = "c0de000000000000000000000000000000000002";
    const done = await gate((scope) => {
      mockEvaluationReads(scope, { ...approved, codeowners: shown, repoConfig: "controls:\n  review.approval: { requireCodeOwners: true }\n" }, {
        ...reviewerCanWrite,
        patchFacts: (r) => {
          r.data.repository.pullRequest.baseRef.target.codeownersGithub.object = { oid, text: shown, isTruncated: true, byteSize: full.length };
        },
      });
      scope.get(`/repos/Codertocat/Hello-World/git/blobs/${oid}`).reply(200, { sha: oid, size: full.length, content: Buffer.from(full).toString("base64"), encoding: "base64" });
    });
    expect(done.conclusion).toBe("failure");
    expect(row(done, "review.approval")).toContain("@octo-docs-lead");
  });

  it("fails closed when the installation cannot read the org's .github repository: 'install soc2-guard on <org>/.github'", async () => {
    const app = createTestApp();
    const scope = nock(API);
    scope.post(`/app/installations/${INSTALLATION_ID}/access_tokens`).times(5).optionally().reply(201, { token: "ghs_selected", expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "selected" });
    mockEvaluationReads(scope, approved, reviewerCanWrite); // orgConfig: null — GitHub's answer for a repository it will not show
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "opened"));
    const done = writes[writes.length - 1]!;
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("install soc2-guard on Codertocat/.github");
  });
});

describe("item 8: CI must have reported", () => {
  it("keeps the check in progress while no check has reported on the head, and says how to declare no CI", async () => {
    const done = await gate((scope) => mockEvaluationReads(scope, { ...approved, checks: [] }, reviewerCanWrite));
    expect(done.status).toBe("in_progress");
    expect(done.conclusion).toBeUndefined();
    expect(row(done, "ci.passing")).toContain("no check has reported on the head commit yet");
    expect(done.output!.summary).toContain("`ci.passing: { mode: off }`");
  });

  it("passes without CI once the repository says it has none (ci.passing: { mode: off })", async () => {
    const done = await gate((scope) => mockEvaluationReads(scope, { ...approved, checks: [], repoConfig: "controls:\n  ci.passing: { mode: off }\n" }, reviewerCanWrite));
    expect(done.conclusion).toBe("success");
  });

  it("does not let a second workflow's job of the same name stand in for a failing check", async () => {
    // The PR adds a workflow whose job is also called `build` and exits 0, finishing after the
    // real `build` failed: the latest run of that name is green, but it is another check suite.
    const failingBuild = { name: "build", status: "COMPLETED" as const, conclusion: "FAILURE", suite: "ci", completedAt: "2026-11-02T11:30:00Z" };
    const impostor = { name: "build", status: "COMPLETED" as const, conclusion: "SUCCESS", suite: "shadow", completedAt: "2026-11-02T11:35:00Z" };
    const done = await gate((scope) => mockEvaluationReads(scope, { ...approved, checks: [failingBuild, impostor] }, reviewerCanWrite));
    expect(done.conclusion).toBe("failure");
    expect(row(done, "ci.passing")).toContain("build (failure)");
    // A re-run stays in its suite, where GitHub answers only the latest run: a green re-run passes.
    const rerun = await gate((scope) => mockEvaluationReads(scope, { ...approved, checks: [{ ...failingBuild, conclusion: "SUCCESS", completedAt: "2026-11-02T11:40:00Z" }] }, reviewerCanWrite));
    expect(row(rerun, "ci.passing")).toContain("✅");
  });

  it("reads CI on headRefOid, not on the commit GitHub happens to list last (a back-dated head)", async () => {
    // GitHub orders a PR's commits by author date: the back-dated head is listed first, and
    // `commits(last: 1)` is an older commit whose CI was green.
    const done = await gate((scope) => {
      mockEvaluationReads(scope, { ...approved, commits: [{ sha: HEAD, author: "Codertocat" }, { sha: OLDER, author: "Codertocat" }] }, {
        ...reviewerCanWrite,
        patchFacts: (r) => {
          r.data.repository.pullRequest.headRefOid = HEAD;
          r.data.repository.pullRequest.head.nodes[0].commit.oid = OLDER;
        },
      });
      scope.post("/graphql", isQuery("ChecksOnCommit")).reply(200, {
        data: {
          repository: {
            object: {
              oid: HEAD,
              checkSuites: {
                totalCount: 1,
                pageInfo: { hasNextPage: false, endCursor: null },
                nodes: [{ id: "CS_head", app: { slug: "github-actions", databaseId: 15368 }, checkRuns: { totalCount: 1, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [{ databaseId: 9200, name: "build", status: "COMPLETED", conclusion: "FAILURE", completedAt: "2026-11-02T11:45:00Z", detailsUrl: null }] } }],
              },
              status: null,
            },
          },
        },
      });
    });
    expect(done.conclusion).toBe("failure");
    expect(row(done, "ci.passing")).toContain("build (failure)");
  });
});

describe("item 9: required checks keep their app", () => {
  const pinnedBuild = {
    pattern: "main",
    requiresApprovingReviews: true,
    requiredApprovingReviewCount: 1,
    dismissesStaleReviews: true,
    requiresCodeOwnerReviews: false,
    requireLastPushApproval: false,
    requiresStatusChecks: true,
    requiredStatusCheckContexts: ["build", "soc2-guard"],
    requiredStatusChecks: [
      { context: "build", app: { databaseId: 15368, slug: "github-actions" } },
      { context: "soc2-guard", app: { databaseId: 1, slug: APP_SLUG } },
    ],
    requiresStrictStatusChecks: false,
    allowsForcePushes: false,
    allowsDeletions: false,
    isAdminEnforced: true,
  };

  it("a commit status named like a required check pinned to an app does not satisfy it", async () => {
    const done = await gate((scope) =>
      mockEvaluationReads(scope, { ...approved, checks: [], classic: pinnedBuild }, {
        ...reviewerCanWrite,
        patchFacts: (r) => {
          r.data.repository.pullRequest.head.nodes[0].commit.status = { contexts: [{ context: "build", state: "SUCCESS", createdAt: "2026-11-02T11:30:00Z", targetUrl: null }] };
        },
      }),
    );
    expect(done.status).toBe("in_progress");
    expect(row(done, "ci.passing")).toContain("waiting for build (from app #15368)");
  });

  it("another app's check run of the same name does not satisfy a check a ruleset pins to an app", async () => {
    const rules = [
      { type: "pull_request", ruleset_id: 7, ruleset_source_type: "Repository", ruleset_source: "Codertocat/Hello-World", parameters: { required_approving_review_count: 1, dismiss_stale_reviews_on_push: true, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false } },
      { type: "required_status_checks", ruleset_id: 7, ruleset_source_type: "Repository", ruleset_source: "Codertocat/Hello-World", parameters: { strict_required_status_checks_policy: false, required_status_checks: [{ context: "build", integration_id: 15368 }, { context: "soc2-guard", integration_id: 1 }] } },
    ];
    const done = await gate((scope) =>
      mockEvaluationReads(scope, { ...approved, checks: [{ name: "build", app: "impostor-ci", status: "COMPLETED", conclusion: "SUCCESS" }] }, {
        ...reviewerCanWrite,
        rules,
        rulesets: { 7: { id: 7, name: "main", enforcement: "active", source_type: "Repository", source: "Codertocat/Hello-World", bypass_actors: [] } },
        patchFacts: (r) => {
          for (const suite of r.data.repository.pullRequest.head.nodes[0].commit.checkSuites.nodes) if (suite.app.slug === "impostor-ci") suite.app.databaseId = 4242;
        },
      }),
    );
    expect(done.conclusion).not.toBe("success");
    expect(row(done, "ci.passing")).toContain("waiting for build (from app #15368)");
  });

  it("branch.protection fails while soc2-guard is required from any source, and passes once it is pinned to this app", async () => {
    const enforce = "controls:\n  branch.protection: { mode: enforce }\n";
    const anySource = { ...pinnedBuild, requiredStatusChecks: [{ context: "build", app: null }, { context: "soc2-guard", app: null }] };
    const open = await gate((scope) => mockEvaluationReads(scope, { ...approved, repoConfig: enforce, classic: anySource }, reviewerCanWrite));
    expect(open.conclusion).toBe("failure");
    expect(row(open, "branch.protection")).toContain("the required soc2-guard check is not pinned to this app");
    const pinned = await gate((scope) => mockEvaluationReads(scope, { ...approved, repoConfig: enforce, classic: pinnedBuild }, reviewerCanWrite));
    expect(pinned.conclusion).toBe("success");
  });

  it("branch.protection treats a ruleset bypass list it cannot read as unknown, with the permission to grant", async () => {
    const rules = [
      { type: "pull_request", ruleset_id: 9, ruleset_source_type: "Organization", ruleset_source: "Codertocat", parameters: { required_approving_review_count: 1, dismiss_stale_reviews_on_push: true, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false } },
      { type: "required_status_checks", ruleset_id: 9, ruleset_source_type: "Organization", ruleset_source: "Codertocat", parameters: { strict_required_status_checks_policy: false, required_status_checks: [{ context: "soc2-guard", integration_id: 1 }] } },
      { type: "non_fast_forward", ruleset_id: 9, ruleset_source_type: "Organization", ruleset_source: "Codertocat" },
      { type: "deletion", ruleset_id: 9, ruleset_source_type: "Organization", ruleset_source: "Codertocat" },
    ];
    const done = await gate((scope) => mockEvaluationReads(scope, { ...approved, repoConfig: "controls:\n  branch.protection: { mode: enforce }\n" }, { ...reviewerCanWrite, rules, rulesets: { 9: 403 } }));
    expect(done.conclusion).toBe("failure");
    expect(row(done, "branch.protection")).toContain("unknown: ruleset 9's bypass list could not be read");
    expect(done.output!.summary).toContain("grant soc2-guard Administration (read)");
  });
});

describe("item 13: unscanned is not clean", () => {
  const token = withGitHubChecksum("ghp", "N0PatchT3stValue9xQ2mN7vLr4TzA");
  const blob = (sha: string, text: string | Buffer) => {
    const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
    return { sha, size: bytes.length, content: bytes.toString("base64"), encoding: "base64" };
  };
  const SEED = "5eed000000000000000000000000000000000001";
  const LOGO = "10go000000000000000000000000000000000002".replace("o", "0");
  const DUMP = "d0000000000000000000000000000000000000f3";

  it("reads a file GitHub shows no patch for through the blobs API and finds the secret in it", async () => {
    const seed = `${"x = 1\n".repeat(20_000)}token = "${token}"\n`;
    const done = await gate((scope) => {
      mockEvaluationReads(scope, { ...approved, paths: ["db/seed.env"] }, { ...reviewerCanWrite, files: [{ filename: "db/seed.env", status: "added", additions: 20_001, sha: SEED }] });
      scope.post("/graphql", isQuery("BlobSizes")).reply(200, { data: { repository: { b0: { oid: SEED, byteSize: Buffer.byteLength(seed) } } } });
      scope.get(`/repos/Codertocat/Hello-World/git/blobs/${SEED}`).reply(200, blob(SEED, seed));
    });
    expect(done.conclusion).toBe("failure");
    expect(row(done, "secrets.diff")).toContain("1 possible secret");
    expect(done.output!.annotations).toEqual(expect.arrayContaining([expect.objectContaining({ path: "db/seed.env", annotation_level: "failure", title: "github-pat" })]));
    expect(JSON.stringify(done)).not.toContain(token);
  });

  it("fails on a file over the per-file budget, naming it and the fix; a binary file (NUL bytes) is listed as skipped", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
    const done = await gate((scope) => {
      mockEvaluationReads(scope, { ...approved, paths: ["logo.png", "dump.sql"] }, {
        ...reviewerCanWrite,
        files: [
          { filename: "logo.png", status: "added", additions: 0, sha: LOGO },
          { filename: "dump.sql", status: "modified", additions: 90_000, sha: DUMP },
        ],
      });
      scope.post("/graphql", isQuery("BlobSizes")).reply(200, { data: { repository: { b0: { oid: LOGO, byteSize: png.length }, b1: { oid: DUMP, byteSize: 6 * 1024 * 1024 } } } });
      scope.get(`/repos/Codertocat/Hello-World/git/blobs/${LOGO}`).reply(200, blob(LOGO, png));
    });
    expect(done.conclusion).toBe("failure");
    const secrets = row(done, "secrets.diff");
    expect(secrets).toContain("dump.sql: GitHub showed no diff and the file was not read: 6 MB is over the 5 MB per-file budget");
    expect(secrets).toContain("1 binary file skipped (logo.png)");
    expect(secrets).toContain("split a change GitHub cannot list into smaller pull requests");
  });
});

describe("item 15: the org's own .github repository", () => {
  it("reads its file once, as the org layer: its minimums do not fail its own pull requests", async () => {
    const payload = webhookPayload("pull_request", "opened");
    const repository = payload.repository as { name: string; full_name: string };
    repository.name = ".github";
    repository.full_name = "Codertocat/.github";
    const orgFile = "controls:\n  review.approval: { approvals: 1 }\nminimums:\n  controls:\n    review.approval: { approvals: 1 }\n";
    const done = await gate(
      (scope) => mockEvaluationReads(scope, { ...approved, repo: ".github", repoConfig: orgFile, orgConfig: orgFile }, reviewerCanWrite),
      payload,
      "Codertocat/.github",
    );
    expect(done.conclusion).toBe("success");
    expect(done.output!.summary).not.toContain("minimums are only honoured");
  });
});
