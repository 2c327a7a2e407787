// `soc2-guard sample --period YYYY-MM (--size N | --risk R --rate T) [--stratify] [--seed S]
//  [--archive DIR | --repo OWNER/NAME] [--key PUB] [--issue COPY.md] [--format text|csv]`:
// draws the same sample as the portal and report.html — the period's changes as the portal
// groups them, the seed derived from the period's signed checkpoint (the one its first
// export signed; found in the export issues, or in the copy given with --issue, and
// verified under --key) unless --seed overrides it, the shared drawSample.

import { resolve } from "node:path";
import type { Command } from "./io.js";
import { parseArgs, stringFlag } from "./args.js";
import { readArchiveDirectory } from "../evidence/local-archive.js";
import { GitHubRepositoryArchive } from "../github/evidence/archive-repository.js";
import { tokenClient } from "./github-token-client.js";
import type { GitHubClient } from "../github/transport/client.js";
import { buildArchiveIndex } from "../web/archive-index.js";
import { drawSample, sampleSizeFor } from "../web/view/shared.js";
import { sampleMethod, seedSource } from "../web/sampling.js";
import { findPeriodCheckpoint } from "../export/period-checkpoint.js";
import { snapshotPeriodCommits, type ExportSnapshot } from "../export/export-seal.js";
import { LocalExportFiles } from "../export/local-store.js";
import { GitHubExportFiles } from "../github/export/export-store.js";
import { pinnedKey } from "./public-key.js";
import type { CheckpointSource } from "../trust/verify-archive.js";
import { readFileSync } from "node:fs";
import { csvDocument } from "../export/csv.js";
import { CHANGES_HEADER, changeCsvValues } from "../export/change-row.js";

const USAGE = "usage: soc2-guard sample --period YYYY-MM (--size N | --risk 0.05 --rate 0.10) [--stratify] [--seed HEX] [--archive DIR | --repo OWNER/NAME [--branch main] [--app SLUG] [--api-url URL]] [--key PUBLIC_KEY.pem] [--issue COPY_OF_THE_EXPORT_ISSUE.md] [--format text|csv]\n";

export function makeSampleCommand(clientFor: (token: string, apiUrl?: string) => GitHubClient = tokenClient): Command {
  return async (args, io) => {
    const parsed = parseArgs(args, ["stratify"]);
    const period = stringFlag(parsed, "period");
    const dir = stringFlag(parsed, "archive") ?? (parsed.flags.has("repo") ? undefined : io.env.ARCHIVE_DIR);
    const repo = stringFlag(parsed, "repo");
    const seedFlag = stringFlag(parsed, "seed");
    const format = stringFlag(parsed, "format") ?? "text";
    const size = stringFlag(parsed, "size") ? Number(stringFlag(parsed, "size")) : sampleSizeFor(Number(stringFlag(parsed, "risk") ?? NaN), Number(stringFlag(parsed, "rate") ?? NaN));
    if (!period || !/^\d{4}-(0[1-9]|1[0-2])$/.test(period) || !Number.isInteger(size) || size < 1 || (!dir && !repo) || (seedFlag !== undefined && !/^[0-9a-f]{32,}$/i.test(seedFlag)) || !["text", "csv"].includes(format)) {
      io.stderr(USAGE);
      return 2;
    }
    try {
      let stored;
      let sources: () => Promise<CheckpointSource[]>;
      let exportFile: (path: string) => Promise<string | null>;
      let appLogins: string[] | null = null;
      if (dir) {
        stored = readArchiveDirectory(resolve(io.cwd, dir));
        const files = new LocalExportFiles(resolve(io.cwd, dir));
        sources = () => files.statements();
        exportFile = (path) => files.read(path);
      } else {
        const token = io.env.GITHUB_TOKEN;
        if (!token || !/^[^/]+\/[^/]+$/.test(repo!)) {
          io.stderr("soc2-guard sample --repo OWNER/NAME needs a token in GITHUB_TOKEN (read access to the archive repository).\n");
          return 2;
        }
        const [owner, name] = repo!.split("/") as [string, string];
        const gh = clientFor(token, stringFlag(parsed, "api-url") ?? io.env.GITHUB_API_URL);
        const target = { owner, repo: name, branch: stringFlag(parsed, "branch") ?? "main" };
        stored = await new GitHubRepositoryArchive(gh, target).read();
        const files = new GitHubExportFiles(gh, target);
        sources = () => files.statements();
        exportFile = (path) => files.read(path);
        appLogins = [`${stringFlag(parsed, "app") ?? io.env.APP_SLUG ?? "soc2-guard"}[bot]`];
      }
      const issueFlag = stringFlag(parsed, "issue");
      // A copy of the export issue has no author to check: its signatures are what count.
      if (issueFlag) {
        const file = resolve(io.cwd, issueFlag);
        sources = async () => [{ location: file, author: null, text: readFileSync(file, "utf8") }];
        appLogins = null;
      }
      const key = pinnedKey(stringFlag(parsed, "key"), io);
      // The period's changes as its export placed them: late pushes by the commit times its snapshot.json holds.
      const snapshot = await exportFile(`exports/${period}/snapshot.json`);
      const exported = new Map<string, Map<string, Map<string, string>>>();
      if (snapshot) {
        try {
          exported.set(period, snapshotPeriodCommits(JSON.parse(snapshot) as ExportSnapshot));
        } catch {
          io.stderr(`soc2-guard sample: warning: exports/${period}/snapshot.json is not JSON; late-collected pushes are left out\n`);
        }
      }
      const index = buildArchiveIndex(stored, { exported });
      const p = index.periods.get(period);
      if (!p || !p.seal) {
        io.stderr(`soc2-guard sample: no changes recorded in ${period}\n`);
        return 1;
      }
      if (!index.intact) io.stderr("soc2-guard sample: warning: the archive's hash chain does not verify (run soc2-guard verify); the seed below comes from records that may have been changed\n");
      const signed = seedFlag ? null : findPeriodCheckpoint(await sources(), period, { publicKey: key?.publicKey ?? null, appLogins });
      if (!seedFlag && !signed) {
        io.stderr(`soc2-guard sample: ${period} has no signed checkpoint${key ? " that verifies under the given key" : ""} (the app signs it when it exports the period, in the export issue): export the period first, or give --seed\n`);
        return 1;
      }
      if (signed && !signed.verified) io.stderr("soc2-guard sample: warning: the checkpoint's signature was not checked (give --key PUBLIC_KEY.pem, the key you pinned)\n");
      const seed = seedFlag?.toLowerCase() ?? signed!.seed;
      const stratify = parsed.flags.has("stratify");
      const result = drawSample(p.rows, { size, seed, stratify });
      if (format === "csv") {
        io.stdout(csvDocument(CHANGES_HEADER, result.rows.map(changeCsvValues)));
        return 0;
      }
      io.stdout(`# ${period}: ${result.size} of ${result.population} changes${stratify ? ", stratified by repository" : ""}\n# seal ${p.seal.hash} (${p.seal.recordId})\n# seed ${seed}${seedFlag ? " (given)" : `\n# from ${seedSource(signed!.checkpoint, signed!.location, signed!.verified)}`}\n# method: ${sampleMethod(stratify)}\n`);
      for (const [i, r] of result.rows.entries()) io.stdout(`${String(i + 1).padStart(4)}  ${r.recordHash}  ${r.repository} ${r.change}  ${r.title}\n`);
      return 0;
    } catch (error) {
      io.stderr(`soc2-guard sample: ${(error as Error).message}\n`);
      return 2;
    }
  };
}

export const sampleCommand: Command = makeSampleCommand();
