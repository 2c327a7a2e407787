import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { FakeArchiveRepository } from "./fake-archive-repository.js";
import { ContentCreationPacer, GitHubRepositoryArchive } from "../../src/github/evidence/archive-repository.js";
import { BatchingArchive } from "../../src/evidence/batching-archive.js";
import { SpoolingArchive } from "../../src/evidence/pending-spool.js";
import { buildDirectPushRecord, type EvidenceRecord } from "../../src/evidence/record.js";
import { makeVerifyCommand } from "../../src/cli/verify.js";
import type { CliIO } from "../../src/cli/io.js";
import type { GitHubClient } from "../../src/github/transport/client.js";

const API = "https://api.github.com";
const client = () => new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as GitHubClient;
const idle = () => new ContentCreationPacer(80, 500, () => 0, async () => {});

function record(n: number): EvidenceRecord {
  return buildDirectPushRecord({
    push: { repository: "acme/api", ref: "refs/heads/main", before: "0".repeat(40), after: n.toString(16).padStart(40, "d"), forced: false, pusher: "dev", commits: [] },
    branchRules: null,
    configHash: "c".repeat(64),
    meta: { deliveryId: `delivery-${n}`, appVersion: "0.1.0", collectedAt: "2026-11-02T12:00:00.000Z" },
  });
}

/** Six records over two days (two shards), written one commit each. */
async function archiveOfSix(options: { truncateAbove?: number } = {}): Promise<FakeArchiveRepository> {
  const fake = new FakeArchiveRepository(options);
  fake.intercept(nock(API));
  let day = "2026-11-02";
  const writer = new GitHubRepositoryArchive(client(), { owner: "acme", repo: "compliance-evidence", branch: "main", pacer: idle(), now: () => new Date(`${day}T12:00:00Z`) });
  for (let n = 1; n <= 6; n++) {
    if (n === 4) day = "2026-11-03";
    await writer.append([record(n)]);
  }
  return fake;
}

function io(): CliIO & { out: string[] } {
  const out: string[] = [];
  return { out, stdout: (t) => out.push(t), stderr: (t) => out.push(t), readStdin: async () => "", env: { GITHUB_TOKEN: "t" }, cwd: "/" };
}

const verify = makeVerifyCommand(() => client());
const args = ["--repo", "acme/compliance-evidence"];
const editLine = (files: Map<string, string>, path: string, edit: (lines: string[]) => void) => {
  const lines = files.get(path)!.split("\n").filter(Boolean);
  edit(lines);
  files.set(path, `${lines.join("\n")}\n`);
};

afterEach(() => nock.cleanAll());

describe("soc2-guard verify --repo (the archive repository)", () => {
  it("passes an intact archive across day shards and prints the count", async () => {
    await archiveOfSix();
    const cli = io();
    expect(await verify(args, cli)).toBe(0);
    expect(cli.out.join("")).toMatch(/^ok: 6 records intact in acme\/compliance-evidence@main; chain head [0-9a-f]{64}\nnote: without --key [^\n]*\n$/);
  });

  it("reads shards GitHub's GraphQL truncates through the raw contents API", async () => {
    const fake = await archiveOfSix({ truncateAbove: 2_000 });
    const cli = io();
    expect(await verify(args, cli)).toBe(0);
    expect(cli.out.join("")).toMatch(/^ok: 6 records intact/);
    expect(fake.requests.rawContents).toBeGreaterThan(0);
  });

  it("names an edited record", async () => {
    const fake = await archiveOfSix();
    fake.pushChange((files) => editLine(files, "records/2026/11/02.jsonl", (l) => (l[1] = l[1]!.replace('"pusher":"dev"', '"pusher":"someone-else"'))));
    const cli = io();
    expect(await verify(args, cli)).toBe(1);
    expect(cli.out.join("")).toBe(`BROKEN at records/2026/11/02.jsonl:2 (${record(2).id}): edited — its content does not match its hash: the record was changed after it was sealed. 1 record before it verified.\n`);
  });

  it("names the record after a removed one, across shards", async () => {
    const fake = await archiveOfSix();
    fake.pushChange((files) => editLine(files, "records/2026/11/02.jsonl", (l) => l.splice(2, 1)));
    const cli = io();
    expect(await verify(args, cli)).toBe(1);
    expect(cli.out.join("")).toMatch(new RegExp(`^BROKEN at records/2026/11/03.jsonl:1 \\(${record(4).id}\\): removed — .*the record before it was removed\\. 2 records before it verified\\.\\n$`));
  });

  it("names reordered records", async () => {
    const fake = await archiveOfSix();
    fake.pushChange((files) => editLine(files, "records/2026/11/03.jsonl", (l) => ([l[0], l[1]] = [l[1]!, l[0]!])));
    const cli = io();
    expect(await verify(args, cli)).toBe(1);
    expect(cli.out.join("")).toMatch(new RegExp(`^BROKEN at records/2026/11/03.jsonl:1 \\(${record(5).id}\\): reordered`));
  });

  it("catches a whole shard deleted from the end through head.json", async () => {
    const fake = await archiveOfSix();
    fake.pushChange((files) => files.delete("records/2026/11/03.jsonl"));
    const cli = io();
    expect(await verify(args, cli)).toBe(1);
    expect(cli.out.join("")).toMatch(/^BROKEN at head.json .*: truncated — head.json says 6 records/);
  });

  it("says plainly when the archive repository is missing", async () => {
    new FakeArchiveRepository({ missing: true }).intercept(nock(API));
    const cli = io();
    expect(await verify(args, cli)).toBe(2);
    expect(cli.out.join("")).toMatch(/the archive repository acme\/compliance-evidence@main does not exist/);
  });
});

describe("the app's composition: spool ← batching ← archive repository", () => {
  it("keeps 50 concurrent merges exactly once through the spool, batched into few commits, with conflicts", async () => {
    const fake = new FakeArchiveRepository({ conflictEvery: 2 });
    fake.intercept(nock(API));
    const writer = new GitHubRepositoryArchive(client(), { owner: "acme", repo: "compliance-evidence", branch: "main", pacer: idle(), maxAttempts: 50, now: () => new Date("2026-11-02T12:00:00Z") });
    const archive = new SpoolingArchive(new BatchingArchive(writer), null);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => archive.append([record(i + 1)])));
    expect(results.every((r) => r.spooled === 0)).toBe(true);
    expect(new Set(results.flatMap((r) => r.written.map((w) => w.id))).size).toBe(50);
    expect(archive.pendingCount).toBe(0);
    expect(fake.lines()).toHaveLength(50);
    expect(writer.stats.commits).toBeLessThan(10);
    expect(writer.stats.conflictsRetried).toBeGreaterThan(0);
    const cli = io();
    expect(await verify(args, cli)).toBe(0);
    expect(cli.out.join("")).toMatch(/^ok: 50 records intact/);
  });
});
