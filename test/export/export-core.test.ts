import { describe, expect, it } from "vitest";
import { csvDocument, csvField, csvRow, neutraliseFormula } from "../../src/export/csv.js";
import { selectPeriod } from "../../src/export/period-selection.js";
import { exportPeriod, previousMonthLabel, hasEnded } from "../../src/export/period.js";
import { buildExportFiles, buildExportIssue } from "../../src/export/export-files.js";
import { cell, code } from "../../src/export/issue-body.js";
import type { AccessFacts } from "../../src/export/access-review.js";
import type { ReviewIssueState } from "../../src/export/exception-row.js";
import { readArchiveDirectory } from "../../src/evidence/local-archive.js";
import { fixtureArchive, fixtureRecords, pullRecord } from "./fixture-month.js";
import { buildSettingsChangeRecord } from "../../src/evidence/record.js";

/** Splits RFC 4180 text back into rows (quoted fields may hold CRLF, commas, quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") row.push(field), rows.push(row), (row = []), (field = ""), i++;
    else field += c;
  }
  return rows;
}

const access: AccessFacts = {
  organization: "acme",
  twoFactorRequired: true,
  basePermission: "read",
  repositories: ["acme/api", "acme/web"],
  owners: ["olivia"],
  direct: new Map([
    ["acme/api", [{ login: "alice", permission: "WRITE", outside: false }, { login: "=cmd", permission: "ADMIN", outside: true }, { login: "reader", permission: "READ", outside: true }]],
    ["acme/web", [{ login: "olivia", permission: "ADMIN", outside: false }]],
  ]),
  teams: new Map([["acme/web", [{ slug: "frontend", permission: "MAINTAIN" }, { slug: "viewers", permission: "TRIAGE" }]]]),
  problems: [],
};

async function fixtureExport(review7: ReviewIssueState = { closedAt: "2026-11-11T09:00:00Z", closedBy: "frank" }) {
  const { dir } = await fixtureArchive();
  const period = exportPeriod("2026-11")!;
  const selected = selectPeriod(readArchiveDirectory(dir).lines, { period });
  const exported = buildExportFiles({
    organization: "acme",
    selected,
    reconciliation: { ran: true, population: 6, records: 6, addedLate: 1, missing: [] },
    access,
    reviewStates: new Map([
      ["https://github.com/acme/compliance-evidence/issues/7", review7],
      ["https://github.com/acme/compliance-evidence/issues/8", { closedAt: null }],
    ]),
    now: "2026-12-01T02:00:00.000Z",
    archive: "acme/compliance-evidence@main",
    repositories: ["acme/api", "acme/web"],
    excludedRepositories: ["acme/compliance-evidence"],
    shardsRead: ["records/2026/11"],
  });
  return { dir, selected, exported };
}

describe("CSV", () => {
  it("quotes commas, quotes, CR and LF as RFC 4180 says, with CRLF row ends", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("line1\nline2")).toBe('"line1\nline2"');
    expect(csvField("a\rb")).toBe('"a\rb"');
    expect(csvField(null)).toBe("");
    expect(csvRow(["x", 3, true])).toBe("x,3,true\r\n");
    expect(parseCsv(csvDocument(["h1", "h2"], [['a,"b"\r\nc', "d"]]))).toEqual([["h1", "h2"], ['a,"b"\r\nc', "d"]]);
  });

  it("neutralises formula-leading characters in text and leaves numbers alone", () => {
    for (const lead of ["=", "+", "-", "@", "\t", "\r"]) expect(neutraliseFormula(`${lead}SUM(A1)`)).toBe(`'${lead}SUM(A1)`);
    expect(csvField("=1+1")).toBe("'=1+1");
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField("-2")).toBe("'-2");
    expect(csvField(-2)).toBe("-2");
    expect(csvField("\r=cmd")).toBe(`"'\r=cmd"`);
    expect(csvField("a=b")).toBe("a=b");
    expect(csvField("")).toBe("");
  });
});

describe("issue cells", () => {
  it("keep tables intact and ping nobody, without altering ids", () => {
    expect(cell("a | b\nc <script>")).toBe("a \\| b c &lt;script>");
    expect(cell("@alice, (@bob) and acme/api#1@abc")).toBe("@\u200balice, (@\u200bbob) and acme/api#1@abc");
    expect(code("acme/api#1@abc")).toBe("`acme/api#1@abc`");
    expect(code("a`b|c")).toBe("`a b c`");
  });
});

describe("period", () => {
  it("is a UTC calendar month, half open", () => {
    expect(exportPeriod("2026-11")).toEqual({ label: "2026-11", since: "2026-11-01T00:00:00.000Z", until: "2026-12-01T00:00:00.000Z" });
    expect(exportPeriod("2026-12")!.until).toBe("2027-01-01T00:00:00.000Z");
    for (const bad of ["2026-13", "2026-1", "26-11", "2026-11-01", ""]) expect(exportPeriod(bad)).toBeNull();
    expect(previousMonthLabel(new Date("2027-01-01T02:00:00Z"))).toBe("2026-12");
    expect(previousMonthLabel(new Date("2026-03-31T23:59:59Z"))).toBe("2026-02");
    expect(hasEnded(exportPeriod("2026-11")!, new Date("2026-11-30T23:59:59Z"))).toBe(false);
    expect(hasEnded(exportPeriod("2026-11")!, new Date("2026-12-01T00:00:00Z"))).toBe(true);
  });
});

describe("export of the fixture month", () => {
  it("selects the period's changes, bounds exclusive at the end, late records included", async () => {
    const { selected } = await fixtureExport();
    expect(selected.changes.map((c) => `${c.repository} ${c.change}`)).toEqual([
      "acme/api #11",
      "acme/api #12",
      "acme/web #5",
      "acme/web push ddddddd",
      "acme/api #13",
      "acme/api #14",
    ]);
    expect(selected.chain).toEqual({ recordsChecked: 8, problem: null });
    const records = readArchiveDirectory((await fixtureArchive()).dir).lines.map((l) => JSON.parse(l.text) as { id: string; hash: string });
    // #14 was recorded after #6 (December): the seal is #14's hash, the head at the period's end #13's.
    expect(selected.seal).toMatchObject({ recordId: records[7]!.id, hash: records[7]!.hash });
    expect(selected.headAtPeriodEnd).toMatchObject({ recordId: records[5]!.id, hash: records[5]!.hash });
    expect(selected.controls).toEqual({ "review.approval": { pass: 4, fail: 2 }, "ci.passing": { pass: 3, fail: 2 } });
  });

  it("writes changes.csv field by field, titles escaped and neutralised", async () => {
    const { exported, selected } = await fixtureExport();
    const rows = parseCsv(exported.files.get("exports/2026-11/changes.csv")!);
    expect(rows[0]).toEqual(["repository", "kind", "change", "title", "ticket", "author", "approvers", "approved_before_merge", "independent_approval", "ci_passed", "merged_by", "merged_at", "exception", "secret_findings", "pii_findings", "collected_late", "record_id", "record_hash", "link"]);
    expect(rows).toHaveLength(7);
    const api11 = selected.changes[0]!;
    expect(rows[1]).toEqual([
      "acme/api",
      "pull-request",
      "#11",
      `'=HYPERLINK("http://evil.example","click"), "quoted"\nsecond line`,
      "SOC-12",
      "bob",
      "alice",
      "true",
      "true",
      "true",
      "bob",
      "2026-11-03T10:00:00.000Z",
      "",
      "0",
      "0",
      "false",
      api11.recordId,
      api11.recordHash,
      "https://github.com/acme/api/pull/11",
    ]);
    expect(rows[2]!.slice(2, 13)).toEqual(["#12", "Emergency: roll back payments", "", "carol", "", "false", "false", "false", "carol", "2026-11-10T08:00:00.000Z", "emergency-change"]);
    expect(rows[3]!.slice(2, 13)).toEqual(["#5", "Update footer", "", "erin", "", "false", "false", "false", "erin", "2026-11-15T12:00:00.000Z", "unapproved-merge"]);
    expect(rows[4]!.slice(1, 13)).toEqual(["direct-push", "push ddddddd", "'+hotfix: bump cache TTL", "", "dave", "", "false", "false", "false", "dave", "2026-11-20T09:30:00.000Z", "direct-push"]);
    expect(rows[4]![18]).toBe(`https://github.com/acme/web/compare/${"9".repeat(40)}...${"d".repeat(40)}`);
    expect(rows[5]![6]).toBe("alice frank");
    expect(rows[6]!.slice(2, 3).concat(rows[6]![15]!)).toEqual(["#14", "true"]);
  });

  // Issue 11 item 5: on 3dca4fb any close before the due time was "done in time", even by the declarer.
  it.each([
    { name: "closed in time by someone else", state: { closedAt: "2026-11-11T09:00:00Z", closedBy: "frank" }, status: "done in time", by: "frank" },
    { name: "closed in time by the declarer", state: { closedAt: "2026-11-11T09:00:00Z", closedBy: "carol" }, status: "closed without review", by: "" },
    { name: "closed by someone nobody knows", state: { closedAt: "2026-11-11T09:00:00Z" }, status: "closed without review", by: "" },
    { name: "the PR's diff approved in time by someone else", state: { closedAt: null, approvals: [{ login: "carol", at: "2026-11-10T09:00:00Z" }, { login: "grace", at: "2026-11-11T10:00:00Z" }] }, status: "done in time", by: "grace" },
    { name: "approved by someone else after the due time", state: { closedAt: null, approvals: [{ login: "grace", at: "2026-11-13T10:00:00Z" }] }, status: "done late", by: "grace" },
  ])("counts a retroactive review only by someone other than the author and the declarer: $name", async ({ state, status, by }) => {
    const { exported } = await fixtureExport(state as ReviewIssueState);
    const rows = parseCsv(exported.files.get("exports/2026-11/exceptions.csv")!);
    const emergency = rows.find((r) => r[0] === "emergency-change")!;
    expect([emergency[9], emergency[10]]).toEqual([status, by]);
  });

  it("writes exceptions.csv with review status against the due time", async () => {
    const { exported } = await fixtureExport();
    const rows = parseCsv(exported.files.get("exports/2026-11/exceptions.csv")!);
    expect(rows[0]).toEqual(["type", "repository", "change", "title", "who", "when", "reason", "review_issue", "review_due_at", "review_status", "reviewed_by", "link", "record_id", "record_hash"]);
    expect(rows.slice(1).map((r) => [r[0], r[2], r[4], r[9]])).toEqual([
      ["emergency-change", "#12", "carol", "done in time"],
      ["unapproved-merge", "#5", "erin", "no review issue"],
      ["direct-push", "push ddddddd", "dave", "open"],
      ["secret-suppressed", "#13", "bob", "not applicable"],
    ]);
    expect(rows[1]![6]).toBe("payments outage INC-7");
    expect(rows[3]![6]).toBe("force-pushed 1 commit(s) to main without a pull request");
    expect(rows[4]![6]).toBe("aws-access-key-id at test/fixtures/keys.ts:4 (fingerprint f00dfeedf00d)");
  });

  it("writes access-review.csv: owners, base permission only when it can write, teams and direct collaborators with write or more", async () => {
    const { exported } = await fixtureExport();
    expect(parseCsv(exported.files.get("exports/2026-11/access-review.csv")!)).toEqual([
      ["repository", "principal", "type", "permission", "via", "outside_collaborator", "org_requires_2fa"],
      ["acme/api", "olivia", "user", "admin", "organization owner", "false", "true"],
      ["acme/api", "'=cmd", "user", "admin", "direct", "true", "true"],
      ["acme/api", "alice", "user", "write", "direct", "false", "true"],
      ["acme/web", "olivia", "user", "admin", "organization owner", "false", "true"],
      ["acme/web", "frontend", "team", "maintain", "team frontend", "false", "true"],
    ]);
  });

  it("writes summary.json with counts per control and repository, bounds, query, reconciliation and seal", async () => {
    const { exported, selected } = await fixtureExport();
    const summary = JSON.parse(exported.files.get("exports/2026-11/summary.json")!);
    expect(summary.period).toEqual({ label: "2026-11", since: "2026-11-01T00:00:00.000Z", until: "2026-12-01T00:00:00.000Z" });
    expect(summary.totals).toEqual({
      changes: 6,
      pullRequests: 5,
      directPushes: 1,
      independentApproval: 3,
      approvedCoveringHead: 3,
      approvedBeforeMerge: 3,
      ciPassed: 3,
      exceptions: 3,
      collectedLate: 1,
      exceptionsOpen: 2,
      secretFindings: 0,
      piiFindings: 0,
      percentIndependentApproval: 50,
      percentCiPassed: 50,
    });
    expect(summary.repositories["acme/api"]).toEqual({ changes: 4, pullRequests: 4, directPushes: 0, independentApproval: 3, approvedCoveringHead: 3, approvedBeforeMerge: 3, ciPassed: 3, exceptions: 1, collectedLate: 1 });
    expect(summary.repositories["acme/web"]).toMatchObject({ changes: 2, directPushes: 1, exceptions: 2 });
    expect(summary.exceptionsByType).toEqual({ "emergency-change": 1, "unapproved-merge": 1, "direct-push": 1, "secret-suppressed": 1 });
    expect(summary.controls["review.approval"]).toEqual({ pass: 4, fail: 2 });
    expect(summary.reconciliation).toEqual({ ran: true, population: 6, records: 6, addedLate: 1, missing: [] });
    expect(summary.ledger.seal.hash).toBe(selected.seal!.hash);
    expect(summary.query).toMatchObject({ archive: "acme/compliance-evidence@main", repositories: 2, excludedRepositories: ["acme/compliance-evidence"] });
    expect(summary.access).toEqual({ twoFactorRequired: true, grants: 5, admins: 3, outsideCollaborators: 1, problems: [] });
  });

  it("renders the issue: headline, table per repository, exceptions with links, reconciliation, seal, files", async () => {
    const { exported, selected } = await fixtureExport();
    const issue = buildExportIssue({ exported, fileLinks: { "changes.csv": "https://x/changes.csv" }, verifyArgs: "--repo acme/compliance-evidence" });
    expect(issue.title).toBe("SOC 2 evidence export — 2026-11");
    expect(issue.labels).toEqual(["soc2-guard:export"]);
    expect(issue.key).toBe("export:acme:2026-11");
    expect(issue.moved).toEqual([]);
    expect(issue.body).toContain("**6 changes** in 2 repositories · **50%** with independent approval · **50%** with passing CI · **2 exceptions open** (4 in total)");
    expect(issue.body).toContain("| acme/api | 4 | 4 | 0 | 3 | 3 | 1 | 1 |");
    expect(issue.body).toContain("| emergency-change | [acme/api#12](https://github.com/acme/api/pull/12) | `carol` | 2026-11-10 08:00 | [done in time](https://github.com/acme/compliance-evidence/issues/7) |");
    expect(issue.body).toContain("[open](https://github.com/acme/compliance-evidence/issues/8) ⚠️");
    expect(issue.body).toContain("Population from GitHub: 6; records: 6; added late: 1.");
    expect(issue.body).toContain(selected.seal!.hash);
    expect(issue.body).toContain("npx soc2-guard verify --repo acme/compliance-evidence");
    expect(issue.body).toContain("- [changes.csv](https://x/changes.csv)");
    expect(issue.body).not.toMatch(/(^|\s)@\w/);
  });
});

describe("settings changed by soc2-guard", () => {
  const fix = (repository: string, at: string, outcome: "applied" | "failed") =>
    buildSettingsChangeRecord({
      repository,
      change: { policy: "branch.protection", request: `PUT /repos/${repository}/branches/main/protection`, description: "require 1 approving review", before: { required_approving_review_count: 0 }, after: { required_approving_review_count: 1 }, outcome, status: outcome === "applied" ? 200 : 403 },
      configuredBy: { sources: ["org:.github/soc2-guard.yml"], commit: "c0ffee".repeat(6) + "c0ff", login: "=olivia", committedAt: "2026-11-01T08:00:00Z" },
      configHash: "h",
      at,
      meta: { deliveryId: "d-fix", appVersion: "test", collectedAt: at },
    });

  it("lists the period's settings changes in settings-changes.csv, counts them in summary.json and the issue, and seals them", async () => {
    const records = [...fixtureRecords(), fix("acme/api", "2026-11-29T10:00:00.000Z", "applied"), fix("acme/web", "2026-11-29T11:00:00.000Z", "failed"), fix("acme/api", "2026-12-01T00:30:00.000Z", "applied")];
    records.sort((a, b) => a.collectedAt.localeCompare(b.collectedAt));
    const { dir } = await fixtureArchive(records);
    const selected = selectPeriod(readArchiveDirectory(dir).lines, { period: exportPeriod("2026-11")! });
    const exported = buildExportFiles({ organization: "acme", selected, reconciliation: { ran: true, population: 6, records: 6, addedLate: 0, missing: [] }, access: null, reviewStates: new Map(), now: "2026-12-01T02:00:00Z", archive: "dir", repositories: [], excludedRepositories: [], shardsRead: [] });
    const rows = parseCsv(exported.files.get("exports/2026-11/settings-changes.csv")!);
    expect(rows[0]).toEqual(["repository", "when", "policy", "request", "description", "outcome", "status", "before", "after", "configured_by", "config_commit", "config_sources", "record_id", "record_hash"]);
    // The one after the period's end (December) stays out; the login is neutralised.
    expect(rows.slice(1).map((r) => [r[0], r[5], r[6], r[7], r[9]])).toEqual([
      ["acme/api", "applied", "200", '{"required_approving_review_count":0}', "'=olivia"],
      ["acme/web", "failed", "403", '{"required_approving_review_count":0}', "'=olivia"],
    ]);
    expect(exported.summary.settingsChanges).toEqual({ applied: 1, failed: 1 });
    // Settings changes are not code changes: the population is unchanged.
    expect(exported.summary.totals.changes).toBe(selectPeriod(readArchiveDirectory((await fixtureArchive()).dir).lines, { period: exportPeriod("2026-11")! }).changes.length);
    const lastInPeriod = selected.settingsChanges.at(-1)!;
    const chainOrderLast = [...selected.changes.map((c) => c.recordId), ...selected.settingsChanges.map((c) => c.recordId)];
    expect(chainOrderLast).toContain(selected.seal!.recordId);
    expect(selected.segment.some((l) => l.text.includes(lastInPeriod.recordId))).toBe(true);
    const issue = buildExportIssue({ exported, fileLinks: { "settings-changes.csv": "exports/2026-11/settings-changes.csv" }, verifyArgs: "--archive dir" });
    expect(issue.body).toContain("### Settings changed by soc2-guard");
    expect(issue.body).toContain("1 repository setting changed by the settings audit's `fix: apply`, 1 attempt refused by GitHub");
  });

  it("says so when the audit changed nothing", async () => {
    const { exported } = await fixtureExport();
    expect(exported.summary.settingsChanges).toEqual({ applied: 0, failed: 0 });
    expect(buildExportIssue({ exported, fileLinks: {}, verifyArgs: "--archive dir" }).body).toContain("None: the settings audit applied no fix in this period.");
  });
});

describe("edge months", () => {
  it("exports an empty month: headers only, zero totals, nothing sealed", async () => {
    const { dir } = await fixtureArchive(fixtureRecords().slice(0, 1));
    const selected = selectPeriod(readArchiveDirectory(dir).lines, { period: exportPeriod("2026-11")! });
    const exported = buildExportFiles({ organization: "acme", selected, reconciliation: { ran: true, population: 0, records: 0, addedLate: 0, missing: [] }, access: null, reviewStates: new Map(), now: "2026-12-01T02:00:00Z", archive: "dir", repositories: [], excludedRepositories: [], shardsRead: [] });
    expect(exported.files.get("exports/2026-11/changes.csv")).toBe("repository,kind,change,title,ticket,author,approvers,approved_before_merge,independent_approval,ci_passed,merged_by,merged_at,exception,secret_findings,pii_findings,collected_late,record_id,record_hash,link\r\n");
    expect(exported.summary.totals.changes).toBe(0);
    expect(exported.summary.ledger.seal).toBeNull();
    const issue = buildExportIssue({ exported, fileLinks: {}, verifyArgs: "--archive dir" });
    expect(issue.body).toContain("**0 changes**");
    expect(issue.body).toContain("No changes landed in this period.");
    expect(issue.body).toContain("No record belongs to this period");
  });

  it("moves long tables into the files when the body would pass GitHub's limit", () => {
    const records = Array.from({ length: 1500 }, (_, i) =>
      pullRecord({ repo: `acme/service-${String(i).padStart(4, "0")}`, number: i + 1, title: `change ${i} | with a pipe`, author: "bob", mergedAt: "2026-11-05T00:00:00.000Z" }),
    );
    const lines = records.map((r, i) => ({ location: `records/2026/11/05.jsonl:${i + 1}`, text: JSON.stringify({ ...r, prev: "0".repeat(64), hash: "" }) }));
    const selected = selectPeriod(lines, { period: exportPeriod("2026-11")! });
    expect(selected.changes).toHaveLength(1500);
    const exported = buildExportFiles({ organization: "acme", selected, reconciliation: { ran: false, reason: "no GitHub access" }, access: null, reviewStates: new Map(), now: "2026-12-01T02:00:00Z", archive: "dir", repositories: [], excludedRepositories: [], shardsRead: [] });
    const issue = buildExportIssue({ exported, fileLinks: { "summary.json": "https://x/summary.json", "exceptions.csv": "https://x/exceptions.csv" }, verifyArgs: "--archive dir" });
    expect(issue.body.length).toBeLessThanOrEqual(65_536);
    expect(issue.moved).toEqual(["repositories", "exceptions"]);
    expect(issue.body).toContain("The 1500 repository rows are too long for an issue (GitHub's limit is 65,536 characters): see [summary.json](https://x/summary.json)");
    expect(issue.body).toContain("The 1500 exceptions are too long for an issue");
    expect(issue.body).toContain("Reconciliation was not run: no GitHub access.");
    // The file still has every exception.
    expect(exported.files.get("exports/2026-11/exceptions.csv")!.split("\r\n").length - 2).toBe(1500);
    // Hashes were not intact here; the body says so.
    expect(selected.chain.problem).toMatch(/does not match its hash/);
    expect(issue.body).toContain("The export found a problem in the chain");
  });

  it("keeps the exceptions table when only the repository table must move", () => {
    const records = Array.from({ length: 1200 }, (_, i) => pullRecord({ repo: `acme/service-with-a-long-name-${String(i).padStart(4, "0")}`, number: i + 1, title: "t", author: "bob", mergedAt: "2026-11-05T00:00:00.000Z", approvers: ["alice"] }));
    const lines = records.map((r, i) => ({ location: `x:${i}`, text: JSON.stringify({ ...r, prev: "", hash: "" }) }));
    const exported = buildExportFiles({ organization: "acme", selected: selectPeriod(lines, { period: exportPeriod("2026-11")! }), reconciliation: { ran: false, reason: "dry run" }, access: null, reviewStates: new Map(), now: "2026-12-01T02:00:00Z", archive: "dir", repositories: [], excludedRepositories: [], shardsRead: [] });
    const issue = buildExportIssue({ exported, fileLinks: {}, verifyArgs: "--archive dir" });
    expect(issue.moved).toEqual(["repositories"]);
    expect(issue.body).toContain("### Exceptions\n\nNone.");
  });
});
