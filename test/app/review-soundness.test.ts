// Attacks on review.approval and the emergency exception, played through the app: real
// webhook payloads, GitHub answered by nock, every request checked by the contract hook.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import nock from "nock";
import { API, createTestApp, mockEvaluationReads, mockInstallationToken, type Scenario } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";

const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const OLDER = "34c5c7793cb3b279e22454cb6750c80560547b3a";
const REPO = "Codertocat/Hello-World";
const base: Scenario = { owner: "Codertocat", repo: "Hello-World", number: 2, commits: [{ sha: HEAD, author: "Codertocat" }] };
const reviewer = { permissions: { "octo-reviewer": "write" } };

interface CheckRunBody {
  status?: string;
  conclusion?: string;
  external_id?: string;
  output?: { title: string; summary: string };
}

/** The check-run writes the app makes, in order. */
function recordCheckRuns(scope: nock.Scope, firstId = 555) {
  const writes: CheckRunBody[] = [];
  let nextId = firstId;
  scope
    .post(`/repos/${REPO}/check-runs`)
    .times(20)
    .optionally()
    .reply(201, (_uri, body) => {
      writes.push(body as CheckRunBody);
      return { id: nextId++, name: "soc2-guard" };
    });
  scope
    .patch(new RegExp(`/repos/${REPO}/check-runs/\\d+$`))
    .times(20)
    .optionally()
    .reply(200, (uri, body) => {
      writes.push(body as CheckRunBody);
      return { id: Number(uri.split("/").pop()), name: "soc2-guard" };
    });
  return writes;
}

async function evaluateScenario(scenario: Scenario, extra: Parameters<typeof mockEvaluationReads>[2] = reviewer, action = "synchronize") {
  const app = createTestApp();
  const scope = mockInstallationToken(nock(API));
  mockEvaluationReads(scope, scenario, extra);
  const writes = recordCheckRuns(scope);
  await app.receive("pull_request", webhookPayload("pull_request", action));
  return { done: writes[writes.length - 1]!, writes, scope };
}

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

describe("item 3: approvals are tied to the commit graph", () => {
  it("makes an approval stale when a back-dated commit is pushed after it (GitHub lists it first)", async () => {
    // HEAD's author date is older than OLDER's, so GitHub lists HEAD first; its parent is OLDER.
    const scenario: Scenario = {
      ...base,
      headSha: HEAD,
      commits: [
        { sha: HEAD, author: "Codertocat", parents: [OLDER] },
        { sha: OLDER, author: "Codertocat", parents: ["f95f852bd8fca8fcc58a9a2d6c842781e32a215e"] },
      ],
      reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: OLDER }],
    };
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, scenario, reviewer);
    // The last listed commit is not the head, so CI is read on headRefOid itself.
    scope
      .post("/graphql", (body: { query?: string; variables?: { oid?: string } }) => String(body.query).includes("query ChecksOnCommit") && body.variables?.oid === HEAD)
      .optionally()
      .reply(200, { data: { repository: { object: { oid: HEAD, checkSuites: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] }, status: null } } } });
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "synchronize"));
    const done = writes[writes.length - 1]!;
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("@octo-reviewer's approval does not count: approved 34c5c77; 1 commit pushed since (ec26c3e)");
  });
});

describe("an approval is for the diff it saw: changing the base makes it stale", () => {
  // Approved as a small PR into `develop`, then retargeted to `main`: the diff into main now
  // carries every develop commit main lacks, and the head commit is the one approved.
  const retargeted = (submittedAt: string): Scenario => ({
    ...base,
    reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD, submittedAt }],
    baseChanged: { at: "2026-11-02T12:00:00Z", from: "develop", to: "main" },
  });

  /** GitHub's `pull_request.edited` for a base change: the opened example, edited (the examples have no edited one). */
  async function retarget(scenario: Scenario) {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, scenario, reviewer);
    const writes = recordCheckRuns(scope);
    const payload = webhookPayload("pull_request", "opened");
    Object.assign(payload, { action: "edited", changes: { base: { ref: { from: "develop" }, sha: { from: OLDER } } } });
    await app.receive("pull_request", payload);
    return { done: writes[writes.length - 1]! };
  }

  it("does not count an approval given before the PR was retargeted", async () => {
    const { done } = await retarget(retargeted("2026-11-02T11:00:00Z"));
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("@octo-reviewer's approval does not count: approved before the base branch changed from `develop` to `main` (2026-11-02T12:00:00Z)");
  });

  it("counts an approval given after it", async () => {
    const { done } = await retarget(retargeted("2026-11-02T12:30:00Z"));
    expect(done.output!.summary).not.toContain("approved before the base branch changed");
    expect(done.output!.summary).toMatch(/\| ✅ \| `review\.approval` \|/);
  });
});

