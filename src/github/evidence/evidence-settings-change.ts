// Who configured a settings fix: the last commit to the organization's soc2-guard config
// (its `.github` repository), one request per audit that changed something.

import type { GitHubClient } from "../transport/client.js";
import { CONFIG_PATH } from "../../config/defaults.js";
import { ORG_CONFIG_REPOSITORY } from "../facts/config-loader.js";
import type { SettingsChangeEvidence } from "../../evidence/record.js";

export async function configuredBy(gh: GitHubClient, org: string, sources: string[]): Promise<SettingsChangeEvidence["configuredBy"]> {
  try {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/commits", { owner: org, repo: ORG_CONFIG_REPOSITORY, path: CONFIG_PATH, per_page: 1 });
    const last = data[0];
    return { sources, commit: last?.sha ?? null, login: last?.author?.login ?? last?.commit.author?.name ?? null, committedAt: last?.commit.committer?.date ?? null };
  } catch {
    // Unreadable history: the record still names the config file(s) in force.
    return { sources, commit: null, login: null, committedAt: null };
  }
}
