// The attack suite on the sandbox's archive repository, over HTTP: records written by the
// archive writer with the app's signer, checkpoints posted by the app as comments on its
// locked, pinned checkpoints issue; then an insider's edits to the repository (a re-sealed
// rewrite, a force-push rollback) and a forged checkpoint comment by another user.
// `soc2-guard verify --repo --key` names the first record and checkpoint that disagree.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSign } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitHubSandbox, seedOrganization, ORG, ARCHIVE_REPO, INSTALLATION_ID } from "../../src/sandbox/index.js";
import { GitHubRepositoryArchive, ContentCreationPacer } from "../../src/github/evidence/archive-repository.js";
import { GitHubCheckpointIssue, CHECKPOINTS_TITLE } from "../../src/github/evidence/checkpoint-issue.js";
import { CheckpointPublisher } from "../../src/evidence/checkpoint-publisher.js";
import { AppRecordSigner } from "../../src/trust/record-signer.js";
import { generateSigningKey } from "../../src/trust/signing-key.js";
import { renderCheckpointComment, signCheckpoint } from "../../src/trust/checkpoint.js";
import { makeVerifyCommand } from "../../src/cli/verify.js";
import { tokenClient } from "../../src/cli/github-token-client.js";
import { registerGitHubBase } from "../setup/github-contract.js";
import type { CliIO } from "../../src/cli/io.js";
import type { Repo } from "../../src/sandbox/state.js";
import { pushRecord, tamper } from "./tamper.js";

const key = generateSigningKey();
let sandbox: GitHubSandbox;
let token: string;
let pubFile: string;

