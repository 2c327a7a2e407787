// Long-lived state the handlers share: caches, the per-PR serializer, the clock.
// Created once per app instance; tests and the bench create their own.

import type { Control } from "../controls/types.js";
import { catalogue } from "../controls/index.js";
import { EtagCache, RequestCounter } from "../github/transport/request-accounting.js";
import type { UpdateMergeCache } from "../github/facts/update-merge.js";
import { KeyedSerializer, type PullRequestSerializer } from "../runtime/serializer.js";
import type { GitHubClient } from "../github/transport/client.js";
import type { ArchiveConfig } from "../config/types.js";
import { SpoolingArchive } from "../evidence/pending-spool.js";
import { DirectorySpoolStore, moveSpool, type SpoolStore } from "../evidence/spool-store.js";
import type { EvidenceRecord } from "../evidence/record.js";
import { BatchingArchive } from "../evidence/batching-archive.js";
import { LocalDirectoryArchive } from "../evidence/local-archive.js";
import { GitHubRepositoryArchive } from "../github/evidence/archive-repository.js";
import { LocalIssueSink, type IssueSink } from "../evidence/issue-sink.js";
import { appBotLogin, GitHubIssueSink } from "../github/evidence/evidence-issues.js";
import type { IntakeHealth } from "../evidence/evidence-intake.js";
import { APP_VERSION } from "../version.js";
import { generateSigningKey, type SigningKey } from "../trust/signing-key.js";
import { AppRecordSigner } from "../trust/record-signer.js";
import { fingerprintKeyId } from "../secrets/fingerprint-key.js";
import { FileCheckpointMemory } from "../evidence/anchored-checkpoint-memory.js";
import { CheckpointPublisher, type CheckpointAnchor } from "../evidence/checkpoint-publisher.js";
import { LocalCheckpointLog, LOCAL_CHECKPOINTS_FILE } from "../evidence/local-checkpoints.js";
import { GitHubCheckpointIssue } from "../github/evidence/checkpoint-issue.js";
import { join } from "node:path";

export interface AppServices {
  /** Our app's slug, to recognise our own check runs (resolved once). */
  appSlug: () => Promise<string>;
  /** Our app's id, to tell a required check pinned to us from another app's (resolved once; null when unknown). */
  appId?: () => Promise<number | null>;
  etagCache: EtagCache;
  /** Counts every request of every event (the bench reads it). */
  counter: RequestCounter;
  updateMergeCache: UpdateMergeCache;
  /** Our check run per `owner/repo@sha`: shared by replicas when Redis is configured. */
  knownCheckRuns: CheckRunStore;
  serializer: PullRequestSerializer;
  /** Push and label events waiting per PR for the next evaluation: shared by replicas when Redis is configured. */
  eventRecords: EventRecordStore;
  fingerprintKey: Uint8Array;
  controls: Control[];
  now: () => Date;
  appVersion: string;
  /** The evidence archive for an organization: ARCHIVE_DIR when set, else its archive repository. */
  archiveFor: (gh: GitHubClient, owner: string, config: ArchiveConfig) => SpoolingArchive;
  issuesFor: (gh: GitHubClient, owner: string, config: ArchiveConfig) => IssueSink;
  /** The local archive directory when one is used instead of the archive repository. */
  archiveDir: string | null;
  /** Records and webhook intents waiting in the spools (written by their own retries). */
  pendingEvidence: () => number;
  /** Show a check run "in progress" only after this many ms of evaluation (default 2 s; 0 = at once). */
  inProgressAfterMs?: number;
  /** null when the evidence path is healthy, else what is stuck (for /readyz); optional. */
  evidenceProblem?: () => string | null;
  /** The app's Ed25519 key: attestations and checkpoints (a throwaway one in tests and the sandbox). */
  signingKey: SigningKey;
  /** The outgoing key during a key rotation: it co-signs checkpoints (see src/trust/key-rotation.ts). */
  previousSigningKey?: SigningKey | null;
  /** The checkpoint publisher of each archive in use (flushed on shutdown and before an export). */
  checkpointPublishers: () => CheckpointPublisher[];
  /** The checkpoint publisher of one organization's archive, once that archive is in use. */
  checkpointPublisherFor: (owner: string, config: ArchiveConfig) => CheckpointPublisher | null;
  /** What waits on the way into the archive, for `/readyz`: not ready when `overdue`. */
  spoolHealth: () => EvidenceSpoolHealth;
  /** Where webhook intents and records wait (SOC2_GUARD_SPOOL_DIR); null keeps them in memory. */
  spoolDir: string | null;
  /** A spool store the replicas share (Redis), by spool name; takes the place of `spoolDir` when set. */
  sharedSpool?: SharedSpools;
  /** Backoff of the evidence retries: first delay, cap, and how long records may wait before /readyz says so (ms). */
  evidenceRetry: { baseMs: number; capMs: number; overdueMs: number };
  /** Where the evidence spools log (a quarantined entry): the app's logger once a handler has run. */
  evidenceLog: ForwardingLog;
  /** Webhook intents on their way to records; set on first use by triggers/record-evidence.ts (a slot copies of the services share). */
  evidenceIntake: { current: { health(): IntakeHealth } | null };
}

