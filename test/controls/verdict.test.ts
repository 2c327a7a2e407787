import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/verdict/evaluate.js";
import { resolveConfig } from "../../src/config/resolve.js";
import { SUMMARY_LIMIT_BYTES } from "../../src/verdict/summary.js";
import { decideVerdict } from "../../src/verdict/verdict.js";
import { commit, env, makeFacts, review } from "../helpers/facts.js";
import type { ControlResult } from "../../src/controls/types.js";

const defaults = resolveConfig([]);
const withFile = (text: string) => resolveConfig([{ source: "acme/.github", file: ".github/soc2-guard.yml", text, isOrgLayer: true }]);
const build = { kind: "check" as const, name: "build", app: "github-actions", appId: 15368, status: "completed" as const, conclusion: "success" as const, completedAt: "2026-11-01T10:00:00Z", url: null };
const approved = () => makeFacts({ pr: { reviews: [review("alice", "APPROVED", 1)] }, checks: [build] });

describe("verdict", () => {
  it("succeeds when every enforced control passes, one row per control", () => {
    const v = evaluate(approved(), defaults, env, "ev-1");
    expect(v.conclusion).toBe("success");
    expect(v.status).toBe("completed");
    expect(v.summary).toContain("| ✅ | `review.approval` | enforce |");
    expect(v.summary).toContain("evaluation `ev-1`");
    expect(v.summary.match(/^\| [✅❌⏳➖⚠️]+ \| `/gmu)).toHaveLength(7);
  });

  it("fails when an enforced control fails, with the fix in the row", () => {
    const v = evaluate(makeFacts(), defaults, env, "ev-2");
    expect(v.conclusion).toBe("failure");
    expect(v.title).toBe("1 blocking problem: review.approval");
    expect(v.summary).toMatch(/\| ❌ \| `review.approval` \| enforce \| 0 of 1 required .* \| Ask 1 more reviewer/);
  });

  it("does not block on advisory failures", () => {
    const v = evaluate(makeFacts({ pr: { title: "no ticket", body: "", headRef: "x", reviews: [review("alice", "APPROVED", 1)] }, checks: [build] }), defaults, env, "e");
    expect(v.conclusion).toBe("success");
    expect(v.title).toBe("All enforced controls pass (1 advisory warning)");
    expect(v.summary).toContain("| ⚠️ | `change.ticket` | advisory |");
  });

  it("stays in progress while an enforced check is pending", () => {
    const facts = approved();
    facts.checks = [{ kind: "check", name: "build", app: "github-actions", status: "in_progress", conclusion: null, completedAt: null, url: null }];
    const v = evaluate(facts, defaults, env, "e");
    expect(v.status).toBe("in_progress");
    expect(v.conclusion).toBeNull();
  });

  it("passes an authorised emergency change with a warning, and records the exception", () => {
    const config = withFile("exceptions: { label: emergency-change, allowed: [team:sre-leads] }\n");
    const facts = makeFacts({
      pr: { body: "Emergency: payment outage INC-9", labels: [{ name: "emergency-change", addedBy: "bob", addedAt: "2026-11-01T10:00:00Z" }] },
      access: { permissions: {}, teams: { "sre-leads": ["bob"] } },
    });
    const v = evaluate(facts, config, env, "e");
    expect(v.conclusion).toBe("success");
    expect(v.exceptionApplied).toBe(true);
    expect(v.exception).toMatchObject({ declaredBy: "bob", reason: "payment outage INC-9", reviewDueAt: "2026-11-03T10:00:00.000Z" });
    expect(v.summary).toContain("**Emergency change** declared by @bob");
    expect(v.summary).toContain("| ❌ | `review.approval`");
  });

  it("ignores an emergency label added by someone not allowed", () => {
    const config = withFile("exceptions: { allowed: [team:sre-leads] }\n");
    const facts = makeFacts({ pr: { labels: [{ name: "emergency-change", addedBy: "octocat", addedAt: null }] }, access: { permissions: {}, teams: { "sre-leads": ["bob"] } } });
    const v = evaluate(facts, config, env, "e");
    expect(v.conclusion).toBe("failure");
    expect(v.summary).toContain("who is not allowed to declare emergency changes");
  });

  it("fails on a broken config, annotating the file line, with the safe defaults in force", () => {
    const broken = resolveConfig([{ source: "acme/api", file: ".github/soc2-guard.yml", text: "controls:\n  review.approval:\n    approvals: -1\n", isOrgLayer: false }]);
    const v = evaluate(approved(), broken, env, "e");
    expect(v.conclusion).toBe("failure");
    expect(v.title).toBe("1 blocking problem: config");
    expect(v.annotations[0]).toMatchObject({ path: ".github/soc2-guard.yml", startLine: 3, level: "failure" });
    expect(v.annotations[0]!.message).toMatch(/^controls.review.approval.approvals: must be >= 0/);
    expect(v.summary).toContain("| ✅ | `review.approval`");
  });

  it("keeps the summary under GitHub's limit, keeping every control row", () => {
    const huge: ControlResult = {
      id: "review.approval", criteria: ["CC8.1"], mode: "enforce", status: "fail", reason: "many", fix: "fix",
      findings: Array.from({ length: 5000 }, (_, i) => ({ message: `finding number ${i} ${"x".repeat(40)}`, path: `src/file${i}.ts`, line: i })),
      annotations: [],
    };
    const v = decideVerdict({ results: [huge], exception: evaluate(approved(), defaults, env, "e").exception, configProblems: [], configSources: ["x"], configHash: "0".repeat(64), headSha: "a".repeat(40), evaluationId: "e" });
    expect(Buffer.byteLength(v.summary)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(v.summary).toContain("| ❌ | `review.approval`");
    expect(v.summary).toContain("more findings omitted");
    expect(v.summary).toContain("evaluation `e`");
  });

  it("never concludes neutral or skipped for a violation", () => {
    const facts = makeFacts({ pr: { commits: [commit(1, "octocat")] } });
    for (const mode of ["enforce", "advisory", "off"] as const) {
      const v = evaluate(facts, withFile(`controls: { review.approval: { mode: ${mode} } }\n`), env, "e");
      expect(["success", "failure", null]).toContain(v.conclusion);
    }
  });
});
