// `soc2-guard check OWNER/REPO#N`: the verdict and summary the app would post, posted nowhere.

import type { Command } from "./io.js";
import { parseArgs, stringFlag } from "./args.js";
import { tokenClient } from "./github-token-client.js";
import { createServices } from "../triggers/services.js";
import { evaluatePullRequest } from "../triggers/evaluate-pull-request.js";
import { loadFingerprintKey } from "../secrets/fingerprint-key.js";
import { RequestCounter, installRequestAccounting } from "../github/transport/request-accounting.js";
import type { GitHubClient } from "../github/transport/client.js";

const USAGE = "usage: soc2-guard check OWNER/REPO#NUMBER [--api-url URL] [--format text|json]\n";

export function parsePullRef(text: string): { owner: string; repo: string; number: number } | null {
  const match = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)#(\d+)$/.exec(text) ?? /github\.com\/([^/]+)\/([^/]+)\/pull\/(\d+)/.exec(text);
  return match ? { owner: match[1]!, repo: match[2]!, number: Number(match[3]) } : null;
}

export function makeCheckCommand(clientFor: (token: string, apiUrl?: string) => GitHubClient = tokenClient): Command {
  return async (args, io) => {
    const parsed = parseArgs(args);
    const ref = parsed.positionals[0] ? parsePullRef(parsed.positionals[0]) : null;
    if (!ref) {
      io.stderr(USAGE);
      return 2;
    }
    const token = io.env.GITHUB_TOKEN;
    if (!token) {
      io.stderr("soc2-guard check needs a token in GITHUB_TOKEN (read access to the repository).\n");
      return 2;
    }
    const gh = clientFor(token, stringFlag(parsed, "api-url") ?? io.env.GITHUB_API_URL);
    const counter = new RequestCounter();
    installRequestAccounting(gh, { counters: [counter] });
    const services = createServices({ appSlug: async () => io.env.APP_SLUG ?? "soc2-guard", fingerprintKey: loadFingerprintKey(io.env) });
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    try {
      const outcome = await evaluatePullRequest(gh, quiet, services, ref, { post: false });
      if (!outcome) {
        io.stderr("the pull request is closed without merging; nothing to evaluate\n");
        return 2;
      }
      const { verdict } = outcome;
      if (stringFlag(parsed, "format") === "json") {
        io.stdout(`${JSON.stringify({ conclusion: verdict.conclusion, status: verdict.status, title: verdict.title, results: verdict.results, annotations: verdict.annotations, requests: counter.counted }, null, 2)}\n`);
      } else {
        io.stdout(`${ref.owner}/${ref.repo}#${ref.number}: ${verdict.conclusion ?? verdict.status} — ${verdict.title}\n\n${verdict.summary}\n\n(${counter.counted} requests to GitHub; nothing was posted)\n`);
      }
      return verdict.conclusion === "failure" ? 1 : 0;
    } catch (error) {
      const e = error as { status?: number; message?: string };
      io.stderr(`soc2-guard check failed: ${e.status ? `HTTP ${e.status}: ` : ""}${e.message ?? String(error)}\n`);
      return 2;
    }
  };
}

export const checkCommand: Command = makeCheckCommand();
