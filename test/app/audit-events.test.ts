// The audit as the app runs it: settings events → audit → one drift issue per repository,
// and the app's own changes never fixed again.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import nock from "nock";
import { API, createTestApp, mockInstallationToken } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";
import { mockOrg, type FixtureOrg } from "../audit/fixture-org.js";
import { mockIssues } from "../audit/fixture-issues.js";

const org: FixtureOrg = {
  login: "Codertocat",
  twoFactor: true,
  owners: ["octo-owner"],
  outside: [],
  repos: [{ name: "Hello-World", classic: { approvals: 1, enforceAdmins: false, allowForcePushes: true }, security: { secretScanning: true, pushProtection: false } }],
};

function noConfig(scope: nock.Scope): void {
  scope.get("/repos/Codertocat/.github/contents/.github%2Fsoc2-guard.yml").optionally().times(5).reply(404, { message: "Not Found" });
}

beforeEach(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("settings events", () => {
  it("audits the repository of a repository event and opens one drift issue", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    noConfig(scope);
    mockOrg(org, scope);
    const issues = mockIssues("Codertocat", "compliance-evidence", scope);
    const payload = { ...webhookPayload("repository", "publicized"), action: "created" };
    await app.receive("repository", payload);
    expect(issues.issues).toHaveLength(1);
    expect(issues.issues[0]!.title).toContain("Hello-World");
    expect(issues.issues[0]!.body).toContain("force pushes are allowed");
    expect(issues.issues[0]!.labels).toEqual(["soc2-guard:drift"]);

    // The same event again: the findings have not changed, so nothing is written.
    const before = issues.writes.length;
    await app.receive("repository", payload);
    expect(issues.writes.length).toBe(before);
    expect(issues.issues).toHaveLength(1);
  });
});
