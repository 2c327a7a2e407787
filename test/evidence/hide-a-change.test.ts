// Issue 11 item 5, played through the app on real payloads: no way to hide a change.
// Each attack here went unrecorded (or unmarked) on 3dca4fb.

import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { API, createTestApp, mockInstallationToken } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";
import { createServices } from "../../src/triggers/services.js";
import { readArchiveDirectory } from "../../src/evidence/local-archive.js";
import { markerPath } from "../../src/github/evidence/archive-repository.js";
import { FakeArchiveRepository } from "./fake-archive-repository.js";
import type { SealedRecord } from "../../src/evidence/record.js";

const OWNER = "Codertocat";
const REPO = "Hello-World";
const BEFORE = "b".repeat(40);
const HEAD = "a".repeat(40);

afterEach(() => nock.cleanAll());

/** The real push example (refs/heads/master), moved from BEFORE to `after`. */
function pushPayload(after: string, change: (p: Record<string, unknown>) => void = () => undefined): Record<string, unknown> {
  const p = webhookPayload("push", undefined, 4);
  Object.assign(p, { ref: "refs/heads/master", before: BEFORE, after, created: false, deleted: false, forced: false });
  const commits = p.commits as Array<Record<string, unknown>>;
  commits[0]!.id = after;
  p.head_commit = commits[0];
  change(p);
  return p;
}

const pull = (o: { number: number; base: string; merge: string | null; head?: string }) => ({
  id: o.number,
  number: o.number,
  state: "closed",
  title: "a change",
  merged_at: o.merge ? "2026-11-02T11:00:00Z" : null,
  merge_commit_sha: o.merge,
  base: { ref: o.base, sha: BEFORE },
  head: { ref: "feature", sha: o.head ?? HEAD },
  html_url: `https://github.com/${OWNER}/${REPO}/pull/${o.number}`,
});

const apiCommit = (sha: string, parents: string[], message = "a change") => ({
  sha,
  parents: parents.map((p) => ({ sha: p })),
  commit: { message, author: { name: "Codertocat", email: "octocat@github.com", date: "2026-11-02T10:00:00Z" } },
});

function localApp() {
  const dir = mkdtempSync(join(tmpdir(), "archive-"));
  const app = createTestApp(createServices({ appSlug: async () => "soc2-guard", fingerprintKey: new Uint8Array(32).fill(7), now: () => new Date("2026-11-02T12:40:00Z") }, { archiveDir: dir }));
  return { app, dir, records: () => readArchiveDirectory(dir).lines.map((l) => JSON.parse(l.text) as SealedRecord) };
}

function noConfig(scope: nock.Scope, repo = REPO): nock.Scope {
  scope.get(`/repos/${OWNER}/.github/contents/.github%2Fsoc2-guard.yml`).optionally().times(5).reply(404, { message: "Not Found" });
  scope.get(`/repos/${OWNER}/${repo}/contents/.github%2Fsoc2-guard.yml`).optionally().times(5).reply(404, { message: "Not Found" });
  return scope;
}

