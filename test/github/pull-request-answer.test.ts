import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { codeOwnersBlob, decodeBlob, decodeChecks, decodeLabels, decodeReviews, type FactsQueryResult } from "../../src/github/facts/pull-request-answer.js";

const answer = JSON.parse(readFileSync(new URL("./fixtures/pull-request-facts.answer.json", import.meta.url), "utf8")) as FactsQueryResult;
const pr = answer.repository!.pullRequest!;

describe("the pull-request facts answer, decoded", () => {
  it("keeps submitted reviews only (a pending draft has no submission time)", () => {
    expect(decodeReviews(pr.reviews.nodes)).toEqual([
      { id: 80, author: { login: "alice", type: "User" }, state: "APPROVED", commitId: pr.headRefOid, submittedAt: "2026-11-01T11:00:00Z" },
    ]);
  });

  it("names the person who added a label last", () => {
    expect(decodeLabels(pr)).toEqual([{ name: "emergency-change", addedBy: "bob", addedAt: "2026-11-01T10:00:00Z" }]);
  });

  it("sets our own run apart and keeps each check's app id; statuses have no app", () => {
    const commit = pr.head.nodes[0]!.commit;
    const { checks, ownCheckRun } = decodeChecks(commit.checkSuites!.nodes, commit.status!.contexts, "soc2-guard");
    expect(ownCheckRun).toEqual({ id: 555, status: "in_progress" });
    expect(checks).toEqual([
      expect.objectContaining({ kind: "check", name: "build", app: "github-actions", appId: 15368, status: "completed", conclusion: "success" }),
      expect.objectContaining({ kind: "status", name: "ci/jenkins", app: null, appId: null, status: "pending", conclusion: null }),
    ]);
  });

  it("reports a truncated CODEOWNERS by its blob id so it is read whole, never used in part", () => {
    expect(codeOwnersBlob(pr.baseRef!.target)).toEqual({ path: "CODEOWNERS", blob: { kind: "truncated", oid: "9c0a3a6b1f1e4c0e8f7b3d2a1c0b9a8f7e6d5c4b", byteSize: 4200000 } });
    expect(decodeBlob(answer.repository!.defaultBranchRef!.target!.config)).toEqual({ kind: "text", text: "controls:\n  ci.passing: { checks: [build] }\n" });
    expect(decodeBlob(null)).toEqual({ kind: "absent" });
  });
});