beforeAll(async () => {
  sandbox = await new GitHubSandbox().start();
  registerGitHubBase(sandbox.apiUrl, sandbox.graphqlUrl);
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const head = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now - 30, exp: now + 540, iss: sandbox.appId })}`;
  const jwt = `${head}.${createSign("RSA-SHA256").update(head).sign(sandbox.privateKey, "base64url")}`;
  seedOrganization(sandbox);
  token = ((await (await fetch(`${sandbox.apiUrl}/app/installations/${INSTALLATION_ID}/access_tokens`, { method: "POST", headers: { authorization: `Bearer ${jwt}` } })).json()) as { token: string }).token;
  pubFile = join(mkdtempSync(join(tmpdir(), "soc2-guard-pub-")), "soc2-guard.pub");
  writeFileSync(pubFile, key.publicPem);
}, 60_000);
afterAll(async () => {
  await sandbox.stop();
});

const archiveRepo = (): Repo => sandbox.state.mustRepo(`${ORG}/${ARCHIVE_REPO}`);

/** Six records, one commit and one checkpoint comment each, as the app writes them. */
beforeEach(async () => {
  sandbox.state.createRepo(ORG, ARCHIVE_REPO, { files: { "README.md": "# evidence\n" } });
  const gh = tokenClient(token, sandbox.apiUrl);
  let day = "2026-11-02";
  const now = () => new Date(`${day}T12:00:00Z`);
  const anchor = new GitHubCheckpointIssue(gh, { owner: ORG, repo: ARCHIVE_REPO, branch: "main", appSlug: async () => "soc2-guard" });
  const publisher = new CheckpointPublisher(anchor, key, { intervalMs: 0, now });
  const writer = new GitHubRepositoryArchive(gh, { owner: ORG, repo: ARCHIVE_REPO, branch: "main", now, pacer: new ContentCreationPacer(80, 500, () => 0, async () => {}), signer: new AppRecordSigner(key, "hmac-sha256:0011223344556677", (h) => publisher.committed(h)) });
  for (let n = 1; n <= 6; n++) {
    if (n === 4) day = "2026-11-03";
    await writer.append([pushRecord(n, day)]);
    await publisher.flush();
  }
}, 60_000);

function io(): CliIO & { text: () => string } {
  const out: string[] = [];
  return { text: () => out.join(""), stdout: (t) => out.push(t), stderr: (t) => out.push(t), readStdin: async () => "", env: { GITHUB_TOKEN: token }, cwd: "/" };
}
const verify = async () => {
  const cli = io();
  const code = await makeVerifyCommand((t) => tokenClient(t, sandbox.apiUrl))(["--repo", `${ORG}/${ARCHIVE_REPO}`, "--key", pubFile], cli);
  return { code, out: cli.text() };
};
/** An insider with write access commits a rewritten tree (a force push: history replaced). */
const forcePush = (change: (files: Map<string, string>) => void) => {
  const repo = archiveRepo();
  const headSha = repo.git.refs.get("main")!;
  const files = repo.git.files(headSha);
  change(files);
  const sha = repo.git.putCommit({ tree: repo.git.putFiles(files), parents: repo.git.commit(headSha)!.parents, message: "evidence", author: { name: "insider", email: "insider@example.com", login: null, date: new Date().toISOString() } });
  repo.git.updateRef("main", sha, { force: true });
};
const checkpointIssue = () => [...archiveRepo().issues.values()].find((i) => i.title === CHECKPOINTS_TITLE)!;

describe("verify --repo --key on the sandbox's archive repository", () => {
  it("passes what the app wrote; the checkpoints are the app's comments on a locked, pinned issue it opened", async () => {
    const issue = checkpointIssue();
    expect(issue).toMatchObject({ user: "soc2-guard[bot]", locked: true, pinned: true });
    expect(issue.comments).toHaveLength(6);
    expect(issue.comments.every((c) => c.user === "soc2-guard[bot]" && c.viaApp === "soc2-guard")).toBe(true);
    const { code, out } = await verify();
    expect(out).toMatch(/ok: 6 records .*6 signed checkpoints agree .*6 record attestations verified/);
    expect(code).toBe(0);
  });

  it("names a forged checkpoint comment by another user", async () => {
    const forger = generateSigningKey();
    const forged = signCheckpoint({ archive: `${ORG}/${ARCHIVE_REPO}@main`, count: 2, head: "e".repeat(64), lastId: null, time: "2026-11-04T00:00:00Z" }, forger);
    const comment = sandbox.state.commentOn(archiveRepo(), checkpointIssue().number, "mallory", renderCheckpointComment(forged.checkpoint, forged.envelope));
    const { code, out } = await verify();
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`first checkpoint that disagrees: \\S+#issuecomment-${comment.id} by mallory: not-the-app`));
  });

  it("names the first record and checkpoint after an edit-and-reseal force-pushed to the archive", async () => {
    forcePush((files) => tamper.editAndReseal(files, 2, (r) => void (r.push!.pusher = "nobody")));
    const { code, out } = await verify();
    expect(code).toBe(1);
    expect(out).toMatch(/first record that disagrees: #2 at records\/2026\/11\/02\.jsonl:2/);
    expect(out).toMatch(/first checkpoint that disagrees: \S+#issuecomment-\d+ by soc2-guard\[bot\]: not-a-prefix — signed record #2/);
  });

  it("names the missing records after a force-push rollback of the archive branch", async () => {
    const repo = archiveRepo();
    let sha = repo.git.refs.get("main")!;
    for (let i = 0; i < 2; i++) sha = repo.git.commit(sha)!.parents[0]!;
    repo.git.updateRef("main", sha, { force: true });
    const { code, out } = await verify();
    expect(code).toBe(1);
    expect(out).toMatch(/first record that disagrees: #5: missing/);
    expect(out).toMatch(/first checkpoint that disagrees: \S+#issuecomment-\d+ by soc2-guard\[bot\]: beyond-the-chain — signed 5 records/);
  });
});

describe("verify --repo --export on the sandbox's archive repository", () => {
  it("checks the export the app committed and the statement in its export issue; names a replaced CSV", async () => {
    const { runMonthlyExport } = await import("../../src/github/export/export-run.js");
    const { GitHubIssueSink } = await import("../../src/github/evidence/evidence-issues.js");
    const gh = tokenClient(token, sandbox.apiUrl);
    const archive = new GitHubRepositoryArchive(gh, { owner: ORG, repo: ARCHIVE_REPO, branch: "main" });
    const result = await runMonthlyExport(
      { gh, archive, location: { kind: "repository", owner: ORG, repo: ARCHIVE_REPO, branch: "main" }, issues: new GitHubIssueSink(gh, ORG, ARCHIVE_REPO, async () => `${sandbox.state.app.slug}[bot]`), now: () => new Date("2026-12-01T02:00:00Z"), log: { info: () => undefined, warn: () => undefined }, signingKey: key },
      { org: ORG, period: "2026-11" },
    ).catch((error: { request?: { url?: string; method?: string } }) => {
      throw new Error(`${error.request?.method} ${error.request?.url}: ${String(error)}`);
    });
    expect(result.status).toBe("exported");
    const run = async () => {
      const cli = io();
      const code = await makeVerifyCommand((t) => tokenClient(t, sandbox.apiUrl))(["--repo", `${ORG}/${ARCHIVE_REPO}`, "--key", pubFile, "--export", "2026-11"], cli);
      return { code, out: cli.text() };
    };
    let { code, out } = await run();
    expect(out).toMatch(/ok: export 2026-11 \(statement from \S+\/issues\/\d+\)/);
    expect(out).toContain("✔ exports/2026-11/changes.csv: ok — signed, and recomputed from the records byte for byte");
    expect(code).toBe(0);

    forcePush((files) => files.set("exports/2026-11/exceptions.csv", `${files.get("exports/2026-11/exceptions.csv")!.split("\n")[0]}\n`));
    ({ code, out } = await run());
    expect(code).toBe(1);
    expect(out).toMatch(/✘ exports\/2026-11\/exceptions\.csv: differs-from-signed/);
  });
});
