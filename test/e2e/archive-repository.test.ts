// Evidence in the organization's archive repository on the sandbox (no ARCHIVE_DIR):
// createCommitOnBranch with the expected head, retried across ref conflicts; verify
// reads it back through the REST git data API.

import { afterAll, beforeAll, expect, it } from "vitest";
import { createSign } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { FULL, ORG, ARCHIVE_REPO } from "../../src/sandbox/index.js";
import { GitHubRepositoryArchive } from "../../src/github/evidence/archive-repository.js";
import { verifyChain } from "../../src/evidence/verify.js";
import type { GitHubClient } from "../../src/github/transport/client.js";
import { startE2E, type E2E } from "./harness.js";

let e: E2E;
beforeAll(async () => {
  e = await startE2E({ archive: "repository" });
});
afterAll(async () => {
  await e.stop();
});

it("merges land in the archive repository once each, across injected ref conflicts, and the chain verifies", async () => {
  const s = e.sandbox.state;
  e.sandbox.faults.add({ kind: "ref-conflict", path: "/graphql", times: 2 });
  const merged: string[] = [];
  for (let i = 0; i < 3; i++) {
    s.createBranch(FULL, `f${i}`);
    const head = s.commit(FULL, `f${i}`, { files: { [`src/f${i}.ts`]: `export const f = ${i};\n` }, message: `PAY-${i}`, author: "alice" });
    const pr = s.openPullRequest(FULL, { title: `PAY-${i}`, author: "alice", head: `f${i}` });
    s.review(FULL, pr.number, "bob", "APPROVED");
    s.ci(FULL, head, "build", "success");
    s.ci(FULL, head, "test", "success");
    merged.push(`${FULL}#${pr.number}@${s.merge(FULL, pr.number, "bob")}`);
  }
  await e.settle();
  expect(e.sandbox.faults.stats.refConflict).toBe(2);

  const token = (await (await fetch(`${e.sandbox.apiUrl}/app/installations/77/access_tokens`, { method: "POST", headers: { authorization: `Bearer ${jwt(e)}` } })).json()) as { token: string };
  const gh = new Octokit({ auth: token.token, baseUrl: e.sandbox.apiUrl }) as unknown as GitHubClient;
  const archive = new GitHubRepositoryArchive(gh, { owner: ORG, repo: ARCHIVE_REPO, branch: "main" });
  const stored = await archive.read();
  const ids = stored.lines.map((l) => (JSON.parse(l.text) as { id: string }).id);
  expect(ids.sort()).toEqual([...merged].sort());
  expect(verifyChain(stored.lines, stored.head)).toMatchObject({ ok: true, count: 3 });
});

function jwt(env: E2E): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const head = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now - 30, exp: now + 540, iss: env.sandbox.appId })}`;
  return `${head}.${createSign("RSA-SHA256").update(head).sign(env.sandbox.privateKey, "base64url")}`;
}
