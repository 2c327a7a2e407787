// Signs and anchors a checkpoint after archive commits, at most one per interval (a
// minute by default): the first commit after a quiet spell is checkpointed at once, later
// ones within the interval are folded into one checkpoint at its end. A failed anchor is
// retried with the next commit or timer; the newest head always wins. flush() (shutdown,
// the export) anchors what is pending now. reassert() (the daily pass) posts the newest
// checkpoint again if it vanished from the anchor (src/evidence/anchored-checkpoint-memory.ts).

import type { LedgerHead } from "./ledger.js";
import { checkpointEnvelopesIn, signCheckpoint, type Checkpoint } from "../trust/checkpoint.js";
import type { DsseEnvelope } from "../trust/dsse.js";
import type { SigningKey } from "../trust/signing-key.js";
import type { CheckpointSource } from "../trust/verify-archive.js";
import type { AnchoredCheckpointMemory } from "./anchored-checkpoint-memory.js";

/** Where checkpoints are anchored: the checkpoints issue, or a local file. */
export interface CheckpointAnchor {
  readonly description: string;
  /** The archive the checkpoints speak for, e.g. `acme/compliance-evidence@main`. */
  readonly archive: string;
  publish(checkpoint: Checkpoint, envelope: DsseEnvelope): Promise<void>;
  /** Every checkpoint anchored so far, with its author where the anchor has authors. */
  list(): Promise<CheckpointSource[]>;
}

export interface CheckpointLog {
  warn: (fields: object, message: string) => void;
  info?: (fields: object, message: string) => void;
}

export class CheckpointPublisher {
  private pending: LedgerHead | null = null;
  private lastPublishedAt = Number.NEGATIVE_INFINITY;
  private lastCount = -1;
  private timer: NodeJS.Timeout | null = null;
  private publishing: Promise<void> = Promise.resolve();
  /** The latest checkpoint this process anchored (the export issue carries it). */
  latest: { checkpoint: Checkpoint; envelope: DsseEnvelope } | null = null;

  constructor(
    private readonly anchor: CheckpointAnchor,
    private readonly key: SigningKey,
    private readonly options: { intervalMs?: number; now?: () => Date; log?: CheckpointLog; previousKey?: SigningKey | null; memory?: AnchoredCheckpointMemory | null } = {},
  ) {
    this.latest = options.memory?.load() ?? null;
    if (this.latest) this.lastCount = this.latest.checkpoint.count;
  }

  get intervalMs(): number {
    return this.options.intervalMs ?? 60_000;
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  committed(head: LedgerHead): void {
    if (!this.pending || head.count > this.pending.count) this.pending = head;
    const wait = this.lastPublishedAt + this.intervalMs - this.now().getTime();
    if (wait <= 0) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, wait);
      this.timer.unref();
    }
  }

  /** Resolves when the anchoring in progress (if any) is done, without forcing a new one. */
  settled(): Promise<void> {
    return this.publishing;
  }

  /** Anchors the pending head now (if any); resolves when done. */
  flush(): Promise<void> {
    const run = this.publishing.then(() => this.publishPending());
    this.publishing = run.catch(() => undefined);
    return run;
  }

  private remember(anchored: { checkpoint: Checkpoint; envelope: DsseEnvelope }): void {
    try {
      this.options.memory?.save(anchored);
    } catch (error) {
      this.options.log?.warn({ err: (error as Error).message }, "could not remember the anchored checkpoint; the daily pass cannot re-anchor it if it is deleted");
    }
  }

  /**
   * Is the newest checkpoint this app anchored still on the anchor? If someone deleted it,
   * post the same signed envelope again and say so: a rollback to an older checkpoint then
   * shows in `verify` as a checkpoint beyond the chain.
   */
  reassert(): Promise<"present" | "re-anchored" | "none"> {
    const run = this.publishing.then(async () => {
      const latest = this.latest;
      if (!latest) return "none" as const;
      const signature = latest.envelope.signatures[0]?.sig;
      const sources = await this.anchor.list();
      const present = sources.some((s) => checkpointEnvelopesIn(s.text).some((e) => e.payload === latest.envelope.payload && e.signatures.some((sig) => sig.sig === signature)));
      if (present) return "present" as const;
      await this.anchor.publish(latest.checkpoint, latest.envelope);
      this.options.log?.warn(
        { count: latest.checkpoint.count, head: latest.checkpoint.head, time: latest.checkpoint.time, anchor: this.anchor.description },
        "the newest checkpoint soc2-guard anchored was missing from the anchor (deleted?); anchored it again — if the archive was rolled back, verify now shows it",
      );
      return "re-anchored" as const;
    });
    this.publishing = run.then(() => undefined, () => undefined);
    return run;
  }

  private async publishPending(): Promise<void> {
    const head = this.pending;
    if (!head || head.count <= this.lastCount) return;
    this.pending = null;
    const signed = signCheckpoint({ archive: this.anchor.archive, count: head.count, head: head.hash, lastId: head.lastId, time: this.now().toISOString() }, this.key, this.options.previousKey ?? null);
    this.lastPublishedAt = this.now().getTime();
    try {
      await this.anchor.publish(signed.checkpoint, signed.envelope);
      this.lastCount = head.count;
      this.latest = signed;
      this.remember(signed);
      this.options.log?.info?.({ count: head.count, head: head.hash, anchor: this.anchor.description }, "checkpoint anchored");
    } catch (error) {
      // Kept for the next commit or timer: a later head supersedes it.
      const newer = this.pending as LedgerHead | null;
      if (!newer || newer.count < head.count) this.pending = head;
      this.options.log?.warn({ err: (error as Error).message, anchor: this.anchor.description }, "could not anchor the checkpoint; it is retried with the next commit");
      if (!this.timer) {
        this.timer = setTimeout(() => {
          this.timer = null;
          void this.flush();
        }, this.intervalMs);
        this.timer.unref();
      }
    }
  }
}
