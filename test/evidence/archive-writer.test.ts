import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProbotOctokit } from "probot";
import { FakeArchiveRepository } from "./fake-archive-repository.js";
import { ContentCreationPacer, GitHubRepositoryArchive } from "../../src/github/evidence/archive-repository.js";
import { BatchingArchive } from "../../src/evidence/batching-archive.js";
import { SpoolingArchive } from "../../src/evidence/pending-spool.js";
import { ArchiveUnavailableError, type AppendResult, type EvidenceArchive } from "../../src/evidence/archive.js";
import { buildDirectPushRecord, type EvidenceRecord, type SealedRecord } from "../../src/evidence/record.js";
import { sealAll, GENESIS } from "../../src/evidence/ledger.js";
import { verifyChain } from "../../src/evidence/verify.js";
import type { GitHubClient } from "../../src/github/transport/client.js";

const API = "https://api.github.com";
const client = () => new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as GitHubClient;

/** A pacer on a virtual clock: waiting advances time instead of sleeping. */
function virtualPacer() {
  let now = 0;
  const waits: number[] = [];
  return { pacer: new ContentCreationPacer(80, 500, () => now, async (ms) => void (waits.push(ms), (now += ms))), waits };
}

function record(n: number): EvidenceRecord {
  return buildDirectPushRecord({
    push: { repository: "acme/api", ref: "refs/heads/main", before: "0".repeat(40), after: n.toString(16).padStart(40, "b"), forced: false, pusher: "dev", commits: [{ id: n.toString(16).padStart(40, "b"), message: `change ${n}`, author: { username: "dev" } }] },
    branchRules: null,
    configHash: "c".repeat(64),
    meta: { deliveryId: `delivery-${n}`, appVersion: "0.1.0", collectedAt: "2026-11-02T12:00:00.000Z" },
  });
}

function writer(fake: FakeArchiveRepository, pacer: ContentCreationPacer) {
  return new GitHubRepositoryArchive(client(), { owner: fake.owner, repo: fake.repo, branch: fake.branch, pacer, maxAttempts: 50, now: () => new Date("2026-11-02T12:00:00Z") });
}

afterEach(() => nock.cleanAll());

