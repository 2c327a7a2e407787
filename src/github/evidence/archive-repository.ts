// The evidence archive in the organization's archive repository. Each write is one
// GraphQL read of the branch head (the ledger head, today's shard and the id markers, all
// read through the same commit) and one `createCommitOnBranch` with `expectedHeadOid`:
// GitHub refuses the commit if the branch moved, and we re-read and seal onto the new head
// — so concurrent writers, in this process or another replica, never lose or duplicate a
// record and the chain stays linear. Records that arrive together go into one commit;
// commits are paced to GitHub's content-creation limits (80 a minute, 500 an hour).

import { createHash } from "node:crypto";
import type { GitHubClient } from "../transport/client.js";
import { ArchiveUnavailableError, type AppendResult, type EvidenceArchive, type RecordSigner } from "../../evidence/archive.js";
import type { EvidenceRecord } from "../../evidence/record.js";
import { GENESIS, HEAD_FILE, sealAll, serialiseRecord, shardPath, type LedgerHead } from "../../evidence/ledger.js";
import { idsInChain } from "../../evidence/chain-ids.js";
import type { StoredLine } from "../../evidence/verify.js";
import { attestationPathFor } from "../../trust/attestation.js";

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
  /** Signs records where they are sealed: key ids, attestations in the same commit, checkpoints after it. */
  signer?: RecordSigner;
}

export interface ArchiveStats {
  commits: number;
  records: number;
  conflictsRetried: number;
  /** Requests this writer sent (reads and writes), for the bench. */
  requests: number;
}

/**
 * One marker file per record id: a redelivery finds it with a single look-up. A marker is
 * only a hint — anyone who can write to the archive can add one for a commit they are about
 * to push — so a marker the app did not write in this process is confirmed in the chain.
 */
export const markerPath = (id: string): string => {
  const h = createHash("sha256").update(id).digest("hex");
  return `ids/${h.slice(0, 2)}/${h}`;
};

const MARKERS_PER_QUERY = 100;

interface BlobEntry {
  oid: string;
  object: { text?: string | null; isTruncated?: boolean } | null;
}

type CommitFiles = Record<string, BlobEntry | null | string>;

interface BranchState {
  headOid: string;
  head: LedgerHead;
  shardText: string;
  attestationText: string;
  archived: Set<string>;
}

const blobFields = "oid object { ... on Blob { text isTruncated } }";

/** GraphQL errors and HTTP errors, as far as we tell them apart. */
function errorKind(error: unknown): "missing" | "forbidden" | "other" {
  const e = error as { status?: number; errors?: Array<{ type?: string; message?: string }> };
  const types = (e.errors ?? []).map((x) => x.type);
  if (e.status === 404 || types.includes("NOT_FOUND")) return "missing";
  if (e.status === 403 || e.status === 401 || types.includes("FORBIDDEN") || /Resource not accessible/i.test(String((error as Error).message))) return "forbidden";
  return "other";
}

export class GitHubRepositoryArchive implements EvidenceArchive {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly knownIds = new Set<string>();
  private readonly pacer: ContentCreationPacer;
  readonly stats: ArchiveStats = { commits: 0, records: 0, conflictsRetried: 0, requests: 0 };

  constructor(
    private readonly gh: GitHubClient,
    private readonly options: ArchiveRepositoryOptions,
  ) {
    this.pacer = options.pacer ?? new ContentCreationPacer();
  }

  get description(): string {
    return `${this.options.owner}/${this.options.repo}@${this.options.branch}`;
  }

  private missing(): ArchiveUnavailableError {
    return new ArchiveUnavailableError(
      `the archive repository ${this.description} does not exist, is empty, or the app is not installed on it: create it with an initial commit and install soc2-guard on it`,
      "missing",
    );
  }

  private forbidden(what: "read" | "write"): ArchiveUnavailableError {
    return new ArchiveUnavailableError(`soc2-guard may not ${what} ${this.description}: grant the app Contents (${what === "read" ? "read" : "write"}) on it`, "forbidden");
  }