/** A logger that forwards to the one set with `use` (stderr until then). */
export class ForwardingLog {
  private target: { warn: (fields: Record<string, unknown>, message: string) => void } | null = null;
  use(log: { warn: (fields: Record<string, unknown>, message: string) => void }): void {
    this.target = log;
  }
  warn(fields: Record<string, unknown>, message: string): void {
    if (this.target) this.target.warn(fields, message);
    else process.stderr.write(`${JSON.stringify({ level: "warn", msg: message, ...fields })}\n`);
  }
}

export interface EvidenceSpoolHealth extends Omit<IntakeHealth, "draining"> {
  /** Sealed-to-be records waiting for the archive. */
  records: number;
  /** Webhook intents whose facts are not fetched yet. */
  intents: number;
}

/** Opens the shared store of one spool ("intake", "records/<archive>"). */
export type SharedSpools = <T>(name: string) => SpoolStore<T>;

export interface ArchiveLocation {
  /** A local directory archive (development, tests, the demo). */
  archiveDir?: string;
  /** Where records wait when the archive cannot take them. */
  spoolDir?: string;
  /** Replicas: records wait in a store they share (Redis) instead of `spoolDir`. */
  sharedSpool?: SharedSpools;
  /**
   * Anchor signed checkpoints after archive commits: the checkpoints issue of the archive
   * repository, or the local checkpoints file (default `<archiveDir>/checkpoints.jsonl`).
   */
  checkpoints?: { intervalMs?: number; file?: string; log?: { warn: (fields: object, message: string) => void; info?: (fields: object, message: string) => void } };
}

export interface ArchiveTrust {
  signingKey: SigningKey;
  previousSigningKey?: SigningKey | null;
  fingerprintKey: Uint8Array;
  appSlug: () => Promise<string>;
}

const DEFAULT_EVIDENCE_RETRY = { baseMs: 2_000, capMs: 600_000, overdueMs: 72 * 3_600_000 };

