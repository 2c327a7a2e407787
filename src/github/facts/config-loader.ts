// Config layers: the org file from the org's `.github` repository and the repository's
// own file, both from their default branches, resolved over the safe defaults.
//
// The org layer is the trust root, so "cannot read it" is never "it is empty": when the
// installation does not cover `<org>/.github` (a private repository outside the selected
// ones looks exactly like a missing one), the config gets a problem that fails the check
// and says to install soc2-guard on it. An installation on all repositories can tell that
// `.github` does not exist; one on selected repositories asks whether the repository is visible. The org's own `.github` repository is read once,
// as the org layer.
//
// For PR events the texts come from the facts query; for other events (pushes, settings
// changes, the daily audit) they are read here with conditional requests, free when unchanged.

import type { GitHubClient } from "../transport/client.js";
import { CONFIG_FILE } from "./queries.js";
import { resolveConfigCached, type ConfigLayerInput } from "../../config/resolve.js";
import type { ConfigProblem, ResolvedConfig } from "../../config/types.js";
import { httpStatus } from "../transport/http-status.js";

export const ORG_CONFIG_REPOSITORY = ".github";

/** What the org layer's read found: the file's text (null: no file), or that it could not be read. */
export type OrgLayerRead = { readable: true; text: string | null } | { readable: false };

/** Which repositories the installation covers, as its token says (no request: the token is cached); null when not an installation token. */
export async function repositorySelection(gh: GitHubClient): Promise<"all" | "selected" | null> {
  try {
    const auth = (await (gh as unknown as { auth: (o: { type: string }) => Promise<{ repositorySelection?: string }> }).auth({ type: "installation" })) ?? {};
    return auth.repositorySelection === "all" || auth.repositorySelection === "selected" ? auth.repositorySelection : null;
  } catch {
    return null;
  }
}

/**
 * The org's `.github` repository was not visible: absent if the installation sees every
 * repository, unreadable if it sees only selected ones. With a person's token (the CLI) the
 * answer is that person's view, taken as given.
 */
export async function missingOrgRepository(gh: GitHubClient): Promise<OrgLayerRead> {
  return (await repositorySelection(gh)) === "selected" ? { readable: false } : { readable: true, text: null };
}

export function unreadableOrgLayerProblem(owner: string): ConfigProblem {
  return {
    file: CONFIG_FILE,
    source: `${owner}/${ORG_CONFIG_REPOSITORY}`,
    line: 1,
    column: 1,
    key: "",
    message: `soc2-guard cannot read ${owner}/${ORG_CONFIG_REPOSITORY}, where the organization's config lives, so the org's settings and minimums are unknown: install soc2-guard on ${owner}/${ORG_CONFIG_REPOSITORY} (or on all repositories; create the repository if the organization has none)`,
  };
}

/** Org layer (+ repository layer unless the repository is the org's `.github` itself), resolved; an unreadable org layer is a problem. */
export function resolveLayers(owner: string, repo: string | undefined, org: OrgLayerRead, repoText: string | null, commits: { org?: string | null; repo?: string | null } = {}): ResolvedConfig {
  const layers: ConfigLayerInput[] = [{ source: `${owner}/${ORG_CONFIG_REPOSITORY}`, file: CONFIG_FILE, text: org.readable ? org.text : null, isOrgLayer: true, commit: commits.org ?? null }];
  if (repo !== undefined && repo.toLowerCase() !== ORG_CONFIG_REPOSITORY) layers.push({ source: `${owner}/${repo}`, file: CONFIG_FILE, text: repoText, isOrgLayer: false, commit: commits.repo ?? null });
  const resolved = resolveConfigCached(layers);
  return org.readable ? resolved : { ...resolved, problems: [unreadableOrgLayerProblem(owner), ...resolved.problems] };
}

async function configText(gh: GitHubClient, owner: string, repo: string): Promise<string | null> {
  const { data } = await gh.request("GET /repos/{owner}/{repo}/contents/{path}", { owner, repo, path: CONFIG_FILE, headers: { accept: "application/vnd.github.raw+json" } });
  return typeof data === "string" ? data : Buffer.from((data as { content?: string }).content ?? "", "base64").toString("utf8");
}

async function orgLayer(gh: GitHubClient, owner: string): Promise<OrgLayerRead> {
  try {
    return { readable: true, text: await configText(gh, owner, ORG_CONFIG_REPOSITORY) };
  } catch (error) {
    const status = httpStatus(error);
    if (status === 403) return { readable: false };
    if (status !== 404) throw error;
    // 404 for the file or for the whole repository. An installation on all repositories
    // sees `.github` if it exists; otherwise ask whether the repository itself is visible.
    if ((await repositorySelection(gh)) !== "selected") return { readable: true, text: null };
    try {
      await gh.request("GET /repos/{owner}/{repo}", { owner, repo: ORG_CONFIG_REPOSITORY });
      return { readable: true, text: null };
    } catch (repoError) {
      if (httpStatus(repoError) === 404) return { readable: false };
      throw repoError;
    }
  }
}

async function repositoryLayer(gh: GitHubClient, owner: string, repo: string): Promise<string | null> {
  try {
    return await configText(gh, owner, repo);
  } catch (error) {
    if (httpStatus(error) === 404) return null;
    throw error;
  }
}

/** The org layer only (for org-wide work), or org + repository. */
export async function loadConfig(gh: GitHubClient, owner: string, repo?: string): Promise<ResolvedConfig> {
  const org = await orgLayer(gh, owner);
  const repoText = repo !== undefined && repo.toLowerCase() !== ORG_CONFIG_REPOSITORY ? await repositoryLayer(gh, owner, repo) : null;
  return resolveLayers(owner, repo, org, repoText);
}
