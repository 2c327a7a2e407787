// The evidence archive in the organization's archive repository, written through the Git
// data API. The branch head is the compare-and-swap: a ref update that is not a fast
// forward fails (422), and we re-read and try again — so concurrent writers, in this
// process or another replica, never lose or duplicate a record and the chain stays linear.
// Records that arrive together go into one commit; content-creating requests are paced
// to GitHub's limits (80 a minute, 500 an hour).

import { createHash } from "node:crypto";
import type { GitHubClient } from "./client.js";
import { ArchiveUnavailableError, type AppendResult, type EvidenceArchive } from "../evidence/archive.js";
import type { EvidenceRecord } from "../evidence/record.js";
import { GENESIS, HEAD_FILE, sealAll, serialiseRecord, shardPath, type LedgerHead } from "../evidence/ledger.js";
import type { StoredLine } from "../evidence/verify.js";

/** A sliding-window limiter for GitHub's content-creation limits. */
export class ContentCreationPacer {
  private readonly stamps: number[] = [];
  constructor(
    private readonly perMinute = 80,
    private readonly perHour = 500,
    private readonly clock: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async take(): Promise<void> {
    for (;;) {
      const now = this.clock();
      while (this.stamps.length > 0 && this.stamps[0]! <= now - 3_600_000) this.stamps.shift();
      const lastMinute = this.stamps.filter((t) => t > now - 60_000);
      if (lastMinute.length < this.perMinute && this.stamps.length < this.perHour) {
        this.stamps.push(now);
        return;
      }
      const waitUntil = lastMinute.length >= this.perMinute ? lastMinute[0]! + 60_000 : this.stamps[0]! + 3_600_000;
      await this.sleep(Math.max(1, waitUntil - now));
    }
  }
}

export interface ArchiveRepositoryOptions {
  owner: string;
  repo: string;
  branch: string;
  now?: () => Date;
  pacer?: ContentCreationPacer;
  maxAttempts?: number;
}

export interface ArchiveStats {
  commits: number;
  records: number;
  conflictsRetried: number;
}

const markerPath = (id: string): string => {
  const h = createHash("sha256").update(id).digest("hex");
  return `ids/${h.slice(0, 2)}/${h}`;
};

export class GitHubRepositoryArchive implements EvidenceArchive {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly knownIds = new Set<string>();
  private readonly pacer: ContentCreationPacer;
  readonly stats: ArchiveStats = { commits: 0, records: 0, conflictsRetried: 0 };

  constructor(
    private readonly gh: GitHubClient,
    private readonly options: ArchiveRepositoryOptions,
  ) {
    this.pacer = options.pacer ?? new ContentCreationPacer();
  }

  get description(): string {
    return `${this.options.owner}/${this.options.repo}@${this.options.branch}`;
  }

  private get repoParams() {
    return { owner: this.options.owner, repo: this.options.repo };
  }