/** One archive per organization, kept for the life of the process so appends are serialised. */
export function archiveFactory(
  location: ArchiveLocation,
  now: () => Date,
  trust: ArchiveTrust,
  retry: { baseMs: number; capMs: number } = DEFAULT_EVIDENCE_RETRY,
  log: ForwardingLog = new ForwardingLog(),
): Pick<AppServices, "archiveFor" | "issuesFor" | "checkpointPublishers" | "checkpointPublisherFor"> & { archives: () => SpoolingArchive[] } {
  const archives = new Map<string, SpoolingArchive>();
  const author = appBotLogin(trust.appSlug);
  const publishers = new Map<string, CheckpointPublisher>();
  const fingerprintId = fingerprintKeyId(trust.fingerprintKey);
  const archiveKey = (owner: string, config: ArchiveConfig): string => (location.archiveDir ? `dir:${location.archiveDir}` : `${owner}/${config.repository}@${config.branch}`);
  /** Signs where records are sealed; checkpoints after commits when anchoring is on. */
  const signerFor = (key: string, anchor: () => CheckpointAnchor): AppRecordSigner => {
    if (!location.checkpoints) return new AppRecordSigner(trust.signingKey, fingerprintId);
    const memory = location.spoolDir ? new FileCheckpointMemory(join(location.spoolDir, "checkpoints", `${key.replace(/[^A-Za-z0-9._-]/g, "_")}.json`)) : null;
    const publisher = new CheckpointPublisher(anchor(), trust.signingKey, { now, previousKey: trust.previousSigningKey ?? null, memory, ...(location.checkpoints.intervalMs !== undefined ? { intervalMs: location.checkpoints.intervalMs } : {}), ...(location.checkpoints.log ? { log: location.checkpoints.log } : {}) });
    publishers.set(key, publisher);
    return new AppRecordSigner(trust.signingKey, fingerprintId, (head) => publisher.committed(head));
  };
  return {
    archives: () => [...archives.values()],
    checkpointPublishers: () => [...publishers.values()],
    checkpointPublisherFor: (owner, config) => publishers.get(archiveKey(owner, config)) ?? null,
    archiveFor: (gh, owner, config) => {
      const key = archiveKey(owner, config);
      let archive = archives.get(key);
      if (!archive) {
        const inner = location.archiveDir
          ? new LocalDirectoryArchive(location.archiveDir, now, signerFor(key, () => new LocalCheckpointLog(location.checkpoints?.file ?? join(location.archiveDir!, LOCAL_CHECKPOINTS_FILE), "local")))
          : new GitHubRepositoryArchive(gh, {
              owner,
              repo: config.repository,
              branch: config.branch,
              now,
              signer: signerFor(key, () => new GitHubCheckpointIssue(gh, { owner, repo: config.repository, branch: config.branch, appSlug: trust.appSlug })),
            });
        const name = key.replace(/[^A-Za-z0-9._-]/g, "_");
        const shared = location.sharedSpool?.<EvidenceRecord>(`records/${name}`) ?? null;
        // Records a single process kept on disk before the switch to Redis join the shared spool.
        if (shared && location.spoolDir) void moveSpool(new DirectorySpoolStore<EvidenceRecord>(`${location.spoolDir}/records/${name}`, log), shared).catch((error: unknown) => log.warn({ problem: String((error as Error).message) }, "could not move the local evidence spool into Redis; it is tried again at the next start"));
        const spool = shared ?? (location.spoolDir ? `${location.spoolDir}/records/${name}` : null);
        // Batching: merges that arrive while a write is in flight share the next commit.
        archive = new SpoolingArchive(new BatchingArchive(inner), spool, { now, log, retryBaseMs: retry.baseMs, retryCapMs: retry.capMs });
        // Records an older version spooled as lines of one file.
        if (location.spoolDir && !location.sharedSpool) archive.importLegacySpool(`${location.spoolDir}/${name}.jsonl`);
        archives.set(key, archive);
      }
      return archive;
    },
    issuesFor: (gh, owner, config) => (location.archiveDir ? new LocalIssueSink(location.archiveDir) : new GitHubIssueSink(gh, owner, config.repository, author)),
  };
}

export function createServices(overrides: Partial<AppServices> & Pick<AppServices, "appSlug" | "fingerprintKey">, location: ArchiveLocation = {}): AppServices {
  const now = overrides.now ?? (() => new Date());
  // Tests and tools that bring no key sign with a throwaway one; production brings its own (src/evidence/app-keys.ts).
  const signingKey = overrides.signingKey ?? generateSigningKey();
  const evidenceRetry = overrides.evidenceRetry ?? DEFAULT_EVIDENCE_RETRY;
  const evidenceLog = overrides.evidenceLog ?? new ForwardingLog();
  const { archives, ...factory } = archiveFactory(location, now, { signingKey, previousSigningKey: overrides.previousSigningKey ?? null, fingerprintKey: overrides.fingerprintKey, appSlug: overrides.appSlug }, evidenceRetry, evidenceLog);
  const services: AppServices = {
    appVersion: APP_VERSION,
    archiveDir: location.archiveDir ?? null,
    signingKey,
    spoolDir: location.spoolDir ?? null,
    ...(location.sharedSpool ? { sharedSpool: location.sharedSpool } : {}),
    evidenceRetry,
    evidenceIntake: { current: null },
    evidenceLog,
    ...factory,
    pendingEvidence: () => services.spoolHealth().pending,
    // Not ready once something has waited past the limit (72 h: as long as GitHub keeps deliveries).
    evidenceProblem: () => {
      const h = services.spoolHealth();
      return h.overdue ? `${h.pending} evidence record(s) waiting for the archive since ${h.oldestSince}: ${h.lastProblem ?? "unknown problem"}` : null;
    },
    spoolHealth: () => {
      const intake = services.evidenceIntake.current?.health() ?? null;
      const kept = archives().map((a) => a.health());
      const records = kept.reduce((n, h) => n + h.pending, 0);
      const since = [intake?.oldestSince ?? null, ...kept.map((h) => h.oldestSince)].filter((s): s is string => s !== null).sort();
      const oldestSince = since[0] ?? null;
      return {
        pending: records + (intake?.pending ?? 0),
        records,
        intents: intake?.pending ?? 0,
        inFlight: intake?.inFlight ?? 0,
        oldestSince,
        lastProblem: intake?.lastProblem ?? kept.find((h) => h.lastProblem)?.lastProblem ?? null,
        overdue: oldestSince !== null && services.now().getTime() - new Date(oldestSince).getTime() >= evidenceRetry.overdueMs,
      };
    },
    etagCache: new EtagCache(),
    counter: new RequestCounter(),
    updateMergeCache: new Map(),
    knownCheckRuns: new MemoryCheckRunStore(),
    serializer: new KeyedSerializer(),
    eventRecords: new MemoryEventRecords(),
    controls: catalogue,
    now: () => new Date(),
    ...overrides,
  };
  return services;
}

