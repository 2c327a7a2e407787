// Checkpoints for a local archive directory: one DSSE envelope per line in a file the
// operator keeps apart from the archive (by default checkpoints.jsonl beside the
// records; `soc2-guard verify --archive DIR --checkpoints FILE` reads it back). A local
// file has no authors: its protection is the signature and where the copy is kept.

import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { CheckpointAnchor } from "./checkpoint-publisher.js";
import type { Checkpoint } from "../trust/checkpoint.js";
import type { DsseEnvelope } from "../trust/dsse.js";
import type { CheckpointSource } from "../trust/verify-archive.js";

export const LOCAL_CHECKPOINTS_FILE = "checkpoints.jsonl";

export function readCheckpointFile(file: string): CheckpointSource[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .map((text, i) => ({ location: `${file}:${i + 1}`, author: null, text }))
    .filter((s) => s.text.trim());
}

export class LocalCheckpointLog implements CheckpointAnchor {
  constructor(
    private readonly file: string,
    readonly archive: string,
  ) {}

  get description(): string {
    return this.file;
  }

  async publish(_checkpoint: Checkpoint, envelope: DsseEnvelope): Promise<void> {
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${JSON.stringify(envelope)}\n`);
  }

  async list(): Promise<CheckpointSource[]> {
    return readCheckpointFile(this.file);
  }
}
