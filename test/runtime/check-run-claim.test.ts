// One check run per commit when a replica dies between creating the run on GitHub and
// recording its id: the next evaluation — another replica on the shared store, or this
// process after a restart (the store in the state directory) — claims the creation first,
// finds the claim taken, and completes the run that exists instead of adding a second one.
// Against the sandbox over HTTP, requests checked against GitHub's contract.

import { createSign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import { FULL, GitHubSandbox, INSTALLATION_ID, ORG, REPO, seedOrganization } from "../../src/sandbox/index.js";
import { createServices, MemoryCheckRunStore, type CheckRunStore } from "../../src/triggers/services.js";
import { evaluatePullRequest } from "../../src/triggers/evaluate-pull-request.js";
import { FileCheckRunStore } from "../../src/runtime/file-check-runs.js";
import type { GitHubClient } from "../../src/github/transport/client.js";
import { registerGitHubBase } from "../setup/github-contract.js";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function installationClient(sandbox: GitHubSandbox): Promise<GitHubClient> {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const head = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now - 30, exp: now + 540, iss: sandbox.appId })}`;
  const jwt = `${head}.${createSign("RSA-SHA256").update(head).sign(sandbox.privateKey, "base64url")}`;
  const res = await fetch(`${sandbox.apiUrl}/app/installations/${INSTALLATION_ID}/access_tokens`, { method: "POST", headers: { authorization: `Bearer ${jwt}` } });
  return new Octokit({ auth: ((await res.json()) as { token: string }).token, baseUrl: sandbox.apiUrl }) as unknown as GitHubClient;
}

/** The store as a replica sees it until it is killed: recording a run's id never completes. */
function dyingOnRecord(store: CheckRunStore): CheckRunStore {
  return {
    get: (k) => store.get(k),
    set: () => new Promise<void>(() => undefined),
    delete: (k) => store.delete(k),
    claim: (k) => store.claim(k),
    lastWritten: (id) => store.lastWritten(id),
    rememberWritten: (id, d) => store.rememberWritten(id, d),
  };
}

describe("our check run when a replica dies after creating it", () => {
  it.each([
    ["another replica on the shared store", (_dir: string) => { const shared = new MemoryCheckRunStore(); return { before: shared, after: shared }; }],
    ["the same process after a restart (store in the state directory)", (dir: string) => {
      const before = new FileCheckRunStore(dir);
      cleanup.push(() => before.close());
      return { before, after: null as CheckRunStore | null };
    }],
  ])("%s completes the run that exists and adds none", async (_name, stores) => {
    const dir = mkdtempSync(join(tmpdir(), "soc2-guard-claim-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const sandbox = await new GitHubSandbox({ autoDeliver: false }).start();
    cleanup.push(() => sandbox.stop());
    registerGitHubBase(sandbox.apiUrl, sandbox.graphqlUrl);
    seedOrganization(sandbox);
    const s = sandbox.state;
    s.createBranch(FULL, "f");
    const head = s.commit(FULL, "f", { files: { "src/a.ts": "export const a = 1;\n" }, message: "PAY-1 a", author: "alice" });
    const pr = s.openPullRequest(FULL, { title: "PAY-1 a", author: "alice", head: "f" });
    const ours = () => s.mustRepo(FULL).checkRuns.filter((r) => r.app.slug === "soc2-guard" && r.headSha === head);
    const gh = await installationClient(sandbox);
    const ref = { owner: ORG, repo: REPO, number: pr.number };
    const serviceWith = (knownCheckRuns: CheckRunStore) => createServices({ appSlug: async () => "soc2-guard", appId: async () => sandbox.appId, fingerprintKey: new Uint8Array(32).fill(7), inProgressAfterMs: 0, knownCheckRuns });

    const { before, after } = stores(join(dir, "state"));
    // Replica A shows the run in progress at once, then is killed before it records the id.
    void evaluatePullRequest(gh, quiet, serviceWith(dyingOnRecord(before)), ref, { post: true, headSha: head, knownHeadSha: head });
    const deadline = Date.now() + 10_000;
    while (ours().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(ours().map((r) => r.status)).toEqual(["in_progress"]);

    // The delivery is worked again (its job lock expired, or the process restarted).
    const store = after ?? new FileCheckRunStore(join(dir, "state"));
    if (!after) cleanup.push(() => (store as FileCheckRunStore).close());
    await evaluatePullRequest(gh, quiet, serviceWith(store), ref, { post: true, headSha: head, knownHeadSha: head });
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.status).toBe("completed");
    expect(await store.get(`${FULL}@${head}`.toLowerCase())).toBe(ours()[0]!.id);
  });
});
