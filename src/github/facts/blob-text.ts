// The whole text of a file GraphQL answered in part: GraphQL's Blob.text is cut past a
// size (`isTruncated`), and a config or CODEOWNERS decided on half a file is not decided.
// The Git blobs API returns the whole blob (up to 100 MB) by the oid GraphQL gave.

import type { GitHubClient } from "../transport/client.js";
import type { BlobAnswer } from "./pull-request-answer.js";

export async function blobText(gh: GitHubClient, repo: { owner: string; repo: string }, answer: BlobAnswer): Promise<string | null> {
  if (answer.kind === "absent") return null;
  if (answer.kind === "text") return answer.text;
  if (!answer.oid) throw new Error(`GitHub truncated a file in ${repo.owner}/${repo.repo} without naming its blob`);
  const { data } = await gh.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", { owner: repo.owner, repo: repo.repo, file_sha: answer.oid });
  return Buffer.from(data.content ?? "", data.encoding === "base64" ? "base64" : "utf8").toString("utf8");
}