describe("item 5: renames and deletions keep their paths", () => {
  it("still needs the infra approvals for `git mv infra/prod.tf attic/`", async () => {
    const scenario: Scenario = {
      ...base,
      repoConfig: 'controls:\n  review.approval: { paths: [ { pattern: "infra/**", approvals: 2 } ] }\n',
      paths: ["attic/prod.tf"],
      renamed: [{ from: "infra/prod.tf", to: "attic/prod.tf" }],
      reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }],
    };
    const { done } = await evaluateScenario(scenario, { ...reviewer, files: [{ filename: "attic/prod.tf", status: "renamed", previous_filename: "infra/prod.tf", additions: 0 }] });
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("1 of 2 required independent approvals on the head commit");
  });
});

describe("item 6: CODEOWNERS as GitHub reads it", () => {
  it("never lets @other-org/team stand for this organization's team of the same slug", async () => {
    const scenario: Scenario = {
      ...base,
      repoConfig: "controls:\n  review.approval: { requireCodeOwners: true }\n",
      codeowners: "* @Codertocat\n/README.md @evil-org/docs\n",
      reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }],
    };
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, scenario, reviewer);
    // Codertocat's own docs team, which octo-reviewer is in: it must not be asked or counted.
    scope.get("/orgs/Codertocat/teams/docs/members").query(true).optionally().reply(200, [{ login: "octo-reviewer", id: 7, type: "User" }]);
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "synchronize"));
    const done = writes[writes.length - 1]!;
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("@evil-org/docs is not a team of Codertocat");
  });

  it("fails with the reason when an email owner resolves to no account", async () => {
    const scenario: Scenario = {
      ...base,
      repoConfig: "controls:\n  review.approval: { requireCodeOwners: true }\n",
      codeowners: "README.md docs@example.com\n",
      reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }],
    };
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, scenario, reviewer);
    scope
      .post("/graphql", (body: { query?: string; variables?: Record<string, string> }) => String(body.query).includes("query EmailOwners") && body.variables?.q0 === "docs@example.com in:email")
      .optionally()
      .reply(200, { data: { e0: { userCount: 0, nodes: [] } } });
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "synchronize"));
    const done = writes[writes.length - 1]!;
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("docs@example.com could not be resolved to a GitHub account");
  });
});

describe("item 4: a clean update-merge is a tree fact", () => {
  const BASE_HEAD = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
  const ON_BASE = "0123456789abcdef0123456789abcdef01234567";
  const OTHER = "89abcdef0123456789abcdef0123456789abcdef";
  const MERGE = HEAD;

  /** Compares as GitHub answers them, keyed by "base...head". */
  function mockCompares(scope: nock.Scope, answers: Record<string, Array<Record<string, unknown>>>) {
    scope
      .get(/\/repos\/Codertocat\/Hello-World\/compare\/.+/)
      .query(true)
      .times(10)
      .optionally()
      .reply(200, (uri) => {
        const basehead = decodeURIComponent(uri.split("/compare/")[1]!.split("?")[0]!);
        const onBase = basehead.startsWith(`${ON_BASE}...`) && (basehead.endsWith("...main") || basehead.endsWith(`...${BASE_HEAD}`));
        const files = onBase ? [] : (answers[basehead] ?? []);
        return { status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1, files: files.map((f) => ({ additions: 1, deletions: 0, changes: 1, blob_url: "", raw_url: "", contents_url: "", ...f })), commits: [] };
      });
  }

  const scenario = (parents: string[]): Scenario => ({
    ...base,
    commits: [
      { sha: OLDER, author: "Codertocat", parents: [BASE_HEAD] },
      { sha: MERGE, author: "Codertocat", parents },
    ],
    reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: OLDER }],
    repoConfig: "controls:\n  ci.passing: { mode: off }\n",
  });

  async function run(s: Scenario, answers: Record<string, Array<Record<string, unknown>>>) {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, s, reviewer);
    mockCompares(scope, answers);
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "synchronize"));
    return writes[writes.length - 1]!;
  }

  it("does not keep an approval across a merge that slips in a line starting with ++ (the patch parser dropped it)", async () => {
    const base = { filename: "src/app.ts", status: "modified", sha: "1111111111111111111111111111111111111111", patch: "@@ -1 +1,2 @@\n a\n+b" };
    const merged = { filename: "src/app.ts", status: "modified", sha: "2222222222222222222222222222222222222222", patch: "@@ -1 +1,3 @@\n a\n+b\n+++ evil()" };
    const done = await run(scenario([OLDER, ON_BASE]), { [`${OLDER}...${ON_BASE}`]: [base], [`${OLDER}...${MERGE}`]: [merged] });
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("is not a clean update-merge: the merge's src/app.ts is not the base side's");
  });

  it("does not keep an approval across a merge that changes a binary file differently from the base (no patch to compare)", async () => {
    const base = { filename: "bin/tool", status: "modified", sha: "1111111111111111111111111111111111111111" };
    const merged = { filename: "bin/tool", status: "modified", sha: "3333333333333333333333333333333333333333" };
    const done = await run(scenario([OLDER, ON_BASE]), { [`${OLDER}...${ON_BASE}`]: [base], [`${OLDER}...${MERGE}`]: [merged] });
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("bin/tool is not the base side's");
  });

  it("never keeps an approval across an octopus merge (GitHub lists only two of its parents)", async () => {
    const base = { filename: "README.md", status: "modified", sha: "1111111111111111111111111111111111111111", patch: "@@ -1 +1,2 @@\n a\n+b" };
    const done = await run(scenario([OLDER, ON_BASE, OTHER]), { [`${OLDER}...${ON_BASE}`]: [base], [`${OLDER}...${MERGE}`]: [base] });
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("an octopus merge (3 parents) is never a clean update-merge");
  });

  it("keeps an approval across a merge whose tree is exactly the base side's change", async () => {
    const base = { filename: "README.md", status: "modified", sha: "1111111111111111111111111111111111111111", patch: "@@ -1 +1,2 @@\n a\n+b" };
    const done = await run(scenario([OLDER, ON_BASE]), { [`${OLDER}...${ON_BASE}`]: [base], [`${OLDER}...${MERGE}`]: [base] });
    expect(done.conclusion).toBe("success");
  });
});

