// `soc2-guard verify`: checks an evidence archive.
//   --archive DIR [--checkpoints FILE] --key PUB   the local layout (checkpoints default to DIR/checkpoints.jsonl)
//   --repo OWNER/NAME [--branch main] --key PUB    the archive repository and its checkpoints issue
//   --export YYYY-MM (with either)                 the period's export files too
// With --key, the archive must agree with what the app signed: every checkpoint's
// signature, author and (count, head) prefix, every record's attestation — head.json is
// never trusted. Without --key only the chain's own hashes are recomputed, and it says so.
// Exit 0 intact, 1 naming the first record and checkpoint that disagree, 2 on bad usage.

import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CliIO, Command } from "./io.js";
import { parseArgs, stringFlag } from "./args.js";
import { readArchiveDirectory, readAttestationDirectory } from "../evidence/local-archive.js";
import { verifyChain, type StoredLine } from "../evidence/verify.js";
import type { LedgerHead } from "../evidence/ledger.js";
import { GitHubRepositoryArchive } from "../github/evidence/archive-repository.js";
import { GitHubCheckpointIssue } from "../github/evidence/checkpoint-issue.js";
import { LOCAL_CHECKPOINTS_FILE, readCheckpointFile } from "../evidence/local-checkpoints.js";
import { tokenClient } from "./github-token-client.js";
import type { GitHubClient } from "../github/transport/client.js";
import { pinnedKeys } from "./public-key.js";
import { formatFingerprint } from "../trust/signing-key.js";
import { describeVerification, verifyArchive, type CheckpointSource } from "../trust/verify-archive.js";
import { verifyExportFiles, describeExportVerification } from "../export/verify-export.js";
import { LocalExportFiles } from "../export/local-store.js";
import { GitHubExportFiles } from "../github/export/export-store.js";

const USAGE = "usage: soc2-guard verify (--archive DIR [--checkpoints FILE] | --repo OWNER/NAME [--branch main] [--app SLUG] [--api-url URL]) [--key PUBLIC_KEY.pem[,MORE.pem]] [--export YYYY-MM [--issue COPY_OF_THE_EXPORT_ISSUE.md]]\n";

interface Loaded {
  where: string;
  archive: string | null;
  lines: StoredLine[];
  head: LedgerHead | null;
  attestations: StoredLine[];
  checkpoints: CheckpointSource[];
  appLogins: string[] | null;
  exportFiles: LocalExportFiles | GitHubExportFiles;
}

async function load(parsed: ReturnType<typeof parseArgs>, io: CliIO, clientFor: (token: string, apiUrl?: string) => GitHubClient): Promise<Loaded | { usage: string }> {
  const dir = stringFlag(parsed, "archive") ?? (parsed.flags.has("repo") ? undefined : io.env.ARCHIVE_DIR);
  const repo = stringFlag(parsed, "repo");
  if (dir) {
    const root = resolve(io.cwd, dir);
    const stored = readArchiveDirectory(root);
    const checkpointsFlag = stringFlag(parsed, "checkpoints");
    const checkpointsFile = checkpointsFlag ? resolve(io.cwd, checkpointsFlag) : join(root, LOCAL_CHECKPOINTS_FILE);
    if (checkpointsFlag && !existsSync(checkpointsFile)) throw new Error(`--checkpoints ${checkpointsFlag}: no such file`);
    return { where: root, archive: null, lines: stored.lines, head: stored.head, attestations: readAttestationDirectory(root), checkpoints: readCheckpointFile(checkpointsFile), appLogins: null, exportFiles: new LocalExportFiles(root) };
  }
  if (repo && /^[^/]+\/[^/]+$/.test(repo)) {
    const token = io.env.GITHUB_TOKEN;
    if (!token) return { usage: "soc2-guard verify --repo needs a token in GITHUB_TOKEN (read access to the archive repository and its issues).\n" };
    const [owner, name] = repo.split("/") as [string, string];
    const branch = stringFlag(parsed, "branch") ?? "main";
    const gh = clientFor(token, stringFlag(parsed, "api-url") ?? io.env.GITHUB_API_URL);
    const archive = new GitHubRepositoryArchive(gh, { owner, repo: name, branch });
    const slug = stringFlag(parsed, "app") ?? io.env.APP_SLUG ?? "soc2-guard";
    const anchor = new GitHubCheckpointIssue(gh, { owner, repo: name, branch, appSlug: async () => slug });
    const stored = await archive.read();
    const withKey = parsed.flags.has("key") || !!io.env.SOC2_GUARD_PUBLIC_KEY;
    return {
      where: archive.description,
      archive: anchor.archive,
      lines: stored.lines,
      head: stored.head,
      attestations: withKey ? await archive.readAttestations() : [],
      checkpoints: withKey ? await anchor.list() : [],
      appLogins: [`${slug}[bot]`],
      exportFiles: new GitHubExportFiles(gh, { owner, repo: name, branch }),
    };
  }
  return { usage: USAGE };
}

