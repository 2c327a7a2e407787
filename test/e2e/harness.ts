// One sandbox + the real app server over HTTP for an end-to-end test file.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitHubSandbox, startAppServer, settle, seedOrganization, FULL, type RunningApp, type CheckRun } from "../../src/sandbox/index.js";
import { readArchiveDirectory } from "../../src/evidence/local-archive.js";
import type { SealedRecord } from "../../src/evidence/record.js";
import { registerGitHubBase } from "../setup/github-contract.js";

export interface E2E {
  sandbox: GitHubSandbox;
  app: RunningApp;
  dir: string;
  archiveDir: string | undefined;
  settle: () => Promise<void>;
  ownRun: (sha: string, fullName?: string) => CheckRun | undefined;
  records: () => SealedRecord[];
  stop: () => Promise<void>;
}

export async function startE2E(options: { archive: "directory" | "repository"; signingKey?: string } = { archive: "directory" }): Promise<E2E> {
  const dir = mkdtempSync(join(tmpdir(), "soc2-guard-e2e-"));
  const sandbox = await new GitHubSandbox().start();
  // Every request the app sends to the sandbox is checked against GitHub's contract.
  registerGitHubBase(sandbox.apiUrl, sandbox.graphqlUrl);
  seedOrganization(sandbox);
  const archiveDir = options.archive === "directory" ? join(dir, "archive") : undefined;
  const app = await startAppServer(sandbox, { ...(archiveDir ? { archiveDir } : {}), ...(options.signingKey ? { signingKey: options.signingKey } : {}), spoolDir: join(dir, "spool"), retryBaseMs: 10 });
  return {
    sandbox,
    app,
    dir,
    archiveDir,
    settle: () => settle(sandbox, app),
    ownRun: (sha, fullName = FULL) => sandbox.state.mustRepo(fullName).checkRuns.filter((r) => r.app.slug === "soc2-guard" && r.headSha === sha).at(-1),
    records: () => (archiveDir ? readArchiveDirectory(archiveDir).lines.map((l) => JSON.parse(l.text) as SealedRecord) : []),
    stop: async () => {
      await app.stop();
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const row = (run: CheckRun | undefined, control: string): string => (run?.output.summary ?? "").split("\n").find((l) => l.includes(`\`${control}\``)) ?? "";
