// `soc2-guard export --period YYYY-MM [--archive DIR | --repo OWNER/NAME] [--dry-run]`:
// the monthly evidence export by hand. With a token (GITHUB_TOKEN) it reconciles against
// GitHub and loads the access review; with only --archive DIR it exports what the
// archive holds and says reconciliation did not run.

import { resolve } from "node:path";
import type { CliIO, Command } from "./io.js";
import { parseArgs, stringFlag } from "./args.js";
import { tokenClient } from "./github-token-client.js";
import { appPullRequestLoader } from "./reconcile.js";
import type { GitHubClient } from "../github/transport/client.js";
import type { EvidenceArchive } from "../evidence/archive.js";
import { LocalDirectoryArchive } from "../evidence/local-archive.js";
import { LocalIssueSink, type IssueSink } from "../evidence/issue-sink.js";
import { GitHubRepositoryArchive } from "../github/evidence/archive-repository.js";
import { GitHubIssueSink, tokenUserLogin } from "../github/evidence/evidence-issues.js";
import { runMonthlyExport, type ArchiveLocation, type MonthlyExportDeps } from "../github/export/export-run.js";
import type { Backfill } from "../github/export/export-reconcile.js";
import { loadConfig } from "../github/facts/config-loader.js";
import { APP_VERSION } from "../version.js";
import { cliRecordSigner, cliSigningKey } from "./cli-signer.js";

const USAGE = "usage: soc2-guard export --period YYYY-MM [--archive DIR [--org ORG] | --repo OWNER/NAME [--branch main]] [--dry-run] [--api-url URL]\n";

export interface ExportCommandDeps {
  clientFor: (token: string, apiUrl?: string) => GitHubClient;
  now: () => Date;
  /** How backfilled records are built; defaults to the app's facts loader and config. */
  backfillFor: (gh: GitHubClient, io: CliIO, runId: string, now: () => Date) => Backfill;
}

function appBackfill(gh: GitHubClient, io: CliIO, runId: string, now: () => Date): Backfill {
  return {
    loadPullRequestEvidence: appPullRequestLoader(gh, io, runId, now),
    configHashFor: async (owner, repo) => (await loadConfig(gh, owner, repo)).hash,
    appVersion: APP_VERSION,
  };
}

export function makeExportCommand(overrides: Partial<ExportCommandDeps> = {}): Command {
  const deps: ExportCommandDeps = { clientFor: tokenClient, now: () => new Date(), backfillFor: appBackfill, ...overrides };
  return async (args, io) => {
    const parsed = parseArgs(args, ["dry-run"]);
    const period = stringFlag(parsed, "period");
    const dir = stringFlag(parsed, "archive") ?? (parsed.flags.has("repo") ? undefined : io.env.ARCHIVE_DIR);
    const repoFlag = stringFlag(parsed, "repo");
    if (!period || (!dir && !repoFlag) || (repoFlag && !/^[^/\s]+\/[^/\s]+$/.test(repoFlag))) {
      io.stderr(USAGE);
      return 2;
    }
    const token = io.env.GITHUB_TOKEN;
    if (repoFlag && !token) {
      io.stderr("soc2-guard export --repo needs a token in GITHUB_TOKEN (read the organization's repositories; write the archive repository and its issues).\n");
      return 2;
    }
    const dryRun = parsed.flags.has("dry-run");
    try {
      const signingKey = cliSigningKey(io);
      const signer = cliRecordSigner(io, signingKey);
      const gh = token ? deps.clientFor(token, stringFlag(parsed, "api-url") ?? io.env.GITHUB_API_URL) : null;
      let location: ArchiveLocation;
      let archive: EvidenceArchive;
      let issues: IssueSink;
      let org: string;
      if (dir) {
        const root = resolve(io.cwd, dir);
        location = { kind: "directory", dir: root };
        archive = new LocalDirectoryArchive(root, deps.now, signer);
        issues = new LocalIssueSink(root);
        org = stringFlag(parsed, "org") ?? "local";
      } else {
        const [owner, repo] = repoFlag!.split("/") as [string, string];
        const branch = stringFlag(parsed, "branch") ?? "main";
        location = { kind: "repository", owner, repo, branch };
        archive = new GitHubRepositoryArchive(gh!, { owner, repo, branch, now: deps.now, ...(signer ? { signer } : {}) });
        issues = new GitHubIssueSink(gh!, owner, repo, tokenUserLogin(gh!));
        org = owner;
      }
      const log = { info: () => undefined, warn: (m: string) => io.stderr(`${m}\n`) };
      const runDeps: MonthlyExportDeps = { gh, archive, location, issues, now: deps.now, log, backfill: gh ? deps.backfillFor(gh, io, `export:${period}`, deps.now) : null, ...(signingKey ? { signingKey } : {}) };
      const result = await runMonthlyExport(runDeps, { org, period, dryRun });
      switch (result.status) {
        case "refused":
          io.stderr(`soc2-guard export: ${result.reason}\n`);
          return 2;
        case "already-exported":
          io.stdout(`${period}: already exported: ${result.issueUrl}\n`);
          return 0;
        case "dry-run":
          io.stdout(`${period} (dry run, nothing written):\n\n${result.issue.body}\n`);
          return 0;
        case "exported": {
          const t = result.summary.totals;
          io.stdout(`${period}: ${t.changes} changes, ${t.exceptionsOpen} exceptions open; ${result.committed ? "files committed" : "files already there"}; issue ${result.issueUrl}\n`);
          return result.summary.ledger.chainCheck.problem || (result.summary.reconciliation.ran && result.summary.reconciliation.missing.length > 0) ? 1 : 0;
        }
      }
    } catch (error) {
      const e = error as { status?: number; message?: string };
      io.stderr(`soc2-guard export: ${e.status ? `HTTP ${e.status}: ` : ""}${e.message ?? String(error)}\n`);
      return 2;
    }
  };
}

export const exportCommand: Command = makeExportCommand();
