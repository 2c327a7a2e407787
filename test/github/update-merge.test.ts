import { describe, expect, it } from "vitest";
import { classifyMergeCommit, COMPARE_MAX_FILES, treeFact, type CompareFile, type UpdateMergeCache } from "../../src/github/facts/update-merge.js";
import type { GitHubClient } from "../../src/github/transport/client.js";

const mod = (filename: string, sha: string, extra: Partial<CompareFile> & { patch?: string } = {}): CompareFile => ({ filename, status: "modified", sha, ...extra });
const many = (n: number) => Array.from({ length: n }, (_, i) => mod(`f${i}`, `s${i}`));

describe("a clean update-merge is a tree fact, per path by blob id", () => {
  it.each([
    { name: "the merge brings exactly the base side's blobs", ours: [mod("src/a.ts", "a1")], theirs: [mod("README.md", "r2")], merged: [mod("README.md", "r2")], clean: true },
    { name: "both sides changed a path to the same blob", ours: [mod("x", "x2")], theirs: [mod("x", "x2"), mod("y", "y2")], merged: [mod("y", "y2")], clean: true },
    {
      name: "a line starting with ++ slipped into the merge (the old patch parser dropped it)",
      ours: [],
      theirs: [mod("src/app.ts", "base-blob", { patch: "@@ -1 +1,2 @@\n a\n+b" })],
      merged: [mod("src/app.ts", "evil-blob", { patch: "@@ -1 +1,3 @@\n a\n+b\n+++evil" })],
      clean: false,
      reason: /the merge's src\/app.ts is not the base side's/,
    },
    { name: "a binary file without a patch, changed differently", ours: [], theirs: [mod("bin/tool", "b1")], merged: [mod("bin/tool", "b-evil")], clean: false },
    { name: "an extra file the base side never changed", ours: [], theirs: [mod("a", "a2")], merged: [mod("a", "a2"), mod("b", "b9")], clean: false, reason: /changes b, which the base side did not change/ },
    { name: "a base-side change left out", ours: [], theirs: [mod("a", "a2"), mod("b", "b2")], merged: [mod("a", "a2")], clean: false, reason: /leaves out the base side's change to b/ },
    {
      name: "a path changed on both sides to different blobs (a content merge that blob ids cannot prove)",
      ours: [mod("x", "x-pr")],
      theirs: [mod("x", "x-base")],
      merged: [mod("x", "x-merged")],
      clean: false,
      reason: /x changed on both sides/,
    },
    { name: "a deletion on the base side, deleted by the merge", ours: [], theirs: [{ filename: "old", status: "removed", sha: "o1" }], merged: [{ filename: "old", status: "removed", sha: "o1" }], clean: true },
    {
      name: "a rename on the base side frees the old path in the merge too",
      ours: [],
      theirs: [{ filename: "new", status: "renamed", sha: "n1", previous_filename: "old" }],
      merged: [{ filename: "new", status: "renamed", sha: "n1", previous_filename: "old" }],
      clean: true,
    },
    { name: "a compare at GitHub's 300-file limit (it may hold more)", ours: [], theirs: many(COMPARE_MAX_FILES), merged: many(COMPARE_MAX_FILES), clean: false, reason: /300 files, GitHub's limit/ },
  ])("$name", ({ ours, theirs, merged, clean, reason }) => {
    const fact = treeFact(ours, theirs, merged);
    expect(fact.kind).toBe(clean ? "clean-update-merge" : "other-merge");
    if (reason) expect(fact.reason).toMatch(reason);
  });
});

/** A GitHub client that answers compares from a table and records them. */
function fakeCompares(answers: Record<string, { status: string; files: CompareFile[] }>) {
  const asked: string[] = [];
  const gh = {
    request: async (_route: string, params: { owner: string; repo: string; basehead: string }) => {
      asked.push(`${params.owner}/${params.repo}:${params.basehead}`);
      const answer = answers[params.basehead];
      if (!answer) throw Object.assign(new Error("Not Found"), { status: 404 });
      return { data: answer };
    },
  } as unknown as GitHubClient;
  return { gh, asked };
}

describe("classifying a merge commit", () => {
  const answers = {
    "p2...base1": { status: "ahead", files: [] },
    "p2...p1": { status: "ahead", files: [] },
    "p1...p2": { status: "ahead", files: [mod("README.md", "r2")] },
    "p1...m": { status: "ahead", files: [mod("README.md", "r2")] },
  };
  const merge = (owner: string) => ({ repo: { owner, repo: "api" }, sha: "m", parents: ["p1", "p2"], base: { branch: "main", sha: "base1" } });

  it("never classifies an octopus merge as clean, even when GitHub listed only two parents", async () => {
    const { gh, asked } = fakeCompares(answers);
    const result = await classifyMergeCommit(gh, { ...merge("acme"), parentCount: 3 }, new Map());
    expect(result).toEqual({ kind: "other-merge", reason: "an octopus merge (3 parents) is never a clean update-merge" });
    expect(asked).toEqual([]);
  });

  it("keys the cache by repository, merge commit and base: another repository's answer is never reused", async () => {
    const cache: UpdateMergeCache = new Map();
    const first = fakeCompares(answers);
    expect((await classifyMergeCommit(first.gh, merge("acme"), cache)).kind).toBe("clean-update-merge");
    expect((await classifyMergeCommit(first.gh, merge("acme"), cache)).kind).toBe("clean-update-merge");
    expect(first.asked).toHaveLength(4);
    // The same SHA in a fork whose base side is not on its base branch.
    const fork = fakeCompares({ ...answers, "p2...base1": { status: "diverged", files: [] } });
    expect((await classifyMergeCommit(fork.gh, merge("fork-owner"), cache)).kind).toBe("other-merge");
    expect(fork.asked.length).toBeGreaterThan(0);
    expect(fork.asked.every((a) => a.startsWith("fork-owner/api:"))).toBe(true);
    // A new base head asks again whether the base side is on it.
    const moved = await classifyMergeCommit(fakeCompares({ ...answers, "p2...base2": { status: "diverged", files: [] } }).gh, { ...merge("acme"), base: { branch: "main", sha: "base2" } }, cache);
    expect(moved).toEqual({ kind: "other-merge", reason: "its second parent p2 is not on main" });
  });
});
