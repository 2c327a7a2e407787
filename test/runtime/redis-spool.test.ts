// Against a real redis-server: the evidence spools shared by replicas. Records one replica
// kept while the archive was down are written by another after it died; an intent a
// replica accepted and died working on is taken over once its lease expires, and never
// worked by two replicas at once.

import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RedisSpoolStore } from "../../src/runtime/redis-spool.js";
import { DirectorySpoolStore, moveSpool } from "../../src/evidence/spool-store.js";
import { SpoolingArchive } from "../../src/evidence/pending-spool.js";
import { EvidenceIntake } from "../../src/evidence/evidence-intake.js";
import { ArchiveUnavailableError, type AppendResult, type EvidenceArchive } from "../../src/evidence/archive.js";
import { buildDirectPushRecord, type EvidenceRecord, type SealedRecord } from "../../src/evidence/record.js";
import { GENESIS, sealAll } from "../../src/evidence/ledger.js";
import { redisForSuite, redisSkipReason } from "../helpers/redis-server.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function record(n: number): EvidenceRecord {
  return buildDirectPushRecord({
    push: { repository: "acme/api", ref: "refs/heads/main", before: "0".repeat(40), after: n.toString(16).padStart(40, "b"), forced: false, pusher: "dev", commits: [{ id: n.toString(16).padStart(40, "b"), message: `change ${n}`, author: { username: "dev" } }] },
    branchRules: null,
    configHash: "c".repeat(64),
    meta: { deliveryId: `delivery-${n}`, appVersion: "0.1.0", collectedAt: "2026-11-02T12:00:00.000Z" },
  });
}

/** The archive repository as every replica sees it; `down` refuses every write. */
class SharedArchive implements EvidenceArchive {
  readonly description = "shared";
  readonly stored: SealedRecord[] = [];
  down = false;
  has = async (id: string) => this.stored.some((r) => r.id === id);
  read = async () => ({ lines: [], head: null });
  async append(records: EvidenceRecord[]): Promise<AppendResult> {
    if (this.down) throw new ArchiveUnavailableError("GitHub is down", "unreachable");
    const fresh = records.filter((r) => !this.stored.some((s) => s.id === r.id));
    const sealed = sealAll(fresh, this.stored.at(-1)?.hash ?? GENESIS);
    this.stored.push(...sealed);
    return { written: sealed, duplicates: records.filter((r) => !fresh.includes(r)).map((r) => r.id) };
  }
}

describe.skipIf(redisSkipReason !== null)(`evidence spools on Redis${redisSkipReason ? ` (${redisSkipReason})` : ""}`, () => {
  const { connect } = redisForSuite({ quiet: true });

  it("writes the records a dead replica kept while the archive was down, from another replica, once", async () => {
    const archive = new SharedArchive();
    archive.down = true;
    const dying = new SpoolingArchive(archive, new RedisSpoolStore<EvidenceRecord>(connect(), "s1", "records/acme"), { retryBaseMs: 60_000 });
    const kept = await dying.append([record(1), record(2)]);
    expect(kept.spooled).toBe(2);
    dying.stop(); // the replica is gone; its records are not on its disk
    archive.down = false;

    const survivor = new SpoolingArchive(archive, new RedisSpoolStore<EvidenceRecord>(connect(), "s1", "records/acme"), { sweepMs: 50 });
    const deadline = Date.now() + 5_000;
    while (archive.stored.length < 2 && Date.now() < deadline) await sleep(20);
    survivor.stop();
    expect(archive.stored.map((r) => r.id).sort()).toEqual([record(1).id, record(2).id].sort());
    expect(await new RedisSpoolStore(connect(), "s1", "records/acme").list()).toEqual([]);
  });

  it("takes over an intent whose replica died working on it, once its lease expires, and never works it twice at once", async () => {
    const working: string[] = [];
    const dyingRedis = connect();
    const dying = new EvidenceIntake<{ n: number }>({ dir: null, store: new RedisSpoolStore(dyingRedis, "s2", "intake"), leaseMs: 400, sweepMs: 50, log: quiet, work: () => (working.push("dying"), new Promise(() => undefined)) });
    void dying.accept("merge-1", { n: 1 });
    await sleep(50);
    expect(working).toEqual(["dying"]);

    const done: number[] = [];
    const survivor = new EvidenceIntake<{ n: number }>({ dir: null, store: new RedisSpoolStore(connect(), "s2", "intake"), leaseMs: 400, sweepMs: 50, log: quiet, work: async (intent) => void done.push(intent.n) });
    expect(await survivor.resume()).toBe(1);
    await sleep(300); // the dying replica still renews its lease: nobody else works on it
    expect(done).toEqual([]);

    dyingRedis.disconnect(); // SIGKILL: no more renewals
    const deadline = Date.now() + 5_000;
    while (done.length === 0 && Date.now() < deadline) await sleep(20);
    expect(done).toEqual([1]);
    await sleep(50);
    expect(survivor.health().pending).toBe(0);
    await survivor.drain(0);
  });
  it("moves what a single process kept on disk into Redis when it switches to replicas", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soc2-guard-spool-"));
    try {
      const local = new DirectorySpoolStore<EvidenceRecord>(join(dir, "records"));
      const archive = new SharedArchive();
      archive.down = true;
      await new SpoolingArchive(archive, local).append([record(3)]);
      const shared = new RedisSpoolStore<EvidenceRecord>(connect(), "s3", "records/acme");
      expect(await moveSpool(local, shared)).toBe(1);
      expect((await shared.list()).map((e) => e.id)).toEqual([record(3).id]);
      expect(await local.list()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
