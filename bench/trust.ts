// Bench: what signing costs. attestationMs — CPU per record for its two DSSE envelopes
// (in-toto change statement + SLSA Source VSA, Ed25519). checkpointRequestsPerCommit — the
// requests the checkpoint anchor (the app's comments on the checkpoints issue, on the
// sandbox over HTTP) adds per archive commit, with a commit every 20 s of (virtual) time
// and at most one checkpoint a minute. Run alone: npx tsx bench/trust.ts

import { createSign } from "node:crypto";
import { GitHubSandbox, seedOrganization, ORG, ARCHIVE_REPO, INSTALLATION_ID } from "../src/sandbox/index.js";
import { GitHubRepositoryArchive, ContentCreationPacer } from "../src/github/evidence/archive-repository.js";
import { GitHubCheckpointIssue } from "../src/github/evidence/checkpoint-issue.js";
import { CheckpointPublisher } from "../src/evidence/checkpoint-publisher.js";
import { AppRecordSigner } from "../src/trust/record-signer.js";
import { generateSigningKey } from "../src/trust/signing-key.js";
import { GENESIS, sealAll } from "../src/evidence/ledger.js";
import { tokenClient } from "../src/cli/github-token-client.js";
import { mergeRecord } from "./evidence.js";

export interface TrustBench {
  attestationMs: number;
  checkpointRequestsPerCommit: number;
  commits: number;
  checkpoints: number;
}

const ATTESTED = 2_000;
const COMMITS = 90;

export async function benchTrust(): Promise<TrustBench> {
  const key = generateSigningKey();
  const signer = new AppRecordSigner(key, "hmac-sha256:0011223344556677");
  const sealed = sealAll(Array.from({ length: ATTESTED }, (_, i) => signer.stamp(mergeRecord(i + 1))), GENESIS);
  signer.attest(sealed.slice(0, 50)); // warm-up
  const before = process.cpuUsage();
  for (const record of sealed) signer.attest([record]);
  const used = process.cpuUsage(before);
  const attestationMs = Math.round(((used.user + used.system) / 1000 / ATTESTED) * 1000) / 1000;

  const sandbox = await new GitHubSandbox().start();
  try {
    seedOrganization(sandbox);
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const head = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now - 30, exp: now + 540, iss: sandbox.appId })}`;
    const jwt = `${head}.${createSign("RSA-SHA256").update(head).sign(sandbox.privateKey, "base64url")}`;
    const token = ((await (await fetch(`${sandbox.apiUrl}/app/installations/${INSTALLATION_ID}/access_tokens`, { method: "POST", headers: { authorization: `Bearer ${jwt}` } })).json()) as { token: string }).token;
    const gh = tokenClient(token, sandbox.apiUrl);
    let clock = Date.parse("2026-11-02T12:00:00Z");
    // Content-creation pacing on its own virtual clock: the figure is requests, not waiting.
    let paced = 0;
    const virtualNow = () => new Date(clock);
    const anchor = new GitHubCheckpointIssue(gh, { owner: ORG, repo: ARCHIVE_REPO, branch: "main", appSlug: async () => "soc2-guard" });
    const publisher = new CheckpointPublisher(anchor, key, { now: virtualNow });
    const writer = new GitHubRepositoryArchive(gh, { owner: ORG, repo: ARCHIVE_REPO, branch: "main", now: virtualNow, pacer: new ContentCreationPacer(80, 500, () => paced, async (ms) => void (paced += ms)), signer: new AppRecordSigner(key, "hmac-sha256:0011223344556677", (h) => publisher.committed(h)) });
    for (let n = 1; n <= COMMITS; n++) {
      await writer.append([mergeRecord(100_000 + n)]);
      // A checkpoint is due at most once a minute; in between, the commit's head waits for the minute's end.
      await publisher.settled();
      clock += 20_000;
    }
    // The last commits' checkpoint, as the minute's timer (or shutdown) would anchor it.
    clock += 60_000;
    await publisher.flush();
    const issue = [...sandbox.state.mustRepo(`${ORG}/${ARCHIVE_REPO}`).issues.values()].find((i) => i.title === "soc2-guard checkpoints");
    return { attestationMs, checkpointRequestsPerCommit: Math.round((anchor.requests / writer.stats.commits) * 100) / 100, commits: writer.stats.commits, checkpoints: issue?.comments.length ?? 0 };
  } finally {
    await sandbox.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify({ trust: await benchTrust() }));
}