describe("archive repository writer", () => {
  it("keeps 50 concurrent merges exactly once across two replicas with injected ref conflicts, batched, chain intact", async () => {
    const fake = new FakeArchiveRepository({ conflictEvery: 3 });
    fake.intercept(nock(API));
    const { pacer } = virtualPacer();
    const replicaA = writer(fake, pacer);
    const replicaB = writer(fake, pacer);
    const a = new BatchingArchive(replicaA);
    const b = new BatchingArchive(replicaB);
    const records = Array.from({ length: 50 }, (_, i) => record(i + 1));
    const results = await Promise.all(records.map((r, i) => (i % 2 === 0 ? a : b).append([r])));

    // Every caller learns its own record was written.
    expect(results.map((r) => r.written.map((w) => w.id))).toEqual(records.map((r) => [r.id]));
    const lines = fake.lines();
    expect(lines).toHaveLength(50);
    expect(new Set(lines.map((l) => (JSON.parse(l.text) as SealedRecord).id))).toEqual(new Set(records.map((r) => r.id)));
    const head = JSON.parse(fake.files().get("head.json")!);
    expect(verifyChain(lines, head)).toMatchObject({ ok: true, count: 50 });
    // Conflicts really happened (injected, and the two replicas racing) and each refused commit was retried.
    expect(fake.requests.conflictsInjected).toBeGreaterThan(0);
    expect(fake.requests.staleRefused).toBeGreaterThanOrEqual(fake.requests.conflictsInjected);
    expect(replicaA.stats.conflictsRetried + replicaB.stats.conflictsRetried).toBe(fake.requests.staleRefused);
    // Batching: far fewer commits than records.
    expect(replicaA.stats.commits + replicaB.stats.commits).toBe(fake.recordCommits());
    expect(fake.recordCommits()).toBeLessThan(10);
  });

  it("writes nothing new when the same records are redelivered, from this or another process", async () => {
    const fake = new FakeArchiveRepository();
    fake.intercept(nock(API));
    const { pacer } = virtualPacer();
    const records = Array.from({ length: 5 }, (_, i) => record(i + 1));
    await writer(fake, pacer).append(records);
    const before = fake.files().get("head.json");
    // A fresh process knows nothing in memory: the id markers in the repository decide.
    const again = await writer(fake, pacer).append([...records, records[0]!]);
    expect(again.written).toEqual([]);
    expect(again.duplicates).toHaveLength(6);
    expect(fake.files().get("head.json")).toBe(before);
    expect(fake.lines()).toHaveLength(5);
  });

  it("keeps records in the spool when the archive repository is missing, says why, and writes them once it exists", async () => {
    const fake = new FakeArchiveRepository({ missing: true });
    fake.intercept(nock(API));
    const { pacer } = virtualPacer();
    const spool = join(mkdtempSync(join(tmpdir(), "spool-")), "pending");
    const archive = new SpoolingArchive(writer(fake, pacer), spool);
    const entries = () => readdirSync(spool).filter((f) => f.endsWith(".json"));
    const first = await archive.append([record(1)]);
    const second = await archive.append([record(2)]);
    expect(first).toMatchObject({ written: [], spooled: 1 });
    expect(second).toMatchObject({ written: [], spooled: 2 });
    expect(second.problem).toMatch(/acme\/compliance-evidence@main does not exist, is empty, or the app is not installed on it/);
    // One file per record, readable by the owner only.
    expect(entries()).toHaveLength(2);
    expect(entries().map((f) => statSync(join(spool, f)).mode & 0o777)).toEqual([0o600, 0o600]);

    // The repository is created; a restarted process picks the spool up.
    fake.create();
    const restarted = new SpoolingArchive(writer(fake, pacer), spool);
    expect(restarted.pendingCount).toBe(2);
    const retried = await restarted.retry();
    expect(retried.written.map((r) => r.id)).toEqual([record(1).id, record(2).id]);
    expect(entries()).toEqual([]);
    expect(verifyChain(fake.lines(), JSON.parse(fake.files().get("head.json")!))).toMatchObject({ ok: true, count: 2 });
  });

  it("reports a write the app may not make as a typed 'forbidden' problem and keeps the record", async () => {
    // Installed with Contents: read — GitHub refuses the commit.
    const fake = new FakeArchiveRepository({ readOnly: true });
    fake.intercept(nock(API));
    const { pacer } = virtualPacer();
    const inner = writer(fake, pacer);
    await expect(inner.append([record(1)])).rejects.toMatchObject({ reason: "forbidden", message: expect.stringMatching(/may not write acme\/compliance-evidence@main: grant the app Contents \(write\)/) });
    const spooled = await new SpoolingArchive(inner, null).append([record(2)]);
    expect(spooled).toMatchObject({ written: [], spooled: 1 });
    expect(fake.lines()).toHaveLength(0);
  });

  it("paces content-creating requests: 80 a minute and 500 an hour by default", async () => {
    let now = 0;
    const waits: number[] = [];
    const pacer = new ContentCreationPacer(undefined, undefined, () => now, async (ms) => void (waits.push(ms), (now += ms)));
    for (let i = 0; i < 81; i++) await pacer.take();
    expect(waits).toEqual([60_000]);
    // Spread out so the minute limit never binds: the 501st request waits for the hour.
    waits.length = 0;
    now = 10 * 3_600_000;
    for (let i = 0; i < 500; i++) {
      await pacer.take();
      now += 1_000;
    }
    await pacer.take();
    expect(waits).toHaveLength(1);
    expect(now).toBe(11 * 3_600_000);
  });

  it("sends every commit of a burst through the pacer", async () => {
    const fake = new FakeArchiveRepository({ conflictEvery: 2 });
    fake.intercept(nock(API));
    let now = 0;
    const commitTimes: number[] = [];
    const pacer = new ContentCreationPacer(5, 500, () => now, async (ms) => void (now += ms));
    const take = pacer.take.bind(pacer);
    pacer.take = async () => {
      await take();
      commitTimes.push(now);
    };
    const archive = writer(fake, pacer);
    for (let i = 1; i <= 12; i++) await archive.append([record(i)]);
    // One pacer slot per commit attempt, including the refused ones.
    expect(commitTimes).toHaveLength(fake.requests.contentCreating);
    for (const t of commitTimes) expect(commitTimes.filter((u) => u > t - 60_000 && u <= t).length).toBeLessThanOrEqual(5);
    expect(now).toBeGreaterThanOrEqual(60_000);
  });
});

describe("spool under concurrent appends", () => {
  /** An archive whose first write fails after the second one has started. */
  class FlakyArchive implements EvidenceArchive {
    readonly description = "flaky";
    readonly stored: SealedRecord[] = [];
    private calls = 0;
    has = async (id: string) => this.stored.some((r) => r.id === id);
    read = async () => ({ lines: [], head: null });
    async append(records: EvidenceRecord[]): Promise<AppendResult> {
      const call = ++this.calls;
      await new Promise((r) => setTimeout(r, call === 1 ? 5 : 10));
      if (call === 1) throw new ArchiveUnavailableError("GitHub is down", "unreachable");
      const fresh = records.filter((r) => !this.stored.some((s) => s.id === r.id));
      const sealed = sealAll(fresh, this.stored.at(-1)?.hash ?? GENESIS);
      this.stored.push(...sealed);
      return { written: sealed, duplicates: records.filter((r) => !fresh.includes(r)).map((r) => r.id) };
    }
  }

  it("never drops a record whose write failed while another write succeeded", async () => {
    const inner = new FlakyArchive();
    const spool = new SpoolingArchive(inner, join(mkdtempSync(join(tmpdir(), "spool-")), "pending"));
    await Promise.all([spool.append([record(1)]), spool.append([record(2)])]);
    const kept = new Set([...inner.stored.map((r) => r.id), ...(spool.pendingCount > 0 ? [record(1).id] : [])]);
    expect(kept).toEqual(new Set([record(1).id, record(2).id]));
    await spool.retry();
    expect(inner.stored.map((r) => r.id).sort()).toEqual([record(1).id, record(2).id].sort());
  });
});
