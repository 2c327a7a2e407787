import { describe, expect, it } from "vitest";
import { ciPassing } from "../../src/controls/ci-passing.js";
import { branchProtection } from "../../src/controls/branch-protection.js";
import { changeTicket } from "../../src/controls/change-ticket.js";
import { parseCodeOwners, ownersOf } from "../../src/controls/codeowners.js";
import { configWith, env, makeFacts } from "../helpers/facts.js";
import type { CheckFacts } from "../../src/facts.js";

const check = (name: string, status: CheckFacts["status"], conclusion: CheckFacts["conclusion"] = null, extra: Partial<CheckFacts> = {}): CheckFacts => ({
  kind: "check",
  name,
  app: "github-actions",
  status,
  conclusion,
  completedAt: status === "completed" ? "2026-11-01T10:00:00Z" : null,
  url: null,
  ...extra,
});

describe("ci.passing", () => {
  const withChecks = (checks: string[]) => configWith((c) => (c.controls["ci.passing"].checks = checks));

  it("is pending while a required check runs, then passes when it succeeds", () => {
    const config = withChecks(["build", "test*"]);
    const running = ciPassing.evaluate(makeFacts({ checks: [check("build", "completed", "success"), check("test-unit", "in_progress")] }), config, env);
    expect(running.status).toBe("pending");
    expect(running.reason).toBe("waiting for test-unit");
    const done = ciPassing.evaluate(makeFacts({ checks: [check("build", "completed", "success"), check("test-unit", "completed", "success")] }), config, env);
    expect(done.status).toBe("pass");
  });

  it("waits — never passes — when no check has reported on the head and none is required, and says how to declare no CI", () => {
    const facts = makeFacts({ checks: [] });
    facts.branchRules.requiredStatusChecks = ["soc2-guard"];
    const result = ciPassing.evaluate(facts, configWith(() => {}), env);
    expect(result.status).toBe("pending");
    expect(result.reason).toBe("no check has reported on the head commit yet");
    expect(result.fix).toMatch(/ci\.passing: \{ mode: off \}/);
    expect(ciPassing.evaluate(facts, configWith((c) => (c.controls["ci.passing"].mode = "off")), env).status).toBe("skipped");
  });

  it("meets a check the branch rules pin to an app only with that app's run, never a status or another app's run", () => {
    const facts = (checks: CheckFacts[]) => {
      const f = makeFacts({ checks });
      f.branchRules.requiredStatusChecks = ["build", "soc2-guard"];
      f.branchRules.pinnedChecks = [{ context: "build", appId: 15368 }];
      return f;
    };
    const config = configWith(() => {});
    const status: CheckFacts = { kind: "status", name: "build", app: null, appId: null, status: "completed", conclusion: "success", completedAt: null, url: null };
    expect(ciPassing.evaluate(facts([status]), config, env)).toMatchObject({ status: "pending", reason: "waiting for build (from app #15368)" });
    const impostor = check("build", "completed", "success", { app: "evil-app", appId: 4242 });
    expect(ciPassing.evaluate(facts([impostor]), config, env).status).not.toBe("pass");
    expect(ciPassing.evaluate(facts([check("build", "completed", "success", { appId: 15368 })]), config, env).status).toBe("pass");
  });

  it("says so when the pull request changes its own CI: the checks ran its version", () => {
    const facts = makeFacts({ checks: [check("build", "completed", "success")] });
    facts.pr.changedPaths = ["src/app.ts", ".github/workflows/ci.yml"];
    const result = ciPassing.evaluate(facts, withChecks(["build"]), env);
    expect(result.status).toBe("pass");
    expect(result.reason).toBe("1 configured check passed; this pull request changes its own CI (.github/workflows/ci.yml): the checks ran its version, so the approval of that change is what vouches for them");
    expect(result.details).toMatchObject({ ciDefinitionChanged: [".github/workflows/ci.yml"] });
    facts.pr.changedPaths = ["src/app.ts", "docs/ci.md", "github/workflows.ts"];
    expect(ciPassing.evaluate(facts, withChecks(["build"]), env).reason).toBe("1 configured check passed");
  });

  it("keeps a configured check that has not reported yet pending", () => {
    const result = ciPassing.evaluate(makeFacts({ checks: [] }), withChecks(["build"]), env);
    expect(result.status).toBe("pending");
    expect(result.fix).toMatch(/remove it from ci.passing.checks/);
  });

  it.each(["failure", "cancelled", "timed_out", "action_required", "stale"] as const)("fails on %s", (conclusion) => {
    const result = ciPassing.evaluate(makeFacts({ checks: [check("build", "completed", conclusion)] }), withChecks(["build"]), env);
    expect(result.status).toBe("fail");
    expect(result.reason).toBe(`1 check failed: build (${conclusion})`);
  });

  it.each(["success", "neutral", "skipped"] as const)("passes on %s", (conclusion) => {
    expect(ciPassing.evaluate(makeFacts({ checks: [check("build", "completed", conclusion)] }), withChecks(["build"]), env).status).toBe("pass");
  });

  it("counts only the latest run of a check name", () => {
    const rerun = [check("build", "completed", "failure", { completedAt: "2026-11-01T09:00:00Z" }), check("build", "completed", "success", { completedAt: "2026-11-01T10:00:00Z" })];
    expect(ciPassing.evaluate(makeFacts({ checks: rerun }), withChecks(["build"]), env).status).toBe("pass");
    const rerunning = [check("build", "completed", "success"), check("build", "in_progress")];
    expect(ciPassing.evaluate(makeFacts({ checks: rerunning }), withChecks(["build"]), env).status).toBe("pending");
  });

  it("accepts a check pinned to an app only from that app", () => {
    const config = configWith((c) => (c.controls["ci.passing"].checks = [{ name: "deploy-preview", app: "vercel" }]));
    const impostor = ciPassing.evaluate(makeFacts({ checks: [check("deploy-preview", "completed", "success", { app: "github-actions" })] }), config, env);
    expect(impostor.status).toBe("pending");
    expect(impostor.reason).toBe("waiting for deploy-preview (from vercel)");
    const real = ciPassing.evaluate(makeFacts({ checks: [check("deploy-preview", "completed", "success", { app: "vercel" })] }), config, env);
    expect(real.status).toBe("pass");
  });

  it("with none configured, requires every reported check and status to pass", () => {
    const status: CheckFacts = { kind: "status", name: "ci/jenkins", app: null, status: "completed", conclusion: "failure", completedAt: null, url: null };
    const result = ciPassing.evaluate(makeFacts({ checks: [check("lint", "completed", "success"), status] }), configWith(() => {}), env);
    expect(result.status).toBe("fail");
    expect(result.reason).toContain("ci/jenkins (failure)");
  });

  it("with none configured, waits for the checks the branch rules require", () => {
    const facts = makeFacts({ checks: [check("lint", "completed", "success")] });
    facts.branchRules.requiredStatusChecks = ["e2e"];
    expect(ciPassing.evaluate(facts, configWith(() => {}), env).status).toBe("pending");
  });
});