/** What a push or label event adds to our record on the head (triggers/evaluate-pull-request.ts applies it). */
export interface EventRecord {
  push?: { pusher: string; before: string; after: string };
  labeled?: { label: string; by: string; headSha: string };
}

/**
 * Per pull request (`owner/repo#n`, lower case), the push and label events not yet applied
 * by an evaluation: the serializer may fold an event's call into a run another event
 * queued — in another replica — so its record waits here for whichever run starts next.
 */
export interface EventRecordStore {
  add(key: string, event: EventRecord): Promise<void>;
  /** Every record waiting for this PR, oldest first, removed atomically. */
  take(key: string): Promise<EventRecord[]>;
}

/** One process's records. */
export class MemoryEventRecords implements EventRecordStore {
  private readonly byKey = new BoundedMap<string, EventRecord[]>(10_000);
  async add(key: string, event: EventRecord): Promise<void> {
    this.byKey.set(key, [...(this.byKey.get(key) ?? []), event]);
  }
  async take(key: string): Promise<EventRecord[]> {
    const events = this.byKey.get(key) ?? [];
    this.byKey.delete(key);
    return events;
  }
}

/** Which check run is ours on a commit (`owner/repo@sha`, lower case): a port, so replicas can share it. */
export interface CheckRunStore {
  get(key: string): Promise<number | undefined>;
  set(key: string, id: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Claims the creation of our run on this commit: true for the first caller — no run
   * recorded, no claim held — false once anyone (another replica, or this process before a
   * crash) has claimed or recorded one. Whoever gets false must not create blindly.
   */
  claim(key: string): Promise<boolean>;
  /** A digest of what check run `id` shows, as we last wrote it (an unchanged verdict is not resent). */
  lastWritten(id: number): Promise<string | undefined>;
  rememberWritten(id: number, digest: string): Promise<void>;
}

/** One process's store: bounded, forgets the oldest commits first. */
export class MemoryCheckRunStore implements CheckRunStore {
  /** 0: creation claimed, no id yet. */
  private readonly map = new BoundedMap<string, number>(10_000);
  private readonly written = new BoundedMap<number, string>(10_000);
  async get(key: string): Promise<number | undefined> {
    const id = this.map.get(key);
    return id ? id : undefined;
  }
  async set(key: string, id: number): Promise<void> {
    this.map.set(key, id);
  }
  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }
  async claim(key: string): Promise<boolean> {
    if (this.map.has(key)) return false;
    this.map.set(key, 0);
    return true;
  }
  /** Every commit known, with its run id (0 = claimed), oldest first. */
  protected known(): Array<[string, number]> {
    return [...this.map.entries()];
  }
  async lastWritten(id: number): Promise<string | undefined> {
    return this.written.get(id);
  }
  async rememberWritten(id: number, digest: string): Promise<void> {
    this.written.set(id, digest);
  }
}

/** A Map that forgets its oldest entries past a size, so long-running servers stay bounded. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }
  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.limit) {
      const oldest = this.keys().next().value;
      if (oldest !== undefined) super.delete(oldest);
    }
    return this;
  }
}
