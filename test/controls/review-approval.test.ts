import { describe, expect, it } from "vitest";
import { reviewApproval } from "../../src/controls/review-approval.js";
import { commit, configWith, env, makeFacts, review, sha } from "../helpers/facts.js";
import type { Config } from "../../src/config/types.js";
import type { Facts } from "../../src/facts.js";

const evaluate = (facts: Facts, config: Config = configWith(() => {})) => reviewApproval.evaluate(facts, config, env);

describe("review.approval", () => {
  it("passes with one fresh approval from an independent writer", () => {
    const result = evaluate(makeFacts({ pr: { reviews: [review("alice", "APPROVED", 1)] } }));
    expect(result.status).toBe("pass");
    expect(result.reason).toContain("@alice");
  });

  it("fails with no approvals and says exactly what to do", () => {
    const result = evaluate(makeFacts());
    expect(result.status).toBe("fail");
    expect(result.reason).toBe("0 of 1 required independent approval on the head commit");
    expect(result.fix).toMatch(/^Ask 1 more reviewer with write access who did not author or push to this PR to approve aaaaaaa/);
  });

  it("never counts the author's own approval", () => {
    const result = evaluate(makeFacts({ pr: { reviews: [review("octocat", "APPROVED", 1)] } }));
    expect(result.status).toBe("fail");
    expect(result.findings[0]!.message).toBe("@octocat's approval does not count: is the author of the pull request");
  });

  it("does not count a reviewer who pushed commits, unless allowContributors", () => {
    const facts = makeFacts({ pr: { commits: [commit(1, "octocat"), commit(2, "alice")], reviews: [review("alice", "APPROVED", 2)] } });
    expect(evaluate(facts).status).toBe("fail");
    expect(evaluate(facts).findings[0]!.message).toMatch(/pushed commits to this pull request/);
    expect(evaluate(facts, configWith((c) => (c.controls["review.approval"].allowContributors = true))).status).toBe("pass");
  });

  it("counts a committer as a contributor too, but not GitHub's web-flow committer", () => {
    const byCommitter = makeFacts({
      pr: { commits: [commit(1, "octocat", { committerLogin: "alice" })], reviews: [review("alice", "APPROVED", 1)] },
    });
    expect(evaluate(byCommitter).status).toBe("fail");
    const webFlow = makeFacts({
      pr: { commits: [commit(1, "octocat", { committerLogin: "web-flow" })], reviews: [review("alice", "APPROVED", 1)] },
    });
    expect(evaluate(webFlow).status).toBe("pass");
  });

  it("lets a later 'changes requested' cancel an earlier approval", () => {
    const result = evaluate(makeFacts({ pr: { reviews: [review("alice", "APPROVED", 1), review("alice", "CHANGES_REQUESTED", 1)] } }));
    expect(result.status).toBe("fail");
  });

  it("ignores COMMENTED reviews: a comment after an approval does not withdraw it", () => {
    const result = evaluate(makeFacts({ pr: { reviews: [review("alice", "APPROVED", 1), review("alice", "COMMENTED", 1)] } }));
    expect(result.status).toBe("pass");
  });

  it("lets a dismissal cancel an approval", () => {
    const result = evaluate(makeFacts({ pr: { reviews: [review("alice", "DISMISSED", 1)] } }));
    expect(result.status).toBe("fail");
  });

  it("never revives an older approval when the newer one is dismissed", () => {
    // GitHub marks only the dismissed review DISMISSED; the older one still reads APPROVED.
    const result = evaluate(makeFacts({ pr: { reviews: [review("alice", "APPROVED", 1), review("alice", "DISMISSED", 1)] } }));
    expect(result.status).toBe("fail");
  });

  it("makes an approval stale when non-merge commits are pushed after it", () => {
    const facts = makeFacts({ pr: { commits: [commit(1, "octocat"), commit(2, "octocat")], reviews: [review("alice", "APPROVED", 1)] } });
    const result = evaluate(facts);
    expect(result.status).toBe("fail");
    expect(result.findings[0]!.message).toBe(`@alice's approval does not count: approved aaaaaaa; 1 commit pushed since (${sha(2).slice(0, 7)})`);
    expect(result.fix).toMatch(/re-approve the latest commit/);
  });

  it("keeps an approval fresh across a clean update-merge from the base branch (configurable)", () => {
    const merge = commit(2, "octocat", { parents: [sha(1), sha(99)], updateMerge: "clean-update-merge" });
    const facts = makeFacts({ pr: { commits: [commit(1, "octocat"), merge], reviews: [review("alice", "APPROVED", 1)] } });
    expect(evaluate(facts).status).toBe("pass");
    expect(evaluate(facts, configWith((c) => (c.controls["review.approval"].allowUpdateMerges = false))).status).toBe("fail");
  });

  it("treats a merge that also changes code as an ordinary push", () => {
    const merge = commit(2, "octocat", { parents: [sha(1), sha(99)], updateMerge: "other-merge" });
    const facts = makeFacts({ pr: { commits: [commit(1, "octocat"), merge], reviews: [review("alice", "APPROVED", 1)] } });
    expect(evaluate(facts).status).toBe("fail");
  });

  it("does not make the person who clicked 'Update branch' a contributor", () => {
    const merge = commit(2, "alice", { parents: [sha(1), sha(99)], updateMerge: "clean-update-merge" });
    const facts = makeFacts({ pr: { commits: [commit(1, "octocat"), merge], reviews: [review("alice", "APPROVED", 2)] } });
    expect(evaluate(facts).status).toBe("pass");
  });

  it("makes an approval stale when a force push drops the reviewed commit", () => {
    // The branch was rewritten: commit 1 is gone, commit 5 replaced it.
    const facts = makeFacts({ pr: { commits: [commit(5, "octocat")], reviews: [review("alice", "APPROVED", 1)] } });
    const result = evaluate(facts);
    expect(result.status).toBe("fail");
    expect(result.findings[0]!.message).toMatch(/no longer on the branch \(force-pushed away\)/);
  });

  it("does not count a reviewer who no longer has write access", () => {
    const result = evaluate(makeFacts({ pr: { reviews: [review("dave", "APPROVED", 1)] } }));
    expect(result.status).toBe("fail");
    expect(result.findings[0]!.message).toMatch(/no longer has write access \(permission: read\)/);
  });

  it("does not count a reviewer whose access could not be verified", () => {
    const result = evaluate(makeFacts({ pr: { reviews: [review("mallory", "APPROVED", 1)] } }));
    expect(result.status).toBe("fail");
    expect(result.findings[0]!.message).toMatch(/write access could not be verified/);
  });

  it("does not count bot approvals unless allowBots", () => {
    const facts = makeFacts({ pr: { reviews: [review("renovate[bot]", "APPROVED", 1)] } });
    expect(evaluate(facts).status).toBe("fail");
    expect(evaluate(facts, configWith((c) => (c.controls["review.approval"].allowBots = true))).status).toBe("pass");
  });

  it("raises the count for paths that match a path rule", () => {
    const config = configWith((c) => (c.controls["review.approval"].paths = [{ pattern: "infra/**", approvals: 2, teams: [], users: [] }]));
    const reviews = [review("alice", "APPROVED", 1)];
    expect(evaluate(makeFacts({ pr: { reviews, changedPaths: ["src/a.ts"] } }), config).status).toBe("pass");
    const infra = evaluate(makeFacts({ pr: { reviews, changedPaths: ["infra/prod/main.tf"] } }), config);
    expect(infra.status).toBe("fail");
    expect(infra.reason).toMatch(/1 of 2 required/);
    const two = evaluate(makeFacts({ pr: { reviews: [...reviews, review("bob", "APPROVED", 1)], changedPaths: ["infra/prod/main.tf"] } }), config);
    expect(two.status).toBe("pass");
  });

  it("requires a team or user named by a path rule", () => {
    const config = configWith((c) => (c.controls["review.approval"].paths = [{ pattern: "infra/**", teams: ["platform"], users: ["carol"] }]));
    const base = { changedPaths: ["infra/main.tf"] };
    const access = { permissions: { alice: "write", bob: "write", carol: "write" } as const, teams: { platform: ["bob"] } };
    const alice = evaluate(makeFacts({ pr: { ...base, reviews: [review("alice", "APPROVED", 1)] }, access }), config);
    expect(alice.status).toBe("fail");
    expect(alice.reason).toMatch(/infra\/\*\* \(1 file\) needs an approval from team:platform or carol/);
    expect(evaluate(makeFacts({ pr: { ...base, reviews: [review("bob", "APPROVED", 1)] }, access }), config).status).toBe("pass");
    expect(evaluate(makeFacts({ pr: { ...base, reviews: [review("carol", "APPROVED", 1)] }, access }), config).status).toBe("pass");
  });

  it("requires a code owner's approval when requireCodeOwners", () => {
    const config = configWith((c) => (c.controls["review.approval"].requireCodeOwners = true));
    const codeOwners = { path: ".github/CODEOWNERS", text: "* @alice\n/db/ @acme/dba\n" };
    const access = { permissions: { alice: "write", bob: "write" } as const, teams: { dba: ["bob"] } };
    const dbChange = { changedPaths: ["db/migrations/001.sql", "src/app.ts"] };
    const onlyAlice = evaluate(makeFacts({ pr: { ...dbChange, reviews: [review("alice", "APPROVED", 1)] }, codeOwners, access }), config);
    expect(onlyAlice.status).toBe("fail");
    expect(onlyAlice.reason).toMatch(/code owners @acme\/dba have not approved 1 file \(db\/migrations\/001.sql\)/);
    const both = evaluate(
      makeFacts({ pr: { ...dbChange, reviews: [review("alice", "APPROVED", 1), review("bob", "APPROVED", 1)] }, codeOwners, access }),
      config,
    );
    expect(both.status).toBe("pass");
  });

  it("fails requireCodeOwners when the base branch has no CODEOWNERS", () => {
    const config = configWith((c) => (c.controls["review.approval"].requireCodeOwners = true));
    const result = evaluate(makeFacts({ pr: { reviews: [review("alice", "APPROVED", 1)] } }), config);
    expect(result.status).toBe("fail");
    expect(result.reason).toMatch(/no CODEOWNERS file/);
  });

  it("is skipped when off", () => {
    expect(evaluate(makeFacts(), configWith((c) => (c.controls["review.approval"].mode = "off"))).status).toBe("skipped");
  });

  it("records every approval with the commit it covered, for evidence", () => {
    const facts = makeFacts({ pr: { commits: [commit(1, "octocat"), commit(2, "octocat")], reviews: [review("alice", "APPROVED", 1), review("bob", "APPROVED", 2)] } });
    const details = evaluate(facts).details as { approvals: Array<{ login: string; commitId: string; counted: boolean; fresh: boolean }> };
    expect(details.approvals.map(({ login, commitId, counted, fresh }) => ({ login, commitId, counted, fresh }))).toEqual([
      { login: "alice", commitId: sha(1), counted: false, fresh: false },
      { login: "bob", commitId: sha(2), counted: true, fresh: true },
    ]);
  });
});

