// The export's edge for a local archive directory: shards read one file at a time, files
// written under <dir>/exports/YYYY-MM/, issues looked up in <dir>/issues/.

import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { issueKeyMarker } from "../evidence/issue-sink.js";
import type { StoredLine } from "../evidence/verify.js";
import type { Period } from "../evidence/reconcile.js";
import type { ExportIssueLookup, ExportStore } from "./ports.js";
import type { ReviewIssueState } from "./exception-row.js";
import type { ExportFiles } from "./verify-export.js";
import type { CheckpointSource } from "../trust/verify-archive.js";
import { HEAD_FILE, type LedgerHead } from "../evidence/ledger.js";

/** records/YYYY/MM/DD.jsonl paths from the period's first day on, in chain order. */
export function shardsFrom(root: string, since: string): string[] {
  const first = `records/${since.slice(0, 4)}/${since.slice(5, 7)}/${since.slice(8, 10)}.jsonl`;
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = join(root, rel);
    if (!existsSync(abs)) return;
    for (const e of readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        // Skip whole years and months before the period.
        if (path < first.slice(0, path.length)) continue;
        walk(path);
      } else if (e.name.endsWith(".jsonl") && path >= first) out.push(path);
    }
  };
  walk("records");
  return out;
}

export class LocalExportStore implements ExportStore, ExportIssueLookup {
  readonly shardsRead: string[] = [];

  constructor(readonly root: string) {}

  get description(): string {
    return `local directory ${this.root}`;
  }

  get verifyArgs(): string {
    return `--archive ${this.root}`;
  }

  async *periodLines(period: Period): AsyncIterable<StoredLine> {
    for (const shard of shardsFrom(this.root, period.since)) {
      this.shardsRead.push(shard);
      const lines = readFileSync(join(this.root, shard), "utf8").split("\n");
      for (let i = 0; i < lines.length; i++) if (lines[i]!.trim()) yield { location: `${shard}:${i + 1}`, text: lines[i]! };
    }
  }

  async readExportFile(path: string): Promise<string | null> {
    const file = join(this.root, path);
    return existsSync(file) ? readFileSync(file, "utf8") : null;
  }

  async writeFiles(files: Map<string, string>): Promise<{ written: boolean; ref: string }> {
    const same = [...files].every(([path, text]) => existsSync(join(this.root, path)) && readFileSync(join(this.root, path), "utf8") === text);
    if (same) return { written: false, ref: "local" };
    for (const [path, text] of files) {
      mkdirSync(dirname(join(this.root, path)), { recursive: true });
      writeFileSync(join(this.root, path), text);
    }
    return { written: true, ref: "local" };
  }

  fileLinks(paths: string[]): Record<string, string> {
    return Object.fromEntries(paths.map((p) => [p.split("/").pop()!, `file://${join(this.root, p)}`]));
  }

  private issueFiles(): Array<{ path: string; text: string }> {
    const dir = join(this.root, "issues");
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .sort()
      .map((name) => ({ path: join(dir, name), text: readFileSync(join(dir, name), "utf8") }));
  }

  async find(key: string): Promise<string | null> {
    const hit = this.issueFiles().find((f) => f.text.includes(issueKeyMarker(key)));
    return hit ? `file://${hit.path}` : null;
  }

  /** Local issues have no open/closed state: every review reads as unknown. */
  async reviewStates(): Promise<Map<string, ReviewIssueState>> {
    return new Map();
  }

  /** One process writes a local directory: LocalIssueSink never duplicates. */
  async settle(): Promise<void> {}

  async ledgerHead(): Promise<LedgerHead | null> {
    return localLedgerHead(this.root);
  }
}

/** What `verify --export` reads from a local archive: the files, and the issues written beside them. */
export class LocalExportFiles implements ExportFiles {
  constructor(readonly root: string) {}

  async read(path: string): Promise<string | null> {
    const file = join(this.root, path);
    return existsSync(file) ? readFileSync(file, "utf8") : null;
  }

  async statements(): Promise<CheckpointSource[]> {
    const dir = join(this.root, "issues");
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .sort()
      .map((name) => ({ location: join(dir, name), author: null, text: readFileSync(join(dir, name), "utf8") }));
  }
}

/** head.json of a local archive (the export signs the chain head it finds). */
export function localLedgerHead(root: string): LedgerHead | null {
  const file = join(root, HEAD_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as LedgerHead) : null;
}
