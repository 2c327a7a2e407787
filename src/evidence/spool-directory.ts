// A journal on disk with one file per entry, named by a hash of the entry's id: what waits
// for GitHub (webhook intents, sealed-to-be records) survives a crash or a restart. Each
// write goes to a unique temporary file and is renamed into place, so two processes
// sharing the directory never see half an entry and never corrupt each other's; files and
// directory are created readable by the owner only (0600 / 0700). A file that does not
// parse is moved to `quarantine/` and logged — it never stops the others from being read.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomically } from "../atomic-file.js";

export interface SpoolEntry<T> {
  id: string;
  value: T;
  /** When the entry was first kept: how long it has been waiting. */
  since: string;
  attempts: number;
  lastProblem: string | null;
  /** Not tried again before this time (ISO), so one refused entry backs off on its own. */
  notBefore: string | null;
}

export interface SpoolLog {
  warn: (fields: Record<string, unknown>, message: string) => void;
}

const ENTRY_SUFFIX = ".json";

export class SpoolDirectory<T> {
  private readonly quarantineDir: string;

  constructor(
    readonly dir: string,
    private readonly log: SpoolLog = { warn: () => undefined },
  ) {
    this.quarantineDir = join(dir, "quarantine");
  }

  private ensure(): void {
    if (!existsSync(this.dir)) mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  private file(id: string): string {
    return join(this.dir, `${createHash("sha256").update(id).digest("hex")}${ENTRY_SUFFIX}`);
  }

  /** Writes (or replaces) the entry atomically. */
  put(entry: SpoolEntry<T>): void {
    this.ensure();
    const target = this.file(entry.id);
    writeFileAtomically(target, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }

  get(id: string): SpoolEntry<T> | null {
    const file = this.file(id);
    return existsSync(file) ? this.parse(file) : null;
  }

  has(id: string): boolean {
    return existsSync(this.file(id));
  }

  remove(id: string): void {
    rmSync(this.file(id), { force: true });
  }

  /** Every readable entry, oldest first; unreadable files are quarantined. */
  list(): Array<SpoolEntry<T>> {
    if (!existsSync(this.dir)) return [];
    const entries: Array<SpoolEntry<T>> = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith(ENTRY_SUFFIX)) continue;
      const entry = this.parse(join(this.dir, name));
      if (entry) entries.push(entry);
    }
    return entries.sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : a.id < b.id ? -1 : 1));
  }

  private parse(file: string): SpoolEntry<T> | null {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return null; // removed by another process meanwhile
    }
    try {
      const entry = JSON.parse(text) as SpoolEntry<T>;
      if (typeof entry?.id !== "string" || entry.value === undefined || typeof entry.since !== "string") throw new Error("not a spool entry");
      return entry;
    } catch (error) {
      mkdirSync(this.quarantineDir, { recursive: true, mode: 0o700 });
      const moved = join(this.quarantineDir, `${Date.now()}-${file.split("/").pop()}`);
      try {
        renameSync(file, moved);
      } catch {
        return null;
      }
      this.log.warn({ file, quarantined: moved, problem: (error as Error).message }, "unreadable evidence spool entry quarantined; the other entries are unaffected");
      return null;
    }
  }

  /** Entries written by an older version: one JSON record per line in `file`. Imported once. */
  importLines(file: string, toEntry: (value: unknown) => SpoolEntry<T>): number {
    if (!existsSync(file)) return 0;
    let imported = 0;
    for (const [i, line] of readFileSync(file, "utf8").split("\n").entries()) {
      if (!line.trim()) continue;
      try {
        const entry = toEntry(JSON.parse(line));
        if (!this.has(entry.id)) this.put(entry);
        imported++;
      } catch (error) {
        mkdirSync(this.quarantineDir, { recursive: true, mode: 0o700 });
        const moved = join(this.quarantineDir, `${Date.now()}-line-${i + 1}.txt`);
        writeFileSync(moved, `${line}\n`, { mode: 0o600 });
        this.log.warn({ file, line: i + 1, quarantined: moved, problem: (error as Error).message }, "unreadable line in the old evidence spool quarantined; the other lines are unaffected");
      }
    }
    renameSync(file, `${file}.imported`);
    return imported;
  }
}

/** Capped exponential backoff: base, ×3 each time, never more than cap. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 3 ** Math.max(0, attempt - 1));
}
