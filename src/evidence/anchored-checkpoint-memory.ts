// The latest checkpoint this app anchored, kept where the archive's admins cannot reach:
// the app's own disk. Anyone who can administer the archive repository can delete the
// app's comments on the checkpoints issue; deleting the newest ones and rolling the archive
// back to an older checkpoint would leave every remaining checkpoint agreeing with the
// chain. Remembering the newest envelope lets the app post it again (the daily pass), and
// then `verify` sees a checkpoint beyond the chain: the rollback shows.

import { existsSync, readFileSync } from "node:fs";
import type { Checkpoint } from "../trust/checkpoint.js";
import type { DsseEnvelope } from "../trust/dsse.js";
import { writeFileAtomically } from "../atomic-file.js";

export interface AnchoredCheckpoint {
  checkpoint: Checkpoint;
  envelope: DsseEnvelope;
}

export interface AnchoredCheckpointMemory {
  load(): AnchoredCheckpoint | null;
  save(anchored: AnchoredCheckpoint): void;
}

/** One JSON file, replaced atomically (0600: it holds nothing secret, but nobody else writes it). */
export class FileCheckpointMemory implements AnchoredCheckpointMemory {
  constructor(private readonly file: string) {}

  load(): AnchoredCheckpoint | null {
    if (!existsSync(this.file)) return null;
    try {
      const value = JSON.parse(readFileSync(this.file, "utf8")) as AnchoredCheckpoint;
      return value && value.checkpoint && value.envelope ? value : null;
    } catch {
      return null;
    }
  }

  save(anchored: AnchoredCheckpoint): void {
    writeFileAtomically(this.file, JSON.stringify(anchored), { mode: 0o600 });
  }
}