  private async query<T>(document: string, variables: Record<string, unknown>): Promise<T> {
    this.stats.requests++;
    try {
      return await this.gh.graphql<T>(document, variables);
    } catch (error) {
      const kind = errorKind(error);
      if (kind === "missing") throw this.missing();
      if (kind === "forbidden") throw this.forbidden("read");
      throw error;
    }
  }

  /**
   * The branch head and, read through that same commit, the ledger head, a shard and the
   * markers of `ids` — one request (plus one per further 100 ids).
   */
  private async readBranch(shard: string, ids: string[]): Promise<BranchState> {
    const first = ids.slice(0, MARKERS_PER_QUERY);
    const markers = first.map((id, i) => `m${i}: file(path: "${markerPath(id)}") { oid }`).join("\n          ");
    const data = await this.query<{ repository: { ref: { target: ({ oid: string } & CommitFiles) | null } | null } | null }>(
      `query ($owner: String!, $name: String!, $ref: String!, $shard: String!, $attestations: String!) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $ref) {
      target {
        oid
        ... on Commit {
          head: file(path: "${HEAD_FILE}") { ${blobFields} }
          shard: file(path: $shard) { ${blobFields} }
          attestations: file(path: $attestations) { ${blobFields} }
          ${markers}
        }
      }
    }
  }
}`,
      { owner: this.options.owner, name: this.options.repo, ref: `refs/heads/${this.options.branch}`, shard, attestations: attestationPathFor(shard) },
    );
    const target = data.repository?.ref?.target;
    if (!target) throw this.missing();
    const archived = new Set(first.filter((_, i) => target[`m${i}`]));
    for (let start = MARKERS_PER_QUERY; start < ids.length; start += MARKERS_PER_QUERY) {
      for (const id of await this.markersAt(target.oid, ids.slice(start, start + MARKERS_PER_QUERY))) archived.add(id);
    }
    const headText = await this.blobText(target.head as BlobEntry | null, HEAD_FILE, target.oid);
    return {
      headOid: target.oid,
      head: headText ? (JSON.parse(headText) as LedgerHead) : { hash: GENESIS, count: 0, lastId: null, updatedAt: "" },
      shardText: (await this.blobText(target.shard as BlobEntry | null, shard, target.oid)) ?? "",
      attestationText: this.options.signer ? ((await this.blobText(target.attestations as BlobEntry | null, attestationPathFor(shard), target.oid)) ?? "") : "",
      archived,
    };
  }

  /** Aliased fields of one commit, in one query (files at that commit, by alias). */
  private async commitFields<T extends object>(commitOid: string, fields: string[]): Promise<Partial<T>> {
    const data = await this.query<{ repository: { object: T | null } | null }>(
      `query ($owner: String!, $name: String!, $oid: GitObjectID!) {
  repository(owner: $owner, name: $name) {
    object(oid: $oid) {
      ... on Commit {
        ${fields.join("\n        ")}
      }
    }
  }
}`,
      { owner: this.options.owner, name: this.options.repo, oid: commitOid },
    );
    return data.repository?.object ?? {};
  }

  private async markersAt(commitOid: string, ids: string[]): Promise<string[]> {
    const commit = await this.commitFields<CommitFiles>(commitOid, ids.map((id, i) => `m${i}: file(path: "${markerPath(id)}") { oid }`));
    return ids.filter((_, i) => commit[`m${i}`]);
  }

