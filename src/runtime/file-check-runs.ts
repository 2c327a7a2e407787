// Which check run is ours on a commit, for the single embedded process: kept in memory and
// in `<stateDir>/check-runs.jsonl`, so a restart still knows the runs it created and the
// creations it had claimed — a process killed between creating a run and recording its id
// does not create a second one when it works the same delivery again.
//
// One JSON object a line: {k, id} (our run), {k, claimed: true} (creation claimed),
// {k, deleted: true} (a re-run asked for a fresh run). Compacted on open and when it grows.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { MemoryCheckRunStore } from "../triggers/services.js";
import { writeFileAtomically } from "../atomic-file.js";

type Line = { k: string; id: number } | { k: string; claimed: true } | { k: string; deleted: true };

export class FileCheckRunStore extends MemoryCheckRunStore {
  private fd: number;
  private lines = 0;
  private readonly path: string;

  constructor(stateDir: string) {
    super();
    mkdirSync(stateDir, { recursive: true });
    this.path = join(stateDir, "check-runs.jsonl");
    if (existsSync(this.path)) {
      for (const text of readFileSync(this.path, "utf8").split("\n")) {
        if (!text.trim()) continue;
        let line: Line;
        try {
          line = JSON.parse(text) as Line;
        } catch {
          continue; // torn by a crash mid-write
        }
        if ("id" in line) void super.set(line.k, line.id);
        else if ("claimed" in line) void super.claim(line.k);
        else void super.delete(line.k);
      }
    }
    this.fd = this.compact();
  }

  /** Rewrites the file with what is known now; returns the descriptor to append to. */
  private compact(): number {
    const lines = this.known().map(([k, id]) => JSON.stringify(id > 0 ? { k, id } : { k, claimed: true }));
    writeFileAtomically(this.path, lines.length > 0 ? `${lines.join("\n")}\n` : "");
    this.lines = lines.length;
    return openSync(this.path, "a");
  }

  /** Claims are synced to disk (they prevent a second run); ids follow them cheaply. */
  private append(line: Line): void {
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    if ("claimed" in line) fsyncSync(this.fd);
    if (++this.lines > 2 * this.known().length + 1_000) {
      closeSync(this.fd);
      this.fd = this.compact();
    }
  }

  override async set(key: string, id: number): Promise<void> {
    const unchanged = (await super.get(key)) === id;
    await super.set(key, id);
    if (!unchanged) this.append({ k: key, id });
  }

  override async claim(key: string): Promise<boolean> {
    const claimed = await super.claim(key);
    if (claimed) this.append({ k: key, claimed: true });
    return claimed;
  }

  override async delete(key: string): Promise<void> {
    await super.delete(key);
    this.append({ k: key, deleted: true });
  }

  close(): void {
    closeSync(this.fd);
  }
}
