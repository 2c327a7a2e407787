// `soc2-guard reconcile --period YYYY-MM` and `soc2-guard backfill --since YYYY-MM-DD`:
// list the changes GitHub knows for the window, compare with the ledger, and backfill the
// missing records (marked collectedLate). Prints the population, found and added counts.

import { resolve } from "node:path";
import type { CliIO, Command } from "./io.js";
import { parseArgs, stringFlag, type ParsedArgs } from "./args.js";
import { tokenClient } from "./github-token-client.js";
import type { GitHubClient } from "../github/transport/client.js";
import type { EvidenceArchive } from "../evidence/archive.js";
import { LocalDirectoryArchive } from "../evidence/local-archive.js";
import { GitHubRepositoryArchive } from "../github/evidence/archive-repository.js";
import { monthPeriod, sincePeriod, type Period, type PullRequestEvidenceLoader } from "../evidence/reconcile.js";
import { configHashReader, organizationTargets, pullRequestEvidenceLoader, reconcileArchive, repositoryTarget, type ReconcileReport, type ReconcileTarget } from "../github/evidence/evidence-reconcile.js";
import { loadFingerprintKey } from "../secrets/fingerprint-key.js";
import { cliRecordSigner } from "./cli-signer.js";
import { APP_VERSION } from "../version.js";

const TARGETS = "(--org ORG | --repo OWNER/NAME[,OWNER/NAME…]) [--archive DIR | --archive-repo OWNER/NAME [--branch main]] [--dry-run] [--api-url URL]";

export interface ReconcileDeps {
  clientFor: (token: string, apiUrl?: string) => GitHubClient;
  /** The facts loader + evaluation for one merged PR; defaults to the app's own. */
  loaderFor: (gh: GitHubClient, io: CliIO, runId: string, now: () => Date) => PullRequestEvidenceLoader;
  now: () => Date;
}

/** The app's facts loader and controls, as the app would have evaluated at merge time. */
export function appPullRequestLoader(gh: GitHubClient, io: CliIO, runId: string, now: () => Date): PullRequestEvidenceLoader {
  return pullRequestEvidenceLoader(gh, { appSlug: io.env.APP_SLUG ?? "soc2-guard", fingerprintKey: loadFingerprintKey(io.env), runId, now });
}

async function listTargets(gh: GitHubClient, parsed: ParsedArgs, archiveRepo: string | null): Promise<ReconcileTarget[] | string> {
  const org = stringFlag(parsed, "org");
  const repos = stringFlag(parsed, "repo");
  if (org) return organizationTargets(gh, org, archiveRepo?.toLowerCase().startsWith(`${org.toLowerCase()}/`) ? archiveRepo.split("/")[1]! : null);
  if (repos) {
    const targets: ReconcileTarget[] = [];
    for (const full of repos.split(",")) {
      const [owner, repo, extra] = full.trim().split("/");
      if (!owner || !repo || extra !== undefined) return `not OWNER/NAME: ${full}`;
      targets.push(await repositoryTarget(gh, owner, repo));
    }
    return targets;
  }
  return "name the repositories: --org ORG or --repo OWNER/NAME";
}

function openArchive(gh: GitHubClient, parsed: ParsedArgs, io: CliIO): { archive: EvidenceArchive; repo: string | null } | string {
  const dir = stringFlag(parsed, "archive") ?? io.env.ARCHIVE_DIR;
  const signer = cliRecordSigner(io);
  if (dir) return { archive: new LocalDirectoryArchive(resolve(io.cwd, dir), undefined, signer), repo: null };
  const org = stringFlag(parsed, "org") ?? stringFlag(parsed, "repo")?.split("/")[0];
  const full = stringFlag(parsed, "archive-repo") ?? (org ? `${org}/compliance-evidence` : undefined);
  const [owner, repo] = full?.split("/") ?? [];
  if (!owner || !repo) return "name the archive: --archive DIR or --archive-repo OWNER/NAME";
  return { archive: new GitHubRepositoryArchive(gh, { owner, repo, branch: stringFlag(parsed, "branch") ?? "main", ...(signer ? { signer } : {}) }), repo: `${owner}/${repo}` };
}

export function formatReport(report: ReconcileReport, dryRun: boolean): string {
  const lines = [
    `${report.period.label}: population ${report.population}, records found ${report.found}, records added ${dryRun ? "0 (dry run)" : report.added.length}`,
  ];
  for (const r of report.repositories) {
    const missing = [...r.missingPulls.map((p) => `#${p.number}`), ...r.missingPushes.map((p) => `push ${p.after.slice(0, 7)}`)];
    lines.push(`  ${r.repository}: population ${r.population}, found ${r.found}${missing.length ? `, missing ${missing.join(" ")}` : ""}`);
  }
  for (const f of report.failed) lines.push(`  could not backfill ${f.change}: ${f.reason}`);
  return `${lines.join("\n")}\n`;
}

function makeWindowCommand(name: "reconcile" | "backfill", deps: ReconcileDeps): Command {
  const usage = name === "reconcile" ? `usage: soc2-guard reconcile --period YYYY-MM ${TARGETS}\n` : `usage: soc2-guard backfill --since YYYY-MM-DD ${TARGETS}\n`;
  return async (args, io) => {
    const parsed = parseArgs(args, ["dry-run"]);
    const window = stringFlag(parsed, name === "reconcile" ? "period" : "since");
    const period: Period | null = window ? (name === "reconcile" ? monthPeriod(window) : sincePeriod(window, deps.now())) : null;
    if (!period) {
      io.stderr(usage);
      return 2;
    }
    const token = io.env.GITHUB_TOKEN;
    if (!token) {
      io.stderr(`soc2-guard ${name} needs a token in GITHUB_TOKEN (read pull requests and commits; write the archive repository).\n`);
      return 2;
    }
    try {
      const gh = deps.clientFor(token, stringFlag(parsed, "api-url") ?? io.env.GITHUB_API_URL);
      const opened = openArchive(gh, parsed, io);
      if (typeof opened === "string") {
        io.stderr(`${opened}\n${usage}`);
        return 2;
      }
      const targets = await listTargets(gh, parsed, opened.repo);
      if (typeof targets === "string") {
        io.stderr(`${targets}\n${usage}`);
        return 2;
      }
      const runId = `${name}:${window}`;
      const dryRun = parsed.flags.has("dry-run");
      const report = await reconcileArchive({
        gh,
        archive: opened.archive,
        targets,
        period,
        loadPullRequestEvidence: deps.loaderFor(gh, io, runId, deps.now),
        configHashFor: configHashReader(gh),
        appVersion: APP_VERSION,
        runId,
        now: deps.now,
        dryRun,
      });
      io.stdout(formatReport(report, dryRun));
      return report.failed.length > 0 ? 1 : 0;
    } catch (error) {
      const e = error as { status?: number; message?: string };
      io.stderr(`soc2-guard ${name}: ${e.status ? `HTTP ${e.status}: ` : ""}${e.message ?? String(error)}\n`);
      return 2;
    }
  };
}

export function makeReconcileCommand(deps: Partial<ReconcileDeps> = {}): Command {
  return makeWindowCommand("reconcile", { clientFor: tokenClient, loaderFor: appPullRequestLoader, now: () => new Date(), ...deps });
}

export function makeBackfillCommand(deps: Partial<ReconcileDeps> = {}): Command {
  return makeWindowCommand("backfill", { clientFor: tokenClient, loaderFor: appPullRequestLoader, now: () => new Date(), ...deps });
}

export const reconcileCommand: Command = makeReconcileCommand();
export const backfillCommand: Command = makeBackfillCommand();
