// Bench: a burst of 200 merges recorded into the archive repository. Each merge's record is
// built as the app builds it (facts → controls → record) and appended as its webhook
// finishes; GitHub is an in-memory archive repository (GraphQL reads, createCommitOnBranch
// with expectedHeadOid) with a few milliseconds of latency and a rival writer that moves
// the branch before every third commit. Run alone: npx tsx bench/evidence.ts

import { ProbotOctokit } from "probot";
import { FakeArchiveRepository } from "../test/evidence/fake-archive-repository.js";
import { makeFacts, review, sha } from "../test/helpers/facts.js";
import { ContentCreationPacer, GitHubRepositoryArchive } from "../src/github/evidence/archive-repository.js";
import { BatchingArchive } from "../src/evidence/batching-archive.js";
import { buildPullRequestRecord, type EvidenceRecord } from "../src/evidence/record.js";
import { verifyChain } from "../src/evidence/verify.js";
import { evaluate } from "../src/verdict/evaluate.js";
import { resolveConfig } from "../src/config/resolve.js";
import type { GitHubClient } from "../src/github/transport/client.js";

export interface EvidenceBench {
  recordsPerCommit: number;
  requestsPerRecord: number;
  writeConflictsRetried: number;
}

const MERGES = 200;
const BURST_MS = 2_000;
const LATENCY_MS = 15;

/** A small deterministic generator, so every run sees the same arrivals. */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

export function mergeRecord(n: number): EvidenceRecord {
  const resolved = resolveConfig([]);
  const mergedAt = new Date(Date.UTC(2026, 10, 2, 12, 0, n)).toISOString();
  const facts = makeFacts({
    pr: { number: n, url: `https://github.com/acme/api/pull/${n}`, state: "closed", merged: true, mergedAt, mergedBy: "bob", mergeCommitSha: sha(10_000 + n), reviews: [review("alice", "APPROVED", 1)] },
    checks: [{ kind: "check", name: "build", app: "github-actions", status: "completed", conclusion: "success", completedAt: mergedAt, url: null }],
  });
  const verdict = evaluate(facts, resolved, { fingerprintKey: new Uint8Array(32), now: mergedAt }, `delivery-${n}`);
  return buildPullRequestRecord({
    facts,
    results: verdict.results,
    resolved,
    exception: verdict.exception,
    exceptionApplied: verdict.exceptionApplied,
    mergeMethod: "squash-or-rebase",
    meta: { deliveryId: `delivery-${n}`, appVersion: "bench", collectedAt: mergedAt },
  });
}

export async function benchEvidence(): Promise<EvidenceBench> {
  const fake = new FakeArchiveRepository({ conflictEvery: 3 });
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    await new Promise((r) => setTimeout(r, LATENCY_MS));
    return fake.fetch(input, init);
  };
  const gh = new ProbotOctokit({ auth: { token: "bench" }, request: { fetch }, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as GitHubClient;
  // Content-creation pacing on a virtual clock: the figures are requests, not waiting.
  let clock = 0;
  const pacer = new ContentCreationPacer(80, 500, () => clock, async (ms) => void (clock += ms));
  const writer = new GitHubRepositoryArchive(gh, { owner: fake.owner, repo: fake.repo, branch: fake.branch, pacer, maxAttempts: 20, now: () => new Date("2026-11-02T12:00:00Z") });
  const archive = new BatchingArchive(writer);

  const records = Array.from({ length: MERGES }, (_, i) => mergeRecord(i + 1));
  const next = random(42);
  await Promise.all(records.map((record) => new Promise((r) => setTimeout(r, next() * BURST_MS)).then(() => archive.append([record]))));

  const lines = fake.lines();
  const verified = verifyChain(lines, JSON.parse(fake.files().get("head.json")!));
  if (!verified.ok || verified.count !== MERGES || new Set(lines.map((l) => (JSON.parse(l.text) as { id: string }).id)).size !== MERGES) {
    throw new Error(`evidence bench: the archive is not intact: ${JSON.stringify(verified)}`);
  }
  const round = (n: number): number => Math.round(n * 100) / 100;
  return {
    recordsPerCommit: round(MERGES / writer.stats.commits),
    requestsPerRecord: round(fake.requests.total / MERGES),
    writeConflictsRetried: writer.stats.conflictsRetried,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchEvidence();
  console.log(`Evidence: ${MERGES} merges over ${BURST_MS / 1000} s into the archive repository (${LATENCY_MS} ms per request, a rival commit before every third write):`);
  console.log(JSON.stringify({ evidence: result }));
}
