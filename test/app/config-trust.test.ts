// Issue 10 item 14: a repository cannot weaken its own gate. Where evidence goes and who
// may declare emergencies are org settings; a repository's secret-scan exclusions are
// bounded by the org; every user pattern runs on RE2 or is refused at load with its line;
// the check's footer names the commit of each config layer.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import nock from "nock";
import { API, createTestApp, factsResponse, mockEvaluationReads, mockInstallationToken, type Scenario } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";
import { recordCheckRuns } from "../helpers/check-runs.js";

const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const AWS_KEY = ["AKIA", "QYLPMN5HHHFPZAM2"].join(""); // assembled at run time: no secret in the source
const base: Scenario = { owner: "Codertocat", repo: "Hello-World", number: 2, commits: [{ sha: HEAD, author: "Codertocat" }] };

beforeEach(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function evaluateWith(scenario: Scenario, extra: Parameters<typeof mockEvaluationReads>[2] = {}, payload = webhookPayload("pull_request", "opened")) {
  const app = createTestApp();
  const scope = mockInstallationToken(nock(API));
  mockEvaluationReads(scope, scenario, extra);
  const writes = recordCheckRuns(scope);
  await app.receive("pull_request", payload);
  return writes.at(-1)!.body;
}

/** The `labeled` delivery of the emergency label, sent by `by` (who declares is the event's sender). */
function labelledBy(by: string): Record<string, unknown> {
  const payload = webhookPayload("pull_request", "labeled");
  Object.assign(payload, { label: { ...(payload.label as object), name: "emergency-change" }, sender: { ...(payload.sender as object), login: by } });
  return payload;
}

describe("a repository cannot weaken its own gate (issue 10 item 14)", () => {
  it("a repository file that lets its author declare emergencies gets a problem on that line; the org's list stays", async () => {
    const done = await evaluateWith(
      {
        ...base,
        labels: [{ name: "emergency-change", addedBy: "octo-helper" }],
        orgConfig: "exceptions:\n  allowed: [octo-lead]\n",
        repoConfig: "controls:\n  change.ticket: { mode: advisory }\nexceptions:\n  allowed: [octo-helper]\n",
      },
      { permissions: { "octo-helper": "write" } },
      labelledBy("octo-helper"),
    );
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("`Codertocat/Hello-World` `.github/soc2-guard.yml` line 4: `exceptions.allowed` is an organization setting");
    expect(done.output!.summary).toContain("who is not allowed to declare emergency changes");
    expect(done.output!.summary).not.toContain("Emergency change** declared");
  });

  it("a repository file cannot let authors declare their own emergencies (allowSelfDeclared is an org setting)", async () => {
    const done = await evaluateWith(
      {
        ...base,
        labels: [{ name: "emergency-change", addedBy: "Codertocat" }],
        orgConfig: "exceptions:\n  allowed: [Codertocat]\n",
        repoConfig: "controls:\n  change.ticket: { mode: advisory }\nexceptions:\n  allowSelfDeclared: true\n",
      },
      { permissions: { Codertocat: "admin" } },
      labelledBy("Codertocat"),
    );
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("line 4: `exceptions.allowSelfDeclared` is an organization setting");
    expect(done.output!.summary).not.toContain("Emergency change** declared");
  });

  it("a repository file may shorten the retroactive review window but not lengthen it", async () => {
    const done = await evaluateWith(
      { ...base, reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }], orgConfig: "exceptions:\n  reviewWithinHours: 48\n", repoConfig: "exceptions:\n  reviewWithinHours: 720\n" },
      { permissions: { "octo-reviewer": "write" } },
    );
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("line 2: `exceptions.reviewWithinHours` may only be shortened by a repository (the organization's 48 hours stay in force)");
  });

  it("a repository file may shorten the retroactive review window", async () => {
    const shorter = await evaluateWith(
      { ...base, reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }], orgConfig: "exceptions:\n  reviewWithinHours: 48\n", repoConfig: "exceptions:\n  reviewWithinHours: 24\n" },
      { permissions: { "octo-reviewer": "write" } },
    );
    expect(shorter.output!.summary).not.toContain("reviewWithinHours");
  });

  it("a repository file cannot move the evidence archive", async () => {
    const done = await evaluateWith({ ...base, reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }], repoConfig: "archive:\n  repository: my-own-archive\n" }, { permissions: { "octo-reviewer": "write" } });
    expect(done.conclusion).toBe("failure");
    expect(done.output!.annotations).toEqual([expect.objectContaining({ path: ".github/soc2-guard.yml", start_line: 2, message: expect.stringContaining("archive: is an organization setting") })]);
  });

  it("ignorePaths in a repository file is bounded by the org's minimums: an unlisted glob is refused and the file is still scanned", async () => {
    const done = await evaluateWith(
      {
        ...base,
        reviews: [{ id: 80, login: "octo-reviewer", state: "APPROVED", commit: HEAD }],
        paths: ["src/settings.ts"],
        orgConfig: "minimums:\n  controls:\n    secrets.diff: { ignorePaths: ['**/fixtures/**'] }\n",
        repoConfig: "controls:\n  secrets.diff:\n    ignorePaths:\n      - '**/fixtures/**'\n      - '**'\n",
      },
      { permissions: { "octo-reviewer": "write" }, files: [{ filename: "src/settings.ts", patch: `@@ -0,0 +1 @@\n+const key = "${AWS_KEY}";` }] },
    );
    expect(done.conclusion).toBe("failure");
    expect(done.output!.summary).toContain("line 5: `controls.secrets.diff.ignorePaths.1` ");
    expect(done.output!.summary).toMatch(/\| ❌ \| `secrets.diff` \| enforce \| 1 (possible )?secret/);
  });

  it("a ticket pattern RE2 cannot run is refused at load, with its line", async () => {
    const done = await evaluateWith({ ...base, repoConfig: "controls:\n  change.ticket:\n    mode: enforce\n    patterns:\n      - '(?=JIRA)JIRA-\\d+'\n" });
    expect(done.conclusion).toBe("failure");
    expect(done.output!.annotations).toEqual([expect.objectContaining({ path: ".github/soc2-guard.yml", start_line: 5, message: expect.stringContaining("not a valid regular expression") })]);
  });

  it("the footer names the commit of each config layer", async () => {
    const app = createTestApp();
    const scope = mockInstallationToken(nock(API));
    const scenario = { ...base, orgConfig: "controls:\n  change.ticket: { mode: advisory }\n", repoConfig: "controls:\n  change.ticket: { mode: advisory }\n" };
    // The facts query answers the default-branch commit of each layer (registered first, so it is the one used).
    const answer = factsResponse(scenario) as { data: { repository: { defaultBranchRef: { target: Record<string, unknown> } }; orgConfig: { defaultBranchRef: { target: Record<string, unknown> } } } };
    answer.data.repository.defaultBranchRef.target.oid = "1111111111111111111111111111111111111111";
    answer.data.orgConfig.defaultBranchRef.target.oid = "2222222222222222222222222222222222222222";
    scope.post("/graphql").reply(200, answer);
    mockEvaluationReads(scope, scenario);
    const writes = recordCheckRuns(scope);
    await app.receive("pull_request", webhookPayload("pull_request", "opened"));
    const summary = writes.at(-1)!.body.output!.summary;
    expect(summary).toContain("`Codertocat/.github:.github/soc2-guard.yml@222222222222`, `Codertocat/Hello-World:.github/soc2-guard.yml@111111111111`");
  });
});