describe("review.approval on the commit graph (item 3)", () => {
  const root = sha(0);
  it.each([
    {
      name: "a back-dated commit listed before the approved one makes the approval stale",
      commits: [commit(2, "octocat", { parents: [sha(1)] }), commit(1, "octocat", { parents: [root] })],
      head: 2,
      fresh: false,
    },
    {
      name: "an approved head listed first is still the head",
      commits: [commit(2, "octocat", { parents: [sha(1)] }), commit(1, "octocat", { parents: [root] })],
      head: 2,
      approved: 2,
      fresh: true,
    },
    {
      name: "an approval on a commit that is not an ancestor of the head is stale",
      commits: [commit(1, "octocat", { parents: [root] }), commit(2, "octocat", { parents: [root] })],
      head: 2,
      fresh: false,
    },
    {
      name: "a clean update-merge whose PR side is the approved commit keeps it",
      commits: [commit(1, "octocat", { parents: [root] }), commit(3, "octocat", { parents: [sha(1), sha(99)], updateMerge: "clean-update-merge" })],
      head: 3,
      fresh: true,
    },
    {
      name: "a 'clean' merge that reaches the approved commit only through its second parent does not keep it",
      commits: [commit(1, "octocat", { parents: [root] }), commit(2, "octocat", { parents: [root] }), commit(3, "octocat", { parents: [sha(2), sha(1)], updateMerge: "clean-update-merge" })],
      head: 3,
      fresh: false,
    },
  ])("$name", ({ commits, head, approved, fresh }) => {
    const facts = makeFacts({ pr: { commits, headSha: sha(head), reviews: [review("alice", "APPROVED", approved ?? 1)] } });
    expect(evaluate(facts).status).toBe(fresh ? "pass" : "fail");
  });
});