describe("item 10: who pushed counts", () => {
  it("treats the sender of a synchronize as a contributor: a reviewer who pushes under the author's identity cannot approve", async () => {
    const scenario: Scenario = {
      ...base,
      commits: [{ sha: OLDER, author: "Codertocat" }, { sha: HEAD, author: "Codertocat" }],
      reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }],
    };
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, scenario, reviewer);
    const writes = recordCheckRuns(scope);
    const push = webhookPayload("pull_request", "synchronize");
    Object.assign(push, { before: OLDER, after: HEAD, sender: { ...(push.sender as object), login: "octo-reviewer" } });
    await app.receive("pull_request", push);
    const done = writes[writes.length - 1]!;
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("@octo-reviewer's approval does not count: pushed commits to this pull request");
    // Recorded where only the app can write: our own check run on the pushed head.
    expect(writes.map((w) => w.external_id).filter(Boolean)).toContain(`soc2-guard/1 push=octo-reviewer:${OLDER}`);

  });

  it("treats a Co-authored-by trailer whose email maps to an account as a contributor", async () => {
    const scenario: Scenario = {
      ...base,
      commits: [{ sha: HEAD, author: "Codertocat", coAuthors: [{ email: "reviewer@example.com", login: "octo-reviewer" }] }],
      reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }],
    };
    const { done } = await evaluateScenario(scenario, reviewer, "opened");
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("@octo-reviewer's approval does not count: pushed commits to this pull request");
  });

  it("says so when the pusher of a commit cannot be known", async () => {
    const scenario: Scenario = { ...base, repoConfig: "controls:\n  ci.passing: { mode: off }\n", reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }] };
    const { done } = await evaluateScenario(scenario, reviewer, "opened");
    expect(done.output!.summary).toContain("who pushed 1 commit is not known (ec26c3e)");
  });
});

describe("item 11: emergencies are declared by someone else, for a commit", () => {
  const orgConfig = "exceptions: { label: emergency-change, allowed: [Codertocat, octo-lead] }\ncontrols:\n  ci.passing: { mode: off }\n";
  const labelled = (by: string) => {
    const payload = webhookPayload("pull_request", "labeled");
    Object.assign(payload, { label: { ...(payload.label as object), name: "emergency-change" }, sender: { ...(payload.sender as object), login: by } });
    return payload;
  };

  it("refuses an emergency the PR's author declares, even when the author is allowed to declare", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, { ...base, orgConfig, labels: [{ name: "emergency-change", addedBy: "Codertocat" }] }, { permissions: { Codertocat: "admin" } });
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", labelled("Codertocat"));
    const done = writes[writes.length - 1]!;
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("@Codertocat is the author of or a contributor to this pull request");
  });

  it("covers the head at the time of the label only: a later push ends it until an allowed person labels again", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    const labelledScenario: Scenario = { ...base, orgConfig, labels: [{ name: "emergency-change", addedBy: "octo-lead" }] };
    mockEvaluationReads(scope, labelledScenario, { permissions: { "octo-lead": "write" } });
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", labelled("octo-lead"));
    expect(writes[writes.length - 1]!.conclusion).toBe("success");
    expect(writes.map((w) => w.external_id)).toContain("soc2-guard/1 exception=octo-lead");

    // A push after the label: the label is still on the PR, but the new head was never declared.
    const NEXT = "1111111111111111111111111111111111111111";
    const pushed: Scenario = {
      ...labelledScenario,
      commits: [{ sha: HEAD, author: "Codertocat", ownRecord: "soc2-guard/1 exception=octo-lead" }, { sha: NEXT, author: "Codertocat" }],
    };
    mockEvaluationReads(scope, pushed, { permissions: { "octo-lead": "write" } });
    const push = webhookPayload("pull_request", "synchronize");
    Object.assign(push, { before: HEAD, after: NEXT });
    ((push.pull_request as { head: { sha: string } }).head).sha = NEXT;
    await app.receive("pull_request", push);
    const done = writes[writes.length - 1]!;
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("the label was not added while 1111111 was the head");
  });
});
