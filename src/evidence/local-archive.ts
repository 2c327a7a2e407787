// The archive as a local directory with the same layout as the archive repository:
// records/YYYY/MM/DD.jsonl plus head.json. Appends are serialised in-process.

import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { AppendResult, EvidenceArchive, RecordSigner } from "./archive.js";
import type { EvidenceRecord } from "./record.js";
import { GENESIS, HEAD_FILE, sealAll, serialiseRecord, shardPath, type LedgerHead } from "./ledger.js";
import type { StoredLine } from "./verify.js";
import { attestationPathFor } from "../trust/attestation.js";
import { idsInChain } from "./chain-ids.js";
import { writeFileAtomically } from "../atomic-file.js";

function listShards(root: string, tree: "records" | "attestations" = "records"): string[] {
  const dir = join(root, tree);
  if (!existsSync(dir)) return [];
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith(".jsonl") ? [join(d, e.name)] : []));
  return walk(dir);
}

export function readArchiveDirectory(root: string): { lines: StoredLine[]; head: LedgerHead | null } {
  const lines: StoredLine[] = [];
  for (const file of listShards(root)) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((text, i) => {
        if (text.trim()) lines.push({ location: `${relative(root, file)}:${i + 1}`, text });
      });
  }
  const headFile = join(root, HEAD_FILE);
  const head = existsSync(headFile) ? (JSON.parse(readFileSync(headFile, "utf8")) as LedgerHead) : null;
  return { lines, head };
}

/** attestations/YYYY/MM/DD.jsonl lines, in order (one DSSE envelope each). */
export function readAttestationDirectory(root: string): StoredLine[] {
  const lines: StoredLine[] = [];
  for (const file of listShards(root, "attestations")) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((text, i) => {
        if (text.trim()) lines.push({ location: `${relative(root, file)}:${i + 1}`, text });
      });
  }
  return lines;
}

export class LocalDirectoryArchive implements EvidenceArchive {
  private queue: Promise<unknown> = Promise.resolve();
  private ids: Set<string> | null = null;

  constructor(
    readonly root: string,
    private readonly now: () => Date = () => new Date(),
    /** Signs records where they are sealed (key ids, attestations, checkpoints). */
    private readonly signer: RecordSigner | null = null,
  ) {}

  get description(): string {
    return `local directory ${this.root}`;
  }

  private loadIds(): Set<string> {
    if (!this.ids) {
      // In the chain, re-hashed and linked: a line someone added by hand does not count.
      this.ids = idsInChain(readArchiveDirectory(this.root).lines);
    }
    return this.ids;
  }

  async has(id: string): Promise<boolean> {
    return this.loadIds().has(id);
  }

  async read(): Promise<{ lines: StoredLine[]; head: LedgerHead | null }> {
    return readArchiveDirectory(this.root);
  }

  append(records: EvidenceRecord[]): Promise<AppendResult> {
    const run = this.queue.then(() => this.appendNow(records));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private appendNow(records: EvidenceRecord[]): AppendResult {
    const ids = this.loadIds();
    const fresh: EvidenceRecord[] = [];
    const duplicates: string[] = [];
    for (const record of records) {
      if (ids.has(record.id) || fresh.some((r) => r.id === record.id)) duplicates.push(record.id);
      else fresh.push(record);
    }
    if (fresh.length === 0) return { written: [], duplicates };
    const headFile = join(this.root, HEAD_FILE);
    const head: LedgerHead = existsSync(headFile) ? JSON.parse(readFileSync(headFile, "utf8")) : { hash: GENESIS, count: 0, lastId: null, updatedAt: "" };
    const sealed = sealAll(this.signer ? fresh.map((r) => this.signer!.stamp(r)) : fresh, head.hash);
    const now = this.now();
    const shard = join(this.root, shardPath(now));
    mkdirSync(dirname(shard), { recursive: true });
    if (this.signer) {
      // Attestations first: a record never exists without its signature.
      const attestations = join(this.root, attestationPathFor(shardPath(now)));
      mkdirSync(dirname(attestations), { recursive: true });
      appendFileSync(attestations, this.signer.attest(sealed).map((l) => `${l}\n`).join(""));
    }
    appendFileSync(shard, sealed.map((r) => `${serialiseRecord(r)}\n`).join(""));
    const last = sealed[sealed.length - 1]!;
    const next: LedgerHead = { hash: last.hash, count: head.count + sealed.length, lastId: last.id, updatedAt: now.toISOString() };
    // Write-then-rename so a crash never leaves a half-written head.
    writeFileAtomically(headFile, `${JSON.stringify(next, null, 2)}\n`);
    for (const r of sealed) ids.add(r.id);
    this.signer?.committed(next);
    return { written: sealed, duplicates };
  }
}
