// The export's edge for the archive repository on GitHub. Reads only the shards that can
// hold the period (a directory listing per month, then one raw read per day shard) and
// writes exports/YYYY-MM/* in one `createCommitOnBranch` with `expectedHeadOid` — skipped
// when the files are already there byte for byte (compared by git blob hash).

import { createHash } from "node:crypto";
import type { GitHubClient } from "../transport/client.js";
import type { StoredLine } from "../../evidence/verify.js";
import type { Period } from "../../evidence/reconcile.js";
import type { ExportStore } from "../../export/ports.js";
import type { ExportFiles } from "../../export/verify-export.js";
import type { CheckpointSource } from "../../trust/verify-archive.js";
import { HEAD_FILE, type LedgerHead } from "../../evidence/ledger.js";

export interface ExportRepository {
  owner: string;
  repo: string;
  branch: string;
  /** Web base for links, e.g. https://github.com or https://ghe.example.com. */
  htmlBase?: string;
}

/** Git's blob id: lets us compare a file we would write with the stored one without reading it. */
export function gitBlobSha(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** Month directories records/YYYY/MM from the period's month to `now`'s. */
export function monthDirectories(since: string, now: Date): string[] {
  const dirs: string[] = [];
  let y = Number(since.slice(0, 4));
  let m = Number(since.slice(5, 7));
  const endY = now.getUTCFullYear();
  const endM = now.getUTCMonth() + 1;
  while (y < endY || (y === endY && m <= endM)) {
    dirs.push(`records/${y}/${String(m).padStart(2, "0")}`);
    m === 12 ? ((m = 1), y++) : m++;
  }
  return dirs;
}

const status = (error: unknown): number | undefined => (error as { status?: number }).status;

export class GitHubExportStore implements ExportStore {
  readonly shardsRead: string[] = [];

  constructor(
    private readonly gh: GitHubClient,
    private readonly target: ExportRepository,
    private readonly maxAttempts = 5,
  ) {}

  get description(): string {
    return `${this.target.owner}/${this.target.repo}@${this.target.branch}`;
  }

  get verifyArgs(): string {
    return `--repo ${this.target.owner}/${this.target.repo}${this.target.branch === "main" ? "" : ` --branch ${this.target.branch}`}`;
  }

  private get repoParams(): { owner: string; repo: string } {
    return { owner: this.target.owner, repo: this.target.repo };
  }

  private async headOid(): Promise<string> {
    const { data } = await this.gh.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...this.repoParams, ref: `heads/${this.target.branch}` });
    return data.object.sha;
  }

  /** A directory's entries at a commit; none when it does not exist. */
  private async list(path: string, ref: string): Promise<Array<{ name: string; path: string; sha: string; type: string }>> {
    try {
      const { data } = await this.gh.request("GET /repos/{owner}/{repo}/contents/{path}", { ...this.repoParams, path, ref });
      return Array.isArray(data) ? data.map((e) => ({ name: e.name, path: e.path, sha: e.sha, type: e.type })) : [];
    } catch (error) {
      if (status(error) === 404) return [];
      throw error;
    }
  }

  private async raw(path: string, ref: string): Promise<string> {
    const { data } = await this.gh.request("GET /repos/{owner}/{repo}/contents/{path}", { ...this.repoParams, path, ref, headers: { accept: "application/vnd.github.raw+json" } });
    return typeof data === "string" ? data : Buffer.from((data as { content?: string }).content ?? "", "base64").toString("utf8");
  }

  private exported: Promise<Set<string>> | null = null;

  /** One listing of exports/ per run, then only the files that exist are read. */
  async readExportFile(path: string): Promise<string | null> {
    const dir = path.split("/").slice(0, 2).join("/");
    this.exported ??= this.headOid().then(async (ref) => new Set((await this.list("exports", ref)).filter((e) => e.type === "dir").map((e) => e.path)));
    if (!(await this.exported).has(dir)) return null;
    try {
      return await this.raw(path, this.target.branch);
    } catch (error) {
      if (status(error) === 404) return null;
      throw error;
    }
  }

  async *periodLines(period: Period, now: Date): AsyncIterable<StoredLine> {
    const ref = await this.headOid();
    const firstShard = `records/${period.since.slice(0, 4)}/${period.since.slice(5, 7)}/${period.since.slice(8, 10)}.jsonl`;
    for (const dir of monthDirectories(period.since, now)) {
      const shards = (await this.list(dir, ref)).filter((e) => e.type === "file" && e.name.endsWith(".jsonl") && e.path >= firstShard).sort((a, b) => a.path.localeCompare(b.path));
      for (const shard of shards) {
        this.shardsRead.push(shard.path);
        // One shard in memory at a time: a day of records, not the archive.
        const lines = (await this.raw(shard.path, ref)).split("\n");
        for (let i = 0; i < lines.length; i++) if (lines[i]!.trim()) yield { location: `${shard.path}:${i + 1}`, text: lines[i]! };
      }
    }
  }

  async writeFiles(files: Map<string, string>, message: string): Promise<{ written: boolean; ref: string }> {
    const dirs = [...new Set([...files.keys()].map((p) => p.slice(0, p.lastIndexOf("/"))))];
    for (let attempt = 1; ; attempt++) {
      const head = await this.headOid();
      const stored = new Map<string, string>();
      for (const dir of dirs) for (const e of await this.list(dir, head)) stored.set(e.path, e.sha);
      if ([...files].every(([path, text]) => stored.get(path) === gitBlobSha(text))) return { written: false, ref: head };
      try {
        const result = await this.gh.graphql<{ createCommitOnBranch: { commit: { oid: string } | null } | null }>(
          `mutation ($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid } }
}`,
          {
            input: {
              branch: { repositoryNameWithOwner: `${this.target.owner}/${this.target.repo}`, branchName: this.target.branch },
              expectedHeadOid: head,
              message: { headline: message },
              fileChanges: { additions: [...files].map(([path, text]) => ({ path, contents: Buffer.from(text, "utf8").toString("base64") })) },
            },
          },
        );
        return { written: true, ref: result.createCommitOnBranch?.commit?.oid ?? head };
      } catch (error) {
        // The branch moved under us (a record was appended): re-read and try again.
        if (attempt < this.maxAttempts && (await this.headOid()) !== head) continue;
        throw error;
      }
    }
  }

  /** head.json at the branch head: the chain head the export's checkpoint signs. */
  async ledgerHead(): Promise<LedgerHead | null> {
    try {
      return JSON.parse(await this.raw(HEAD_FILE, await this.headOid())) as LedgerHead;
    } catch (error) {
      if (status(error) === 404) return null;
      throw error;
    }
  }

  fileLinks(paths: string[], ref: string): Record<string, string> {
    const base = (this.target.htmlBase ?? "https://github.com").replace(/\/$/, "");
    return Object.fromEntries(paths.map((p) => [p.split("/").pop()!, `${base}/${this.target.owner}/${this.target.repo}/blob/${ref}/${p}`]));
  }
}

/** What `verify --export` reads from the archive repository: files at the branch head, and the app's export issues. */
export class GitHubExportFiles implements ExportFiles {
  constructor(
    private readonly gh: GitHubClient,
    private readonly target: ExportRepository,
  ) {}

  async read(path: string): Promise<string | null> {
    try {
      const { data } = await this.gh.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: this.target.owner, repo: this.target.repo, path, ref: this.target.branch, headers: { accept: "application/vnd.github.raw+json" } });
      return typeof data === "string" ? data : Buffer.from((data as { content?: string }).content ?? "", "base64").toString("utf8");
    } catch (error) {
      if (status(error) === 404) return null;
      throw error;
    }
  }

  async statements(): Promise<CheckpointSource[]> {
    const issues = await this.gh.paginate("GET /repos/{owner}/{repo}/issues", { owner: this.target.owner, repo: this.target.repo, state: "all", labels: "soc2-guard:export", per_page: 100 });
    return issues.map((i) => ({ location: i.html_url, author: i.user?.login ?? null, text: i.body ?? "" }));
  }
}
