// Issue 10 item 12: every pattern that runs on text the PR author controls runs in
// linear time. The bodies are GitHub's maximum (65,536 characters); on the old
// backtracking patterns each of these took seconds, here the whole handler must finish
// well inside a webhook's budget (the explicit timeouts are several times what the linear code needs on a loaded CI machine).

import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import nock from "nock";
import { API, createTestApp, mockEvaluationReads, mockInstallationToken, type Scenario } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";
import { recordCheckRuns } from "../helpers/check-runs.js";
import { findTicketRefs } from "../../src/controls/change-ticket.js";
import { emergencyReasonFrom } from "../../src/controls/emergency-reason.js";
import { safeDefaults } from "../../src/config/defaults.js";

const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const MAX_BODY = 65_536;
const base: Scenario = { owner: "Codertocat", repo: "Hello-World", number: 2, commits: [{ sha: HEAD, author: "Codertocat" }], title: "Update", headRef: "changes" };

beforeAll(async () => {
  // Warm-up outside the timed tests: the app's key, module loading, the JIT.
  nock.disableNetConnect();
  const app = createTestApp();
  const scope = mockInstallationToken(nock(API));
  mockEvaluationReads(scope, base);
  recordCheckRuns(scope);
  await app.receive("pull_request", webhookPayload("pull_request", "opened"));
  nock.cleanAll();
}, 60_000);
beforeEach(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("bounded work on author-controlled text (issue 10 item 12)", () => {
  it("a 65,536-character body of one letter does not stall the default ticket patterns", { timeout: 5_000 }, async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    mockEvaluationReads(scope, { ...base, body: "A".repeat(MAX_BODY), repoConfig: "controls:\n  change.ticket: { mode: enforce }\n" });
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "opened"));
    const done = writes.at(-1)!.body;
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("| ❌ | `change.ticket` | enforce | no ticket reference in the title, body or branch name");
  });

  it("an emergency label on a body of newlines does not stall the reason parser", { timeout: 5_000 }, async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    const body = "\n".repeat(MAX_BODY);
    mockEvaluationReads(scope, { ...base, body, labels: [{ name: "emergency-change", addedBy: "octo-lead" }], orgConfig: "exceptions:\n  allowed: [octo-lead]\n" }, { permissions: { "octo-lead": "admin" } });
    const writes = recordCheckRuns(scope);
    // Who declares is the sender of the `labeled` delivery (issue 10 item 11).
    const labeled = webhookPayload("pull_request", "labeled");
    Object.assign(labeled, { label: { ...(labeled.label as object), name: "emergency-change" }, sender: { ...(labeled.sender as object), login: "octo-lead" } });
    await app.receive("pull_request", labeled);
    const done = writes.at(-1)!.body;
    expect(done.output!.summary).toContain('declared by @octo-lead with the `emergency-change` label for ec26c3e: label "emergency-change" added by @octo-lead.');
  });

  it("ticket patterns and the reason parser stay linear on 1 MB of every adversarial shape", { timeout: 5_000 }, () => {
    const patterns = safeDefaults().controls["change.ticket"].patterns;
    for (const text of ["A".repeat(1 << 20), "\n".repeat(1 << 20), " ".repeat(1 << 20), "#".repeat(1 << 20), "https://".repeat(1 << 17), "AB-".repeat(1 << 18)]) {
      expect(findTicketRefs([text], patterns)).toEqual([]);
      expect(emergencyReasonFrom(text)).toBeNull();
    }
    expect(findTicketRefs(["fix ABC-12 and #4, see https://jira.example/browse/ABC-9"], patterns).sort()).toEqual(["#4", "ABC-12", "ABC-9", "https://jira.example/browse/ABC-9"]);
    expect(emergencyReasonFrom("intro\n  Emergency : prod down  \nReason: later")).toBe("prod down");
    expect(emergencyReasonFrom("Reason:\nEMERGENCY:\tdb fix\r\n")).toBe("db fix");
  });
});
