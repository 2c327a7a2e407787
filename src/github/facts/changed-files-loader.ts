// The changed files with their patches, for the diff scanners. GitHub omits the patch of a
// large or binary file; such a file is not thereby clean: its content at the head is read
// through the Git blobs API, within a budget per file and per pull request, so the scanner
// sees it. A file past a budget (or past GitHub's 3,000-file list) is reported as not read,
// and secrets.diff fails on it in enforce mode.

import type { GitHubClient } from "../transport/client.js";
import type { ChangedFile } from "../../facts.js";
import { blobSizesQuery } from "./queries.js";

export interface BlobBudget {
  /** Largest file read through the blobs API. */
  perFileBytes: number;
  /** Total read through the blobs API for one pull request. */
  perPullRequestBytes: number;
}

export const DEFAULT_BLOB_BUDGET: BlobBudget = { perFileBytes: 5 * 1024 * 1024, perPullRequestBytes: 64 * 1024 * 1024 };
/** Aliases per blob-size query (GitHub's node limit is far above this). */
const SIZES_PER_QUERY = 100;
/** Blob downloads in flight at once (GitHub asks integrators not to flood it with concurrent requests). */
const PARALLEL_READS = 4;

const MB = (bytes: number): string => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

export async function loadChangedFiles(gh: GitHubClient, ref: { owner: string; repo: string; number: number }, budget: BlobBudget = DEFAULT_BLOB_BUDGET): Promise<ChangedFile[]> {
  const listed = await gh.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner: ref.owner, repo: ref.repo, pull_number: ref.number, per_page: 100 });
  const files: ChangedFile[] = listed.map((f) => ({
    path: f.filename,
    previousPath: f.previous_filename ?? null,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    patch: f.patch ?? null,
    sha: f.sha ?? null,
  }));
  const unpatched = files.filter(needsContent);
  if (unpatched.length > 0) await readContents(gh, ref, unpatched, budget);
  return files;
}

/** A file with content GitHub did not show as a patch: anything but a deletion or a pure rename. */
export function needsContent(file: ChangedFile): boolean {
  if (file.patch !== null || file.status === "removed") return false;
  return file.additions > 0 || (file.status !== "renamed" && file.status !== "unchanged");
}

async function readContents(gh: GitHubClient, ref: { owner: string; repo: string }, files: ChangedFile[], budget: BlobBudget): Promise<void> {
  const withSha = files.filter((f) => !!f.sha);
  for (const f of files) if (!f.sha) f.content = { kind: "not-read", reason: "GitHub gave neither a patch nor a blob id for it" };
  const sizes = new Map<string, number>();
  for (let i = 0; i < withSha.length; i += SIZES_PER_QUERY) {
    const chunk = withSha.slice(i, i + SIZES_PER_QUERY);
    const variables = Object.fromEntries(chunk.map((f, j) => [`b${j}`, f.sha!]));
    const answer = await gh.graphql<{ repository: Record<string, { oid: string; byteSize: number } | null> }>(blobSizesQuery(chunk.length), { owner: ref.owner, repo: ref.repo, ...variables });
    for (const blob of Object.values(answer.repository)) if (blob) sizes.set(blob.oid, blob.byteSize);
  }
  // Budgets are allotted in list order before anything is read, so the outcome does not depend on timing.
  let used = 0;
  const toRead: ChangedFile[] = [];
  for (const file of withSha) {
    const size = sizes.get(file.sha!);
    if (size === undefined) {
      file.content = { kind: "not-read", reason: "its blob could not be found" };
    } else if (size > budget.perFileBytes) {
      file.content = { kind: "not-read", reason: `${MB(size)} is over the ${MB(budget.perFileBytes)} per-file budget for files GitHub shows no diff for` };
    } else if (used + size > budget.perPullRequestBytes) {
      file.content = { kind: "not-read", reason: `the ${MB(budget.perPullRequestBytes)} per-pull-request budget for files GitHub shows no diff for was used up` };
    } else {
      used += size;
      toRead.push(file);
    }
  }
  for (let i = 0; i < toRead.length; i += PARALLEL_READS) {
    await Promise.all(
      toRead.slice(i, i + PARALLEL_READS).map(async (file) => {
        const { data } = await gh.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", { owner: ref.owner, repo: ref.repo, file_sha: file.sha! });
        const bytes = Buffer.from(data.content ?? "", data.encoding === "base64" ? "base64" : "utf8");
        file.content = bytes.includes(0) ? { kind: "binary", bytes: bytes.length } : { kind: "text", text: bytes.toString("utf8") };
      }),
    );
  }
}
