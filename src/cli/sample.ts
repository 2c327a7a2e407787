// `soc2-guard sample --period YYYY-MM (--size N | --risk R --rate T) [--stratify] [--seed S]
//  [--archive DIR | --repo OWNER/NAME] [--format text|csv]`: draws the same sample as the
// portal and report.html — the period's changes as the portal groups them, the seed derived
// from the period's seal unless --seed overrides it, the shared drawSample.

import { resolve } from "node:path";
import type { Command } from "./io.js";
import { parseArgs, stringFlag } from "./args.js";
import { readArchiveDirectory } from "../evidence/local-archive.js";
import { GitHubRepositoryArchive } from "../github/evidence/archive-repository.js";
import { tokenClient } from "./github-token-client.js";
import type { GitHubClient } from "../github/transport/client.js";
import { buildArchiveIndex } from "../web/archive-index.js";
import { drawSample, sampleSizeFor } from "../web/view/shared.js";
import { sampleMethod, sampleSeed } from "../web/sampling.js";
import { csvDocument } from "../export/csv.js";
import { CHANGES_HEADER, changeCsvValues } from "../export/change-row.js";

const USAGE = "usage: soc2-guard sample --period YYYY-MM (--size N | --risk 0.05 --rate 0.10) [--stratify] [--seed HEX] [--archive DIR | --repo OWNER/NAME [--branch main] [--api-url URL]] [--format text|csv]\n";

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
      if (dir) stored = readArchiveDirectory(resolve(io.cwd, dir));
      else {
        const token = io.env.GITHUB_TOKEN;
        if (!token || !/^[^/]+\/[^/]+$/.test(repo!)) {
          io.stderr("soc2-guard sample --repo OWNER/NAME needs a token in GITHUB_TOKEN (read access to the archive repository).\n");
          return 2;
        }
        const [owner, name] = repo!.split("/") as [string, string];
        stored = await new GitHubRepositoryArchive(clientFor(token, stringFlag(parsed, "api-url") ?? io.env.GITHUB_API_URL), { owner, repo: name, branch: stringFlag(parsed, "branch") ?? "main" }).read();
      }
      const index = buildArchiveIndex(stored);
      const p = index.periods.get(period);
      if (!p || !p.seal) {
        io.stderr(`soc2-guard sample: no changes recorded in ${period}\n`);
        return 1;
      }
      if (!index.intact) io.stderr("soc2-guard sample: warning: the archive's hash chain does not verify (run soc2-guard verify); the seed below comes from records that may have been changed\n");
      const seed = seedFlag?.toLowerCase() ?? sampleSeed(period, p.seal.hash);
      const stratify = parsed.flags.has("stratify");
      const result = drawSample(p.rows, { size, seed, stratify });
      if (format === "csv") {
        io.stdout(csvDocument(CHANGES_HEADER, result.rows.map(changeCsvValues)));
        return 0;
      }
      io.stdout(`# ${period}: ${result.size} of ${result.population} changes${stratify ? ", stratified by repository" : ""}\n# seal ${p.seal.hash} (${p.seal.recordId})\n# seed ${seed}${seedFlag ? " (given)" : ""}\n# method: ${sampleMethod(stratify, "seal hash")}\n`);
      for (const [i, r] of result.rows.entries()) io.stdout(`${String(i + 1).padStart(4)}  ${r.recordHash}  ${r.repository} ${r.change}  ${r.title}\n`);
      return 0;
    } catch (error) {
      io.stderr(`soc2-guard sample: ${(error as Error).message}\n`);
      return 2;
    }
  };
}

export const sampleCommand: Command = makeSampleCommand();
