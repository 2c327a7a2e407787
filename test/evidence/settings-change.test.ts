// Issue 11 item 7, played through the app: `fix: apply` in the org audit writes a
// settings-change record (repository, before, after, who configured it) and keeps what it
// does not need to change — on 3dca4fb the classic-protection fix sent `restrictions: null`
// (removing the branch's push restrictions) and wrote no record.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import nock from "nock";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { API, createTestApp, mockInstallationToken } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";
import { mockOrg, type FixtureOrg } from "../audit/fixture-org.js";
import { mockIssues } from "../audit/fixture-issues.js";
import { createServices } from "../../src/triggers/services.js";
import { readArchiveDirectory } from "../../src/evidence/local-archive.js";
import { recordSchema } from "../../src/evidence/record-schema.js";
import { verifyChain } from "../../src/evidence/verify.js";
import type { SealedRecord } from "../../src/evidence/record.js";

const org: FixtureOrg = {
  login: "Codertocat",
  twoFactor: true,
  owners: ["octo-owner"],
  outside: [],
  repos: [{ name: "Hello-World", classic: { approvals: 1, enforceAdmins: false, allowForcePushes: true }, security: { secretScanning: true, pushProtection: true } }],
};

const CONFIG = ["audit:", "  policies:", "    repo.branch-rules:", "      fix: apply", "      fixWith: classic", ""].join("\n");

/** Classic protection as GitHub shows it: only the release team and its bot may push; linear history. */
const current = {
  url: `${API}/repos/Codertocat/Hello-World/branches/main/protection`,
  required_pull_request_reviews: { dismiss_stale_reviews: false, require_code_owner_reviews: false, required_approving_review_count: 1, require_last_push_approval: false },
  enforce_admins: { enabled: false, url: "" },
  restrictions: { url: "", users_url: "", teams_url: "", apps_url: "", users: [{ login: "release-bot", id: 5 }], teams: [{ slug: "release", id: 6 }], apps: [{ slug: "deployer", id: 7 }] },
  required_linear_history: { enabled: true },
  allow_force_pushes: { enabled: true },
  allow_deletions: { enabled: false },
  block_creations: { enabled: false },
  required_conversation_resolution: { enabled: true },
  lock_branch: { enabled: false },
  allow_fork_syncing: { enabled: false },
};

beforeEach(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("settings changes are evidence", () => {
  it("keeps the push restrictions and other settings it does not need to change, and records before, after and who configured it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "archive-"));
    const logs: string[] = [];
    const app = createTestApp(createServices({ appSlug: async () => "soc2-guard", fingerprintKey: new Uint8Array(32).fill(7), now: () => new Date("2026-11-02T12:40:00Z") }, { archiveDir: dir }), { logLines: logs });
    const scope = mockInstallationToken(nock(API));
    scope.get("/repos/Codertocat/.github/contents/.github%2Fsoc2-guard.yml").optionally().times(5).reply(200, CONFIG, { "content-type": "text/plain; charset=utf-8" });
    scope
      .get("/repos/Codertocat/.github/commits")
      .query(true)
      .optionally()
      .reply(200, [{ sha: "9".repeat(40), author: { login: "octo-owner" }, commit: { author: { name: "Octo Owner", date: "2026-10-01T09:00:00Z" }, committer: { name: "Octo Owner", date: "2026-10-01T09:00:00Z" }, message: "Turn on fixes" } }]);
    scope.get("/repos/Codertocat/Hello-World/branches/main/protection").optionally().reply(200, current);
    let sent: Record<string, unknown> | null = null;
    scope.put("/repos/Codertocat/Hello-World/branches/main/protection").reply(200, (_uri, body) => ((sent = body as Record<string, unknown>), current));
    mockOrg(org, scope);
    mockOrg(org, scope, { version: 2 } as never);
    mockIssues("Codertocat", "compliance-evidence", scope);
    await app.receive("repository", { ...webhookPayload("repository", "publicized"), action: "created" });

    expect(sent).not.toBeNull();
    expect(sent!.restrictions).toEqual({ users: ["release-bot"], teams: ["release"], apps: ["deployer"] });
    expect(sent).toMatchObject({ required_linear_history: true, required_conversation_resolution: true, allow_force_pushes: false });

    const { lines, head } = readArchiveDirectory(dir);
    const records = lines.map((l) => JSON.parse(l.text) as SealedRecord);
    expect(records.map((r) => r.kind)).toEqual(["settings-change"]);
    const record = records[0]!;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(recordSchema);
    expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
    expect(record.repository).toBe("Codertocat/Hello-World");
    expect(record.settingsChange).toMatchObject({
      policy: "repo.branch-rules",
      request: "PUT /repos/Codertocat/Hello-World/branches/main/protection",
      outcome: "applied",
      status: 200,
      before: { restrictions: { users: [{ login: "release-bot" }] }, allow_force_pushes: { enabled: true } },
      after: { restrictions: { users: ["release-bot"] }, allow_force_pushes: false },
      configuredBy: { sources: ["Codertocat/.github:.github/soc2-guard.yml"], commit: "9".repeat(40), login: "octo-owner" },
    });
    expect(verifyChain(lines, head)).toMatchObject({ ok: true, count: 1 });
  });
});
