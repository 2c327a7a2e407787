import { afterEach, beforeEach, describe, expect, it } from "vitest";
import nock from "nock";
import { ProbotOctokit } from "probot";
import type { GitHubClient } from "../../src/github/transport/client.js";
import { auditOrganization, auditRepository } from "../../src/github/audit/org-audit-run.js";
import { syncDriftIssues } from "../../src/github/audit/org-audit-issues.js";
import { EtagCache, RequestCounter } from "../../src/github/transport/request-accounting.js";
import { defaultAuditConfig, parseAuditConfig, type AuditConfig } from "../../src/config/audit.js";
import { safeDefaults } from "../../src/config/defaults.js";
import { isOwnChange } from "../../src/audit/own-change.js";
import { visibilityChange } from "../../src/audit/visibility-change.js";
import { renderAuditTable } from "../../src/audit/report.js";
import { API, mockOrg, type FixtureOrg, type FixtureRepo } from "./fixture-org.js";
import { mockIssues } from "./fixture-issues.js";

const client = (): GitHubClient => new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: false }, retry: { enabled: false } }) as GitHubClient;
const NOW = () => new Date("2026-11-02T12:00:00Z");
const config = (audit: Partial<AuditConfig> = {}) => ({ ...safeDefaults(), audit: { ...defaultAuditConfig(), ...audit } });

const protectedRepo: FixtureRepo = {
  name: "api",
  classic: { approvals: 1, dismissStale: true, checks: ["soc2-guard"] },
  rulesets: [{ id: 42, name: "org baseline", level: "Organization", rules: [{ type: "PULL_REQUEST", approvals: 2, dismissStale: true }, { type: "NON_FAST_FORWARD" }, { type: "DELETION" }] }],
  collaborators: [{ login: "alice", permission: "ADMIN" }, { login: "octo-owner", permission: "ADMIN" }, { login: "bob", permission: "WRITE" }],
};
const fixture: FixtureOrg = {
  login: "acme",
  twoFactor: true,
  owners: ["octo-owner"],
  outside: ["vendor-dev"],
  repos: [
    protectedRepo,
    // Classic only, admins may bypass, force pushes allowed, no checks; push protection off.
    { name: "web", classic: { approvals: 1, enforceAdmins: false, allowForcePushes: true }, security: { secretScanning: true, pushProtection: false }, collaborators: [{ login: "vendor-dev", permission: "ADMIN" }] },
    // Org ruleset in evaluate mode only, public, settings not visible.
    { name: "docs", visibility: "public", rulesets: [{ id: 43, name: "trial", level: "Organization", enforcement: "EVALUATE", rules: [{ type: "PULL_REQUEST", approvals: 2 }] }], security: null },
    // Repository ruleset with a team that may bypass the only source.
    { name: "infra", rulesets: [{ id: 7, name: "main", level: "Repository", rules: [{ type: "PULL_REQUEST", approvals: 1, dismissStale: true }, { type: "REQUIRED_STATUS_CHECKS", checks: ["build"] }, { type: "NON_FAST_FORWARD" }, { type: "DELETION" }], bypass: [{ team: "release", mode: "ALWAYS" }] }] },
    { name: "old", archived: true },
  ],
};