describe("a push is explained only by the exact landing of a PR merged into that branch", () => {
  it("records a commit merged unreviewed into another branch and then pushed to the default branch", async () => {
    const { app, records } = localApp();
    const X = "c".repeat(40);
    const scope = noConfig(mockInstallationToken(nock(API)));
    // GitHub associates X with a PR — merged into `staging`, where nobody had to review it.
    scope.get(`/repos/${OWNER}/${REPO}/commits/${X}/pulls`).reply(200, [pull({ number: 9, base: "staging", merge: X })]);
    await app.receive("push", pushPayload(X));
    expect(records().map((r) => [r.kind, r.id])).toEqual([["direct-push", `${OWNER}/${REPO}@${X}`]]);
  });

  it("records a push that adds a commit on top of a PR's merge commit", async () => {
    const { app, records } = localApp();
    const M = "e".repeat(40);
    const X = "d".repeat(40);
    const scope = noConfig(mockInstallationToken(nock(API)));
    // X contains the merged PR's commits (so GitHub lists the PR for it), but X itself is no PR's landing.
    scope.get(`/repos/${OWNER}/${REPO}/commits/${X}/pulls`).reply(200, [pull({ number: 9, base: "master", merge: M })]);
    await app.receive("push", pushPayload(X));
    expect(records().map((r) => r.id)).toEqual([`${OWNER}/${REPO}@${X}`]);
  });

  it("records nothing for a push that is exactly a merged PR's merge commit, and reads only what proves it", async () => {
    const { app, records } = localApp();
    const M = "e".repeat(40);
    const scope = noConfig(mockInstallationToken(nock(API)));
    scope.get(`/repos/${OWNER}/${REPO}/commits/${M}/pulls`).reply(200, [pull({ number: 9, base: "master", merge: M })]);
    scope.get(`/repos/${OWNER}/${REPO}/compare/${BEFORE}...${M}`).query(true).reply(200, { status: "ahead", ahead_by: 2, behind_by: 0, total_commits: 2, commits: [apiCommit(HEAD, [BEFORE]), apiCommit(M, [BEFORE, HEAD], "Merge pull request #9")] });
    scope.get(`/repos/${OWNER}/${REPO}/pulls/9/commits`).query(true).reply(200, [apiCommit(HEAD, [BEFORE])]);
    await app.receive("push", pushPayload(M));
    expect(records()).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it("records a force push that puts a PR's merge commit back on a rewritten branch", async () => {
    const { app, records } = localApp();
    const M = "e".repeat(40);
    const scope = noConfig(mockInstallationToken(nock(API)));
    scope.get(`/repos/${OWNER}/${REPO}/commits/${M}/pulls`).reply(200, [pull({ number: 9, base: "master", merge: M })]);
    scope.get(`/repos/${OWNER}/${REPO}/compare/${BEFORE}...${M}`).query(true).reply(200, { status: "diverged", ahead_by: 1, behind_by: 3, total_commits: 1, commits: [apiCommit(M, ["f".repeat(40), HEAD])] });
    scope.get(`/repos/${OWNER}/${REPO}/pulls/9/commits`).query(true).reply(200, [apiCommit(HEAD, [BEFORE])]);
    await app.receive("push", pushPayload(M, (p) => (p.forced = true)));
    expect(records().map((r) => r.push?.forced)).toEqual([true]);
  });
});

describe("the archive repository and its own commits", () => {
  it("never records the app's own commits to its archive repository, whatever the case of its name", async () => {
    const { app, records } = localApp();
    const scope = noConfig(mockInstallationToken(nock(API)), "Compliance-Evidence");
    const payload = pushPayload("1".repeat(40), (p) => {
      const repository = p.repository as Record<string, unknown>;
      repository.name = "Compliance-Evidence";
      repository.full_name = `${OWNER}/Compliance-Evidence`;
      p.pusher = { name: "soc2-guard[bot]", email: null };
      p.sender = { ...(p.sender as object), login: "soc2-guard[bot]", type: "Bot" };
    });
    await app.receive("push", payload);
    expect(records()).toEqual([]);
    expect(scope.pendingMocks().some((m) => m.includes("/pulls"))).toBe(false);
  });

  it("records someone else's push to the archive repository like any other unreviewed change", async () => {
    const { app, records } = localApp();
    const X = "2".repeat(40);
    const scope = noConfig(mockInstallationToken(nock(API)), "compliance-evidence");
    scope.get(`/repos/${OWNER}/compliance-evidence/commits/${X}/pulls`).reply(200, []);
    await app.receive("push", pushPayload(X, (p) => Object.assign(p.repository as object, { name: "compliance-evidence", full_name: `${OWNER}/compliance-evidence` })));
    expect(records().map((r) => r.id)).toEqual([`${OWNER}/compliance-evidence@${X}`]);
  });
});

describe("already recorded means in the chain", () => {
  it("writes the record even when someone planted its marker file in the archive repository before pushing", async () => {
    const fake = new FakeArchiveRepository({ owner: OWNER });
    const X = "3".repeat(40);
    const id = `${OWNER}/${REPO}@${X}`;
    fake.pushChange((files) => files.set(markerPath(id), `${id}\n${"0".repeat(64)}\n`));
    const app = createTestApp(createServices({ appSlug: async () => "soc2-guard", fingerprintKey: new Uint8Array(32).fill(7), now: () => new Date("2026-11-02T12:40:00Z") }));
    const scope = noConfig(mockInstallationToken(nock(API)));
    scope.get(`/repos/${OWNER}/${REPO}/commits/${X}/pulls`).reply(200, []);
    scope.get(`/repos/${OWNER}/compliance-evidence/issues`).query(true).reply(200, []);
    scope.post(`/repos/${OWNER}/compliance-evidence/issues`).reply(201, { number: 1, html_url: `https://github.com/${OWNER}/compliance-evidence/issues/1` });
    fake.intercept(scope);
    await app.receive("push", pushPayload(X));
    expect(fake.lines().map((l) => (JSON.parse(l.text) as SealedRecord).id)).toEqual([id]);
  });
});

describe("issues soc2-guard opens", () => {
  it("opens its own justification issue although someone else's issue carries the same key marker", async () => {
    const { app } = localApp();
    const X = "4".repeat(40);
    const id = `${OWNER}/${REPO}@${X}`;
    const fake = new FakeArchiveRepository({ owner: OWNER });
    const github = createTestApp(createServices({ appSlug: async () => "soc2-guard", fingerprintKey: new Uint8Array(32).fill(7), now: () => new Date("2026-11-02T12:40:00Z") }));
    void app;
    const scope = noConfig(mockInstallationToken(nock(API)));
    scope.get(`/repos/${OWNER}/${REPO}/commits/${X}/pulls`).reply(200, []);
    const planted = { number: 1, title: "nothing to see", body: `<!-- soc2-guard:key=${id} -->`, state: "closed", user: { login: "mallory", type: "User" }, html_url: `https://github.com/${OWNER}/compliance-evidence/issues/1` };
    scope.get(`/repos/${OWNER}/compliance-evidence/issues`).query(true).reply(200, [planted]);
    let opened = false;
    scope.post(`/repos/${OWNER}/compliance-evidence/issues`).reply(201, () => ((opened = true), { number: 2, html_url: `https://github.com/${OWNER}/compliance-evidence/issues/2` }));
    fake.intercept(scope);
    await github.receive("push", pushPayload(X));
    expect(opened).toBe(true);
  });

  it("neutralises text the pusher controls: no mention, no HTML comment or key marker, no link, and a body within GitHub's limit", async () => {
    const { app, dir } = localApp();
    const X = "5".repeat(40);
    const other = `${OWNER}/${REPO}@${"6".repeat(40)}`;
    const hostile = `fix @acme/security-team <!-- soc2-guard:key=${other} --> see https://github.com/acme/api/issues/1 and #12 [click](https://evil.example) \`x\` | ${"y".repeat(300)}`;
    const scope = noConfig(mockInstallationToken(nock(API)));
    scope.get(`/repos/${OWNER}/${REPO}/commits/${X}/pulls`).reply(200, []);
    await app.receive(
      "push",
      pushPayload(X, (p) => {
        const first = (p.commits as Array<Record<string, unknown>>)[0]!;
        p.commits = Array.from({ length: 2_000 }, (_, i) => ({ ...first, id: i === 1_999 ? X : i.toString(16).padStart(40, "0"), message: hostile, author: { name: "@mallory <!-- -->", username: null } }));
        p.pusher = { name: "@everyone", email: null };
      }),
    );
    const files = readdirSync(join(dir, "issues"));
    expect(files).toHaveLength(1);
    const body = readFileSync(join(dir, "issues", files[0]!), "utf8");
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).not.toMatch(/(^|[^\w])@[A-Za-z0-9]/); // no mention
    expect(body).not.toMatch(/(^|[^\w])#\d/); // no issue reference
    expect(body).not.toMatch(/https?:\/\//); // no link
    expect(body.match(/<!--/g)).toHaveLength(1); // only the app's own key marker
    expect(body).not.toContain(other);
    expect(body).toContain(`<!-- soc2-guard:key=${OWNER}/${REPO}@${X} -->`);
  });
});