  private async headCommit(): Promise<string> {
    try {
      const { data } = await this.gh.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...this.repoParams, ref: `heads/${this.options.branch}` });
      return data.object.sha;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404 || status === 409) {
        throw new ArchiveUnavailableError(
          `the archive repository ${this.description} does not exist, is empty, or the app is not installed on it: create it with an initial commit and install soc2-guard on it`,
          "missing",
        );
      }
      if (status === 403) throw new ArchiveUnavailableError(`soc2-guard may not read ${this.description}: grant the app Contents (write) on it`, "forbidden");
      throw error;
    }
  }

  private async readFile(path: string, ref: string): Promise<string | null> {
    try {
      const { data } = await this.gh.request("GET /repos/{owner}/{repo}/contents/{path}", { ...this.repoParams, path, ref, headers: { accept: "application/vnd.github.raw+json" } });
      return typeof data === "string" ? data : Buffer.from((data as { content?: string }).content ?? "", "base64").toString("utf8");
    } catch (error) {
      if ((error as { status?: number }).status === 404) return null;
      throw error;
    }
  }

  async has(id: string): Promise<boolean> {
    if (this.knownIds.has(id)) return true;
    const head = await this.headCommit();
    const found = (await this.readFile(markerPath(id), head)) !== null;
    if (found) this.knownIds.add(id);
    return found;
  }

  append(records: EvidenceRecord[]): Promise<AppendResult> {
    const run = this.queue.then(() => this.appendNow(records));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNow(records: EvidenceRecord[]): Promise<AppendResult> {
    const maxAttempts = this.options.maxAttempts ?? 10;
    for (let attempt = 1; ; attempt++) {
      const headSha = await this.headCommit();
      const duplicates: string[] = [];
      const fresh: EvidenceRecord[] = [];
      for (const record of records) {
        if (fresh.some((r) => r.id === record.id) || this.knownIds.has(record.id) || (await this.readFile(markerPath(record.id), headSha)) !== null) {
          this.knownIds.add(record.id);
          duplicates.push(record.id);
        } else fresh.push(record);
      }
      if (fresh.length === 0) return { written: [], duplicates };

      const { data: commit } = await this.gh.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...this.repoParams, commit_sha: headSha });
      const headText = await this.readFile(HEAD_FILE, headSha);
      const head: LedgerHead = headText ? (JSON.parse(headText) as LedgerHead) : { hash: GENESIS, count: 0, lastId: null, updatedAt: "" };
      const now = (this.options.now ?? (() => new Date()))();
      const shard = shardPath(now);
      const existingShard = (await this.readFile(shard, headSha)) ?? "";
      const sealed = sealAll(fresh, head.hash);
      const last = sealed[sealed.length - 1]!;
      const nextHead: LedgerHead = { hash: last.hash, count: head.count + sealed.length, lastId: last.id, updatedAt: now.toISOString() };

      await this.pacer.take();
      const { data: tree } = await this.gh.request("POST /repos/{owner}/{repo}/git/trees", {
        ...this.repoParams,
        base_tree: commit.tree.sha,
        tree: [
          { path: shard, mode: "100644", type: "blob", content: existingShard + sealed.map((r) => `${serialiseRecord(r)}\n`).join("") },
          { path: HEAD_FILE, mode: "100644", type: "blob", content: `${JSON.stringify(nextHead, null, 2)}\n` },
          ...sealed.map((r) => ({ path: markerPath(r.id), mode: "100644" as const, type: "blob" as const, content: `${r.id}\n${r.hash}\n` })),
        ],
      });
      await this.pacer.take();
      const { data: created } = await this.gh.request("POST /repos/{owner}/{repo}/git/commits", {
        ...this.repoParams,
        message: `evidence: ${sealed.length} record${sealed.length === 1 ? "" : "s"} (${sealed[0]!.id}${sealed.length > 1 ? ", …" : ""})\n\nchain head ${last.hash}`,
        tree: tree.sha,
        parents: [headSha],
      });
      await this.pacer.take();
      try {
        await this.gh.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { ...this.repoParams, ref: `heads/${this.options.branch}`, sha: created.sha, force: false });
      } catch (error) {
        const status = (error as { status?: number }).status;
        // Someone else moved the branch: re-read and seal onto the new head.
        if ((status === 422 || status === 409) && attempt < maxAttempts) {
          this.stats.conflictsRetried++;
          continue;
        }
        throw error;
      }
      for (const r of sealed) this.knownIds.add(r.id);
      this.stats.commits++;
      this.stats.records += sealed.length;
      return { written: sealed, duplicates };
    }
  }

  async read(): Promise<{ lines: StoredLine[]; head: LedgerHead | null }> {
    const headSha = await this.headCommit();
    const { data: commit } = await this.gh.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...this.repoParams, commit_sha: headSha });
    const { data: tree } = await this.gh.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", { ...this.repoParams, tree_sha: commit.tree.sha, recursive: "1" });
    const shards = tree.tree.filter((e) => e.type === "blob" && e.path?.startsWith("records/") && e.path.endsWith(".jsonl")).map((e) => e.path!).sort();
    const lines: StoredLine[] = [];
    for (const path of shards) {
      const text = (await this.readFile(path, headSha)) ?? "";
      text.split("\n").forEach((line, i) => {
        if (line.trim()) lines.push({ location: `${path}:${i + 1}`, text: line });
      });
    }
    const headText = await this.readFile(HEAD_FILE, headSha);
    return { lines, head: headText ? (JSON.parse(headText) as LedgerHead) : null };
  }
}
