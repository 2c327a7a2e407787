// Issue 10 item 14 (the trust-root part), through the app: the org settings audit reports a
// failing finding when the org's `.github` repository — where the org's soc2-guard config
// lives — takes changes without a reviewed pull request. On 3dca4fb the audit had no such policy.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import nock from "nock";
import { API, createTestApp, mockInstallationToken } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";
import { mockOrg, type FixtureOrg } from "../audit/fixture-org.js";
import { mockIssues } from "../audit/fixture-issues.js";

const strict = { approvals: 1, dismissStale: true, checks: ["soc2-guard"], enforceAdmins: true, allowForcePushes: false, allowDeletions: false };
const orgWith = (configRepo: FixtureOrg["repos"][number]["classic"]): FixtureOrg => ({
  login: "Codertocat",
  twoFactor: true,
  owners: ["octo-owner"],
  outside: [],
  repos: [{ name: ".github", classic: configRepo, security: { secretScanning: true, pushProtection: true } }],
});

async function auditConfigRepository(org: FixtureOrg) {
  const app = createTestApp();
  const scope = mockInstallationToken(nock(API));
  scope.get("/repos/Codertocat/.github/contents/.github%2Fsoc2-guard.yml").optionally().times(5).reply(404, { message: "Not Found" });
  mockOrg(org, scope);
  const issues = mockIssues("Codertocat", "compliance-evidence", scope);
  const payload = webhookPayload("repository", "publicized");
  const repository = payload.repository as { name: string; full_name: string };
  repository.name = ".github";
  repository.full_name = "Codertocat/.github";
  await app.receive("repository", { ...payload, action: "created" });
  return issues.issues;
}

beforeEach(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("org config trust root", () => {
  it("reports a failing finding when the org's .github repository takes changes without a reviewed pull request", async () => {
    const issues = await auditConfigRepository(orgWith(null));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.body).toContain("org.config-trust-root");
    expect(issues[0]!.body).toContain("Codertocat/.github@main holds the org's soc2-guard config, but changes do not need a pull request");
  });

  it("passes once the default branch requires a pull request with an approving review", async () => {
    const issues = await auditConfigRepository(orgWith(strict));
    expect(issues.map((i) => i.body).join("\n")).not.toContain("org.config-trust-root");
  });
});