export function makeVerifyCommand(clientFor: (token: string, apiUrl?: string) => GitHubClient = tokenClient): Command {
  return async (args, io) => {
    const parsed = parseArgs(args);
    try {
      const loaded = await load(parsed, io, clientFor);
      if ("usage" in loaded) {
        io.stderr(loaded.usage);
        return 2;
      }
      const [key, ...moreKeys] = pinnedKeys(stringFlag(parsed, "key"), io);
      const period = stringFlag(parsed, "export");
      if (!key) {
        if (period) {
          io.stderr("soc2-guard verify --export needs --key PUBLIC_KEY.pem: an export is checked against the period's signed checkpoint\n");
          return 2;
        }
        const result = verifyChain(loaded.lines, loaded.head);
        if (result.ok) {
          io.stdout(`ok: ${result.count} record${result.count === 1 ? "" : "s"} intact in ${loaded.where}; chain head ${result.head}\n`);
          io.stderr("note: without --key this only shows the archive agrees with itself; a re-sealed rewrite would pass too. Pin the app's public key and run with --key.\n");
          return 0;
        }
        io.stdout(`BROKEN at ${result.location}${result.id ? ` (${result.id})` : ""}: ${result.problem} — ${result.detail}. ${result.count} record${result.count === 1 ? "" : "s"} before it verified.\n`);
        return 1;
      }
      for (const pinned of [key, ...moreKeys]) io.stdout(`key ${formatFingerprint(pinned.keyId)}\n`);
      // A copy of the export issue carries the period's checkpoint too (it has no author to check, like a file).
      const issueFlag = stringFlag(parsed, "issue");
      const issue = issueFlag ? [{ location: issueFlag, author: null, text: readFileSync(resolve(io.cwd, issueFlag), "utf8") }] : undefined;
      const checkpoints = issue && !loaded.appLogins ? [...loaded.checkpoints, ...issue] : loaded.checkpoints;
      const result = verifyArchive({ lines: loaded.lines, head: loaded.head, checkpoints, attestations: loaded.attestations, publicKey: key.publicKey, morePublicKeys: moreKeys.map((k) => k.publicKey), archive: loaded.archive, appLogins: loaded.appLogins });
      io.stdout(describeVerification(result, loaded.where));
      let ok = result.ok;
      if (period) {
        const exported = await verifyExportFiles({ period, files: loaded.exportFiles, lines: loaded.lines, publicKey: result.keys.ring, archive: loaded.archive, appLogins: issue ? null : loaded.appLogins, ...(issue ? { statementTexts: issue } : {}) });
        io.stdout(describeExportVerification(exported));
        ok &&= exported.ok;
      }
      return ok ? 0 : 1;
    } catch (error) {
      io.stderr(`soc2-guard verify: ${(error as Error).message}\n`);
      return 2;
    }
  };
}

export const verifyCommand: Command = makeVerifyCommand();
