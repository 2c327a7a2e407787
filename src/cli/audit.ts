// `soc2-guard audit --org NAME`: the org settings audit with a token, posted nowhere — a
// first look before installing the app. Uses the safe default bar (config files are not read).

import { Octokit } from "@octokit/rest";
import type { Command } from "./io.js";
import { parseArgs, stringFlag } from "./args.js";
import type { GitHubClient } from "../github/transport/client.js";
import { RequestCounter } from "../github/transport/request-accounting.js";
import { auditOrganization } from "../github/audit/org-audit-run.js";
import { renderAuditTable } from "../audit/report.js";
import { safeDefaults } from "../config/defaults.js";
import { defaultAuditConfig } from "../config/audit.js";

const USAGE = "usage: soc2-guard audit --org NAME [--format table|json|csv] [--api-url URL]   (token in GITHUB_TOKEN)\n";

function restClient(token: string, apiUrl?: string): GitHubClient {
  // @octokit/rest has the same request/graphql/paginate/hook surface the loaders use.
  return new Octokit({ auth: token, userAgent: "soc2-guard-cli", ...(apiUrl ? { baseUrl: apiUrl.replace(/\/$/, "") } : {}) }) as unknown as GitHubClient;
}

export function makeAuditCommand(clientFor: (token: string, apiUrl?: string) => GitHubClient = restClient): Command {
  return async (args, io) => {
    const parsed = parseArgs(args);
    const org = stringFlag(parsed, "org");
    const format = stringFlag(parsed, "format") ?? "table";
    if (!org || !["table", "json", "csv"].includes(format)) {
      io.stderr(USAGE);
      return 2;
    }
    const token = io.env.GITHUB_TOKEN;
    if (!token) {
      io.stderr("soc2-guard audit needs a token in GITHUB_TOKEN (an org owner's token sees 2FA and security settings; others are reported as skipped).\n");
      return 2;
    }
    const gh = clientFor(token, stringFlag(parsed, "api-url") ?? io.env.GITHUB_API_URL);
    const counter = new RequestCounter();
    try {
      // Fixes stay off here: the CLI only looks.
      const result = await auditOrganization(gh, org, { ...safeDefaults(), audit: defaultAuditConfig() }, { counters: [counter], allowFix: false });
      io.stdout(renderAuditTable(result.audits, format as "table" | "json" | "csv"));
      if (format === "table") io.stdout(`(${counter.counted} requests to GitHub; nothing was changed or posted)\n`);
      return result.audits.some((a) => a.status === "fail") ? 1 : 0;
    } catch (error) {
      const e = error as { status?: number; message?: string };
      io.stderr(`soc2-guard audit failed: ${e.status ? `HTTP ${e.status}: ` : ""}${e.message ?? String(error)}\n`);
      return 2;
    }
  };
}

export const auditCommand: Command = makeAuditCommand();
