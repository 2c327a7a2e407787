// The old paths of renamed files. GraphQL names a rename by its new path only; the REST
// list of changed files carries `previous_filename`. Read only when the PR renames
// something and the diff was not loaded anyway (it then serves both).

import type { GitHubClient } from "../transport/client.js";

export interface RenamedFile {
  path: string;
  previousPath: string | null;
}

export async function loadRenames(gh: GitHubClient, ref: { owner: string; repo: string; number: number }): Promise<RenamedFile[]> {
  const listed = await gh.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner: ref.owner, repo: ref.repo, pull_number: ref.number, per_page: 100 });
  return listed.map((f) => ({ path: f.filename, previousPath: f.previous_filename ?? null }));
}

/** Old paths of the renamed files, or null when GitHub's list misses a rename's old path (fail closed). */
export function previousPathsOf(renamed: string[], files: RenamedFile[]): string[] | null {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const previous: string[] = [];
  for (const path of renamed) {
    const old = byPath.get(path)?.previousPath;
    if (!old) return null;
    previous.push(old);
  }
  return previous;
}