  /** A blob's text from GraphQL, or — when GitHub truncated it — the raw file at that commit. */
  private async blobText(entry: BlobEntry | null, path: string, commitOid: string): Promise<string | null> {
    if (!entry) return null;
    if (entry.object && !entry.object.isTruncated && typeof entry.object.text === "string") return entry.object.text;
    this.stats.requests++;
    const { data } = await this.gh.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner: this.options.owner,
      repo: this.options.repo,
      path,
      ref: commitOid,
      headers: { accept: "application/vnd.github.raw+json" },
    });
    return typeof data === "string" ? data : Buffer.from((data as { content?: string }).content ?? "", "base64").toString("utf8");
  }

  private async headOid(): Promise<string> {
    const data = await this.query<{ repository: { ref: { target: { oid: string } | null } | null } | null }>(
      `query ($owner: String!, $name: String!, $ref: String!) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $ref) { target { oid } }
  }
}`,
      { owner: this.options.owner, name: this.options.repo, ref: `refs/heads/${this.options.branch}` },
    );
    const oid = data.repository?.ref?.target?.oid;
    if (!oid) throw this.missing();
    return oid;
  }

  async has(id: string): Promise<boolean> {
    if (this.knownIds.has(id)) return true;
    const marked = (await this.markersAt(await this.headOid(), [id])).length > 0;
    return marked && (await this.confirmInChain([id])).has(id);
  }

  /** Of ids whose markers exist, those whose records are in the chain (read and re-hashed now). */
  private async confirmInChain(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const chain = idsInChain((await this.read()).lines);
    for (const id of chain) this.knownIds.add(id);
    return new Set(ids.filter((id) => chain.has(id)));
  }

  append(records: EvidenceRecord[]): Promise<AppendResult> {
    const run = this.queue.then(() => this.appendNow(records));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNow(records: EvidenceRecord[]): Promise<AppendResult> {
    const maxAttempts = this.options.maxAttempts ?? 10;
    for (let attempt = 1; ; attempt++) {
      const now = (this.options.now ?? (() => new Date()))();
      const shard = shardPath(now);
      const unknown = [...new Set(records.map((r) => r.id).filter((id) => !this.knownIds.has(id)))];
      const state = await this.readBranch(shard, unknown);
      const inChain = await this.confirmInChain([...state.archived].filter((id) => !this.knownIds.has(id)));
      const duplicates: string[] = [];
      const fresh: EvidenceRecord[] = [];
      for (const record of records) {
        if (this.knownIds.has(record.id) || inChain.has(record.id)) {
          this.knownIds.add(record.id);
          duplicates.push(record.id);
        } else if (fresh.some((r) => r.id === record.id)) {
          // Twice in this batch: written once. Not "known" yet — this commit may still be refused.
          duplicates.push(record.id);
        } else fresh.push(record);
      }
      if (fresh.length === 0) return { written: [], duplicates };

      const signer = this.options.signer;
      const sealed = sealAll(signer ? fresh.map((r) => signer.stamp(r)) : fresh, state.head.hash);
      const last = sealed[sealed.length - 1]!;
      const nextHead: LedgerHead = { hash: last.hash, count: state.head.count + sealed.length, lastId: last.id, updatedAt: now.toISOString() };
      const additions = [
        { path: shard, text: state.shardText + sealed.map((r) => `${serialiseRecord(r)}\n`).join("") },
        { path: HEAD_FILE, text: `${JSON.stringify(nextHead, null, 2)}\n` },
        ...sealed.map((r) => ({ path: markerPath(r.id), text: `${r.id}\n${r.hash}\n` })),
        // The records' attestations travel in the same commit: no record without its signature.
        ...(signer ? [{ path: attestationPathFor(shard), text: state.attestationText + signer.attest(sealed).map((l) => `${l}\n`).join("") }] : []),
      ];
      await this.pacer.take();
      try {
        await this.commit(state.headOid, additions, {
          headline: `evidence: ${sealed.length} record${sealed.length === 1 ? "" : "s"} (${sealed[0]!.id}${sealed.length > 1 ? ", …" : ""})`,
          body: `chain head ${last.hash}`,
        });
      } catch (error) {
        // Someone else moved the branch (expectedHeadOid is stale): re-read and seal onto the new head.
        if (attempt < maxAttempts && (await this.branchMovedFrom(state.headOid, error))) {
          this.stats.conflictsRetried++;
          continue;
        }
        throw error;
      }
      for (const r of sealed) this.knownIds.add(r.id);
      this.stats.commits++;
      this.stats.records += sealed.length;
      signer?.committed(nextHead);
      return { written: sealed, duplicates };
    }
  }

  private async commit(expectedHeadOid: string, additions: Array<{ path: string; text: string }>, message: { headline: string; body: string }): Promise<void> {
    this.stats.requests++;
    try {
      await this.gh.graphql(
        `mutation ($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid } }
}`,
        {
          input: {
            branch: { repositoryNameWithOwner: `${this.options.owner}/${this.options.repo}`, branchName: this.options.branch },
            expectedHeadOid,
            message,
            fileChanges: { additions: additions.map((a) => ({ path: a.path, contents: Buffer.from(a.text, "utf8").toString("base64") })) },
          },
        },
      );
    } catch (error) {
      const kind = errorKind(error);
      if (kind === "forbidden") throw this.forbidden("write");
      if (kind === "missing") throw this.missing();
      throw error;
    }
  }

  /** A failed commit is a conflict exactly when the branch no longer points where we expected. */
  private async branchMovedFrom(expectedHeadOid: string, error: unknown): Promise<boolean> {
    if (error instanceof ArchiveUnavailableError) return false;
    return (await this.headOid()) !== expectedHeadOid;
  }

  /**
   * Every record line in chain order, and the ledger head. The shard paths come from the
   * `records/` tree alone (never a recursive listing of the whole repository, which the id
   * markers would push past GitHub's truncation limit); texts come SHARDS_PER_QUERY at a time.
   */
  async read(): Promise<{ lines: StoredLine[]; head: LedgerHead | null }> {
    return this.readTree("records");
  }

  /** attestations/YYYY/MM/DD.jsonl lines in order, read like the records. */
  async readAttestations(): Promise<StoredLine[]> {
    return (await this.readTree("attestations")).lines;
  }

  private async readTree(tree: "records" | "attestations"): Promise<{ lines: StoredLine[]; head: LedgerHead | null }> {
    const level = (inner: string) => `object { ... on Tree { entries { name type ${inner} } } }`;
    const data = await this.query<{ repository: { ref: { target: ({ oid: string; records: TreeLevel | null; head: BlobEntry | null }) | null } | null } | null }>(
      `query ($owner: String!, $name: String!, $ref: String!) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $ref) {
      target {
        oid
        ... on Commit {
          head: file(path: "${HEAD_FILE}") { ${blobFields} }
          records: file(path: "${tree}") { ${level(level(level("")))} }
        }
      }
    }
  }
}`,
      { owner: this.options.owner, name: this.options.repo, ref: `refs/heads/${this.options.branch}` },
    );
    const target = data.repository?.ref?.target;
    if (!target) throw this.missing();
    const shards = shardPaths(target.records, tree).sort();
    const lines: StoredLine[] = [];
    for (let start = 0; start < shards.length; start += SHARDS_PER_QUERY) {
      const chunk = shards.slice(start, start + SHARDS_PER_QUERY);
      const texts = await this.filesAt(target.oid, chunk);
      chunk.forEach((path, i) => {
        (texts[i] ?? "").split("\n").forEach((line, n) => {
          if (line.trim()) lines.push({ location: `${path}:${n + 1}`, text: line });
        });
      });
    }
    const headText = await this.blobText(target.head, HEAD_FILE, target.oid);
    return { lines, head: headText ? (JSON.parse(headText) as LedgerHead) : null };
  }

  private async filesAt(commitOid: string, paths: string[]): Promise<Array<string | null>> {
    const commit = await this.commitFields<Record<string, BlobEntry | null>>(commitOid, paths.map((path, i) => `s${i}: file(path: ${JSON.stringify(path)}) { ${blobFields} }`));
    const texts: Array<string | null> = [];
    for (let i = 0; i < paths.length; i++) texts.push(await this.blobText(commit[`s${i}`] ?? null, paths[i]!, commitOid));
    return texts;
  }
}

const SHARDS_PER_QUERY = 10;

/** records/ → YYYY/ → MM/ → DD.jsonl, as GraphQL tree entries. */
interface TreeLevel {
  object: { entries?: Array<{ name: string; type: string } & Partial<TreeLevel>> } | null;
}

function shardPaths(records: TreeLevel | null, tree: string): string[] {
  const paths: string[] = [];
  for (const year of records?.object?.entries ?? []) {
    for (const month of year.object?.entries ?? []) {
      for (const day of month.object?.entries ?? []) {
        if (day.type === "blob" && day.name.endsWith(".jsonl")) paths.push(`${tree}/${year.name}/${month.name}/${day.name}`);
      }
    }
  }
  return paths;
}