describe("review.approval sees both sides of a rename and deleted paths (item 5)", () => {
  const config = configWith((c) => (c.controls["review.approval"].paths = [{ pattern: "infra/**", approvals: 2, teams: [], users: [] }]));
  const reviews = [review("alice", "APPROVED", 1)];
  it.each([
    { name: "a file moved out of infra/ still needs the infra approvals", changedPaths: ["attic/prod.tf"], previousPaths: ["infra/prod.tf"] },
    { name: "a deleted infra file still needs the infra approvals", changedPaths: ["infra/prod.tf"], previousPaths: undefined },
  ])("$name", ({ changedPaths, previousPaths }) => {
    const result = evaluate(makeFacts({ pr: { reviews, changedPaths, ...(previousPaths ? { previousPaths } : {}) } }), config);
    expect(result.status).toBe("fail");
    expect(result.reason).toMatch(/1 of 2 required/);
  });

  it("fails closed when GitHub did not list a renamed file's old path", () => {
    const result = evaluate(makeFacts({ pr: { reviews, changedPaths: ["attic/prod.tf"], previousPaths: null } }), config);
    expect(result.status).toBe("fail");
    expect(result.reason).toMatch(/renames files whose old paths GitHub did not list/);
  });

  it("makes CODEOWNERS of the old path approve a rename", () => {
    const owners = configWith((c) => (c.controls["review.approval"].requireCodeOwners = true));
    const codeOwners = { path: ".github/CODEOWNERS", text: "/infra/ @bob\n" };
    const result = evaluate(makeFacts({ pr: { reviews, changedPaths: ["attic/prod.tf"], previousPaths: ["infra/prod.tf"] }, codeOwners }), owners);
    expect(result.status).toBe("fail");
    expect(result.reason).toContain("code owners @bob have not approved 1 file (infra/prod.tf)");
  });
});

describe("review.approval counts pushers read back from our check-run records (item 10)", () => {
  it("does not count a reviewer recorded as the pusher of a commit authored by someone else", () => {
    const facts = makeFacts({ pr: { commits: [commit(1, "octocat", { pushedBy: ["alice"] })], reviews: [review("alice", "APPROVED", 1)] } });
    expect(evaluate(facts).status).toBe("fail");
    expect(evaluate(facts).findings[0]!.message).toMatch(/pushed commits to this pull request/);
  });
});