describe("branch.protection", () => {
  const bar = configWith((c) => (c.controls["branch.protection"].mode = "enforce"));

  it("passes when the effective rules meet the bar", () => {
    const result = branchProtection.evaluate(makeFacts(), bar, env);
    expect(result.status).toBe("pass");
    expect(result.reason).toBe('main is protected by ruleset "main"');
  });

  it("lists every gap and the setting that closes it", () => {
    const facts = makeFacts();
    Object.assign(facts.branchRules, { requiredApprovals: 0, blockForcePushes: false, adminBypass: true, bypassActors: ["OrganizationAdmin"] });
    const result = branchProtection.evaluate(facts, bar, env);
    expect(result.status).toBe("fail");
    expect(result.findings.map((f) => f.message)).toEqual([
      "0 approvals required, the bar is 1",
      "force pushes are allowed",
      "the rules can be bypassed by OrganizationAdmin",
    ]);
    expect(result.fix).toMatch(/require 1 approving review; block force pushes; remove bypass actors/);
  });

  it("fails, naming the permission to grant, when part of the rules cannot be read (unknown is not 'cannot be bypassed')", () => {
    const facts = makeFacts();
    facts.branchRules.unreadable = ["ruleset 7's bypass list could not be read (grant the app Administration (read))"];
    const result = branchProtection.evaluate(facts, bar, env);
    expect(result.status).toBe("fail");
    expect(result.reason).toMatch(/unknown: ruleset 7's bypass list could not be read/);
    expect(result.fix).toMatch(/grant soc2-guard Administration \(read\)/);
  });

  it.each([
    ["not required at all", { requiredStatusChecks: ["build"], pinnedChecks: [] }, /soc2-guard is not a required status check/],
    ["required from any source", { requiredStatusChecks: ["soc2-guard"], pinnedChecks: [] }, /not pinned to this app: any app or commit status of that name satisfies it/],
    ["pinned to another app", { requiredStatusChecks: ["soc2-guard"], pinnedChecks: [{ context: "soc2-guard", appId: 999 }] }, /not pinned to this app/],
  ])("fails when soc2-guard itself is %s", (_case, rules, reason) => {
    const facts = makeFacts();
    Object.assign(facts.branchRules, rules);
    const result = branchProtection.evaluate(facts, bar, env);
    expect(result.status).toBe("fail");
    expect(result.reason).toMatch(reason);
    expect(result.fix).toMatch(/require the status check soc2-guard with this app \(soc2-guard\) as its source/);
  });
});

describe("change.ticket", () => {
  it("finds a ticket in the title, body or branch name", () => {
    const config = configWith(() => {});
    expect(changeTicket.evaluate(makeFacts({ pr: { title: "Fix it", body: "", headRef: "PAY-77-fix" } }), config, env).reason).toBe("references PAY-77");
    expect(changeTicket.evaluate(makeFacts({ pr: { title: "Fix it", body: "Closes #12", headRef: "x" } }), config, env).status).toBe("pass");
    const none = changeTicket.evaluate(makeFacts({ pr: { title: "Fix it", body: "", headRef: "fix" } }), config, env);
    expect(none.status).toBe("fail");
    expect(none.fix).toMatch(/^Add a ticket reference/);
  });
});

describe("CODEOWNERS", () => {
  const rules = parseCodeOwners("# owners\n*.js @js-owner\n/docs/ @docs\napps/ @apps # trailing comment\n/build/logs/ \n");
  it("lets the last matching line win", () => {
    expect(ownersOf(rules, "docs/a.js")).toEqual(["docs"]);
    expect(ownersOf(rules, "src/a.js")).toEqual(["js-owner"]);
  });
  it("matches unanchored directories anywhere and anchored ones at the root", () => {
    expect(ownersOf(rules, "x/apps/y.ts")).toEqual(["apps"]);
    expect(ownersOf(rules, "x/docs/y.md")).toEqual([]);
  });
  it("un-owns paths with a line that has no owners", () => {
    expect(ownersOf(rules, "build/logs/a.js")).toEqual([]);
  });
});
