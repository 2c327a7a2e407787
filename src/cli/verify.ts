// `soc2-guard verify [--archive DIR | --repo OWNER/NAME]`: recomputes every hash and link.
// Exit 0 with the count when intact; exit 1 naming the first broken record and why.

import type { Command } from "./io.js";
import { parseArgs, stringFlag } from "./args.js";
import { readArchiveDirectory } from "../evidence/local-archive.js";
import { verifyChain } from "../evidence/verify.js";
import { GitHubRepositoryArchive } from "../github/archive-repository.js";
import { tokenClient } from "./github-token-client.js";
import type { GitHubClient } from "../github/client.js";
import { resolve } from "node:path";

const USAGE = "usage: soc2-guard verify [--archive DIR | --repo OWNER/NAME [--branch main] [--api-url URL]]\n";

export function makeVerifyCommand(clientFor: (token: string, apiUrl?: string) => GitHubClient = tokenClient): Command {
  return async (args, io) => {
    const parsed = parseArgs(args);
    const dir = stringFlag(parsed, "archive") ?? (parsed.flags.has("repo") ? undefined : io.env.ARCHIVE_DIR);
    const repo = stringFlag(parsed, "repo");
    try {
      let stored;
      let where: string;
      if (dir) {
        const root = resolve(io.cwd, dir);
        stored = readArchiveDirectory(root);
        where = root;
      } else if (repo && /^[^/]+\/[^/]+$/.test(repo)) {
        const token = io.env.GITHUB_TOKEN;
        if (!token) {
          io.stderr("soc2-guard verify --repo needs a token in GITHUB_TOKEN (read access to the archive repository).\n");
          return 2;
        }
        const [owner, name] = repo.split("/") as [string, string];
        const archive = new GitHubRepositoryArchive(clientFor(token, stringFlag(parsed, "api-url")), { owner, repo: name, branch: stringFlag(parsed, "branch") ?? "main" });
        stored = await archive.read();
        where = archive.description;
      } else {
        io.stderr(USAGE);
        return 2;
      }
      const result = verifyChain(stored.lines, stored.head);
      if (result.ok) {
        io.stdout(`ok: ${result.count} record${result.count === 1 ? "" : "s"} intact in ${where}; chain head ${result.head}\n`);
        return 0;
      }
      io.stdout(`BROKEN at ${result.location}${result.id ? ` (${result.id})` : ""}: ${result.problem} — ${result.detail}. ${result.count} record${result.count === 1 ? "" : "s"} before it verified.\n`);
      return 1;
    } catch (error) {
      io.stderr(`soc2-guard verify: ${(error as Error).message}\n`);
      return 2;
    }
  };
}

export const verifyCommand: Command = makeVerifyCommand();
