import { describe, expect, it } from "vitest";
import { membersFromQueue } from "../../src/github/check-run/merge-queue-members.js";

const HEAD = "a".repeat(40);
const queue = (nodes: Array<{ position: number; oid: string; number: number | null }>, totalCount = nodes.length) => ({
  repository: { mergeQueue: { entries: { totalCount, nodes: nodes.map((n) => ({ position: n.position, headCommit: { oid: n.oid }, pullRequest: n.number === null ? null : { number: n.number } })) } } },
});

describe("merge group members", () => {
  it("are the group's own entry and every entry ahead of it, whatever order GitHub lists them in", () => {
    const answer = queue([{ position: 3, oid: "c".repeat(40), number: 9 }, { position: 2, oid: HEAD, number: 7 }, { position: 1, oid: "b".repeat(40), number: 5 }]);
    expect(membersFromQueue(answer, HEAD, [7])).toEqual({ ok: true, numbers: [5, 7] });
  });

  it("are unknown when the group is past the first page, gone, or an entry ahead names no pull request", () => {
    expect(membersFromQueue(queue([{ position: 1, oid: "b".repeat(40), number: 5 }], 250), HEAD, [7])).toMatchObject({ ok: false, problem: expect.stringContaining("holds 250 entries") });
    expect(membersFromQueue(queue([]), HEAD, [7])).toMatchObject({ ok: false, problem: expect.stringContaining("no longer lists this group") });
    expect(membersFromQueue(queue([{ position: 1, oid: "b".repeat(40), number: null }, { position: 2, oid: HEAD, number: 7 }]), HEAD, [7])).toMatchObject({ ok: false, problem: expect.stringContaining("names no pull request") });
    expect(membersFromQueue({ repository: { mergeQueue: null } }, HEAD, [7])).toMatchObject({ ok: false });
  });
});