beforeEach(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("auditOrganization", () => {
  it("judges every repository from org-level answers plus one GraphQL batch", async () => {
    mockOrg(fixture);
    const counter = new RequestCounter();
    const result = await auditOrganization(client(), "acme", config(), { counters: [counter], now: NOW });
    const status = Object.fromEntries(result.audits.map((a) => [a.repo.name, Object.fromEntries(a.results.map((r) => [r.id, r.status]))]));
    expect(Object.keys(status)).toEqual(["api", "web", "docs", "infra"]); // archived skipped by default
    expect(status.api).toEqual({ "repo.branch-rules": "pass", "repo.secret-scanning": "pass", "repo.visibility": "pass", "org.two-factor": "pass", "repo.admins": "pass", "org.config-trust-root": "skipped" });
    expect(status.web).toMatchObject({ "repo.branch-rules": "fail", "repo.secret-scanning": "fail", "repo.admins": "fail" });
    expect(status.docs).toMatchObject({ "repo.branch-rules": "fail", "repo.secret-scanning": "skipped", "repo.visibility": "fail" });
    expect(status.infra).toMatchObject({ "repo.branch-rules": "fail" });

    const reason = (repo: string, id: string) => result.audits.find((a) => a.repo.name === repo)!.results.find((r) => r.id === id)!.reason;
    // Classic (1 approval) + org ruleset (2 approvals): the most restrictive wins.
    expect(reason("api", "repo.branch-rules")).toContain('repository classic "classic branch protection", organization ruleset "org baseline"');
    expect(reason("web", "repo.branch-rules")).toContain("force pushes are allowed");
    expect(reason("web", "repo.branch-rules")).toContain("bypassed by repository admins");
    expect(reason("web", "repo.admins")).toContain("outside collaborator vendor-dev has admin access");
    expect(reason("docs", "repo.branch-rules")).toContain('organization ruleset "trial" (evaluate)');
    expect(reason("docs", "repo.secret-scanning")).toBe("skipped: needs Administration (read) to see secret scanning settings");
    expect(reason("infra", "repo.branch-rules")).toContain("bypassed by team release");
    // 4 org-level REST requests + 1 GraphQL query for all four repositories.
    expect(counter.counted).toBe(5);
  });

  it("a warm pass costs only the GraphQL batch: org-level answers come back 304", async () => {
    mockOrg(fixture);
    const cache = new EtagCache();
    const cold = new RequestCounter();
    const gh = client();
    await auditOrganization(gh, "acme", config(), { cache, counters: [cold] });
    const warm = new RequestCounter();
    await auditOrganization(gh, "acme", config(), { cache, counters: [warm] });
    expect(warm.snapshot()).toEqual({ counted: 1, notModified: 4 });
  });

  it("reports missing permissions as skipped, never failed", async () => {
    mockOrg({ ...fixture, twoFactor: null, outside: null });
    const result = await auditOrganization(client(), "acme", config(), { now: NOW });
    const api = result.audits.find((a) => a.repo.name === "api")!;
    expect(api.results.find((r) => r.id === "org.two-factor")).toMatchObject({ status: "skipped", reason: "skipped: needs organization Administration (read) to see the 2FA requirement" });
    expect(api.results.find((r) => r.id === "repo.admins")!.reason).toContain("outside collaborators not checked: needs organization Members (read)");
  });

  it("audits one repository after an event", async () => {
    mockOrg(fixture);
    const result = await auditRepository(client(), "acme", "web", config(), { now: NOW });
    expect(result.audits.map((a) => [a.repo.fullName, a.status])).toEqual([["acme/web", "fail"]]);
  });
});

describe("fixes", () => {
  const fixing = (mode: "dry-run" | "apply") => {
    const audit = defaultAuditConfig();
    audit.policies["repo.branch-rules"].fix = mode;
    audit.policies["repo.secret-scanning"].fix = mode;
    audit.include = ["web"];
    return config(audit);
  };

  it("dry-run plans the exact requests and sends none", async () => {
    mockOrg(fixture);
    const result = await auditOrganization(client(), "acme", fixing("dry-run"), { now: NOW });
    const web = result.audits[0]!;
    expect(web.fixes.map((c) => [c.route, c.params])).toEqual([
      ["POST /repos/{owner}/{repo}/rulesets", { owner: "acme", repo: "web" }],
      ["PATCH /repos/{owner}/{repo}", { owner: "acme", repo: "web" }],
    ]);
    expect(web.fixes[0]!.body).toMatchObject({ name: "soc2-guard baseline", enforcement: "active", conditions: { ref_name: { include: ["~DEFAULT_BRANCH"] } }, bypass_actors: [] });
    expect(web.fixes[1]!.body).toEqual({ security_and_analysis: { secret_scanning_push_protection: { status: "enabled" } } });
    expect(result.changes).toEqual([]);
  });

  it("apply makes them, records each change, and an own-change trigger never fixes", async () => {
    const fixed: FixtureOrg = { ...fixture };
    const scope = nock(API);
    const sent: Array<{ path: string; body: unknown }> = [];
    scope.post("/repos/acme/web/rulesets").reply(201, (uri, body) => (sent.push({ path: uri, body }), { id: 9, name: "soc2-guard baseline" }));
    scope.patch("/repos/acme/web").reply(200, (uri, body) => (sent.push({ path: uri, body }), { id: 1, name: "web" }));
    mockOrg(fixed);
    const result = await auditOrganization(client(), "acme", fixing("apply"), { now: NOW });
    expect(sent.map((s) => s.path)).toEqual(["/repos/acme/web/rulesets", "/repos/acme/web"]);
    expect(result.changes.map((c) => [c.policy, c.request, c.outcome])).toEqual([
      ["repo.branch-rules", "POST /repos/acme/web/rulesets", "applied"],
      ["repo.secret-scanning", "PATCH /repos/acme/web", "applied"],
    ]);

    const again = await auditOrganization(client(), "acme", fixing("apply"), { now: NOW, allowFix: false });
    expect(again.changes).toEqual([]);
    expect(isOwnChange({ sender: { login: "soc2-guard[bot]", type: "Bot" } }, "soc2-guard")).toBe(true);
    expect(isOwnChange({ sender: { login: "octocat", type: "User" } }, "soc2-guard")).toBe(false);
  });
});

describe("drift issues", () => {
  it("creates once, stays quiet when nothing changes, closes when fixed, reopens when it comes back", async () => {
    const store = mockIssues("acme", "compliance-evidence");
    const audit = defaultAuditConfig();
    const sync = async (org: FixtureOrg, now = NOW) => {
      nock.cleanAll();
      const s2 = mockIssues("acme", "compliance-evidence");
      s2.issues = store.issues; // keep the same store across passes
      s2.writes = store.writes;
      mockOrg(org);
      const result = await auditOrganization(client(), "acme", config(), { now });
      return syncDriftIssues(client(), "acme", result.audits, { archiveRepository: "compliance-evidence", audit, now, summary: true });
    };

    const first = await sync(fixture);
    expect(first.actions["acme/web"]).toMatchObject({ action: "created" });
    expect(first.actions["acme/api"]).toMatchObject({ action: "unchanged", issue: null });
    expect(store.issues.filter((i) => i.title.startsWith("soc2-guard: settings drift")).map((i) => i.title)).toEqual([
      "soc2-guard: settings drift in acme/web",
      "soc2-guard: settings drift in acme/docs",
      "soc2-guard: settings drift in acme/infra",
    ]);
    expect(first.summaryIssue).toMatchObject({ action: "created" });

    const writesBefore = store.writes.length;
    const second = await sync(fixture);
    expect(Object.values(second.actions).every((a) => a.action === "unchanged")).toBe(true);
    expect(second.summaryIssue).toMatchObject({ action: "unchanged" });
    expect(store.writes.length).toBe(writesBefore);

    // web gets fixed.
    const webFixed: FixtureRepo = { ...protectedRepo, name: "web" };
    const fixedOrg = { ...fixture, repos: fixture.repos.map((r) => (r.name === "web" ? webFixed : r)) };
    const third = await sync(fixedOrg);
    const web = store.issues.find((i) => i.title.endsWith("acme/web"))!;
    expect(third.actions["acme/web"]).toMatchObject({ action: "closed" });
    expect(web).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(web.comments.at(-1)).toContain("Fixed");

    // ...and breaks again within the re-ping window: reopened in place, no new issue, no comment.
    const fourth = await sync(fixture, () => new Date("2026-11-03T12:00:00Z"));
    expect(fourth.actions["acme/web"]).toMatchObject({ action: "reopened", issue: web.number, commented: false });
    expect(web.state).toBe("open");
    expect(store.issues.filter((i) => i.title.endsWith("acme/web"))).toHaveLength(1);

    // infra's findings change a week later: edited in place and pinged once.
    const infraWorse = { ...fixture, repos: fixture.repos.map((r) => (r.name === "infra" ? { ...r, rulesets: [] } : r)) };
    const fifth = await sync(infraWorse, () => new Date("2026-11-10T12:00:00Z"));
    expect(fifth.actions["acme/infra"]).toMatchObject({ action: "edited", commented: true });
    const infra = store.issues.find((i) => i.title.endsWith("acme/infra"))!;
    expect(infra.body).toContain("pull requests are not required");
    expect(infra.comments).toHaveLength(1);
  });
});

describe("pure helpers", () => {
  it("records publicized as a confidentiality change with who did it", () => {
    expect(visibilityChange({ action: "publicized", repository: { full_name: "acme/api", updated_at: "2026-11-02T10:00:00Z" }, sender: { login: "octocat" } }, "2026-11-02T10:00:01Z")).toEqual({
      kind: "repository.visibility", repository: "acme/api", from: "private", to: "public", actor: "octocat", at: "2026-11-02T10:00:00Z", exposure: true,
    });
    expect(visibilityChange({ action: "edited" }, "x")).toBeNull();
  });

  it("validates the audit config with named problems and keeps defaults", () => {
    const { config: parsed, problems } = parseAuditConfig({ policies: { "repo.admins": { maxAdmins: 2 }, "repo.branch-rules": { fix: "yes" } }, bogus: 1 });
    expect(parsed.policies["repo.admins"].maxAdmins).toBe(2);
    expect(parsed.policies["repo.branch-rules"].fix).toBe("off");
    expect(problems).toEqual([{ key: "audit.bogus", message: "is not a known setting" }, { key: "audit.policies.repo.branch-rules.fix", message: "must be off, dry-run or apply" }]);
  });

  it("renders the table, JSON and CSV", async () => {
    mockOrg(fixture);
    const result = await auditOrganization(client(), "acme", config(), { now: NOW });
    expect(renderAuditTable(result.audits, "table")).toContain("4 repositories: 1 pass, 3 fail, 0 skipped");
    expect(JSON.parse(renderAuditTable(result.audits, "json"))[0]).toMatchObject({ repository: "acme/api", status: "pass" });
    expect(renderAuditTable(result.audits, "csv").split("\n")[0]).toBe("repository,policy,criteria,status,reason,fix");
  });
});
