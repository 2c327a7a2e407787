// Config for events that are not about a pull request (pushes, settings changes, the
// daily audit): the org file and the repository file from their default branches, read
// with conditional requests so an unchanged file costs nothing.

import type { GitHubClient } from "./client.js";
import { CONFIG_FILE } from "./queries.js";
import { resolveConfigCached } from "../config/resolve.js";
import type { ResolvedConfig } from "../config/types.js";

async function configText(gh: GitHubClient, owner: string, repo: string): Promise<string | null> {
  try {
    const { data } = await gh.request("GET /repos/{owner}/{repo}/contents/{path}", { owner, repo, path: CONFIG_FILE, headers: { accept: "application/vnd.github.raw+json" } });
    return typeof data === "string" ? data : Buffer.from((data as { content?: string }).content ?? "", "base64").toString("utf8");
  } catch (error) {
    if ((error as { status?: number }).status === 404) return null;
    throw error;
  }
}

/** The org layer only (for org-wide work), or org + repository. */
export async function loadConfig(gh: GitHubClient, owner: string, repo?: string): Promise<ResolvedConfig> {
  const layers = [{ source: `${owner}/.github`, file: CONFIG_FILE, text: await configText(gh, owner, ".github"), isOrgLayer: true }];
  if (repo && repo !== ".github") layers.push({ source: `${owner}/${repo}`, file: CONFIG_FILE, text: await configText(gh, owner, repo), isOrgLayer: false });
  return resolveConfigCached(layers);
}
