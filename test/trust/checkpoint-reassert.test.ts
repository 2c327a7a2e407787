// An archive admin deletes the newest checkpoint comments and rolls the archive back to an
// older checkpoint: every checkpoint left agrees with the chain, so verify passes. The app
// remembers the newest checkpoint it anchored (on its own disk) and its daily pass posts it
// again when it is gone — after which verify names the rollback.

import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalDirectoryArchive } from "../../src/evidence/local-archive.js";
import { AppRecordSigner } from "../../src/trust/record-signer.js";
import { CheckpointPublisher } from "../../src/evidence/checkpoint-publisher.js";
import { LocalCheckpointLog } from "../../src/evidence/local-checkpoints.js";
import { FileCheckpointMemory } from "../../src/evidence/anchored-checkpoint-memory.js";
import { generateSigningKey } from "../../src/trust/signing-key.js";
import { makeVerifyCommand } from "../../src/cli/verify.js";
import type { CliIO } from "../../src/cli/io.js";
import { pushRecord, tamper } from "./tamper.js";
import { readDirectoryFiles, writeDirectoryFiles } from "../helpers/directory-files.js";
import type { LedgerHead } from "../../src/evidence/ledger.js";

const key = generateSigningKey();
const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

function setup() {
  const root = mkdtempSync(join(tmpdir(), "soc2-guard-reassert-"));
  roots.push(root);
  const paths = { archive: join(root, "archive"), checkpoints: join(root, "anchored", "checkpoints.jsonl"), memory: join(root, "state", "checkpoints", "local.json"), pub: join(root, "key.pub") };
  writeFileSync(paths.pub, key.publicPem);
  const now = () => new Date("2026-11-02T12:00:00Z");
  const publisher = () => new CheckpointPublisher(new LocalCheckpointLog(paths.checkpoints, "local"), key, { intervalMs: 0, now, memory: new FileCheckpointMemory(paths.memory) });
  return { root, paths, now, publisher };
}

async function verify(paths: { archive: string; checkpoints: string; pub: string }) {
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => out.push(t), readStdin: async () => "", env: {}, cwd: "/" };
  const code = await makeVerifyCommand()(["--archive", paths.archive, "--checkpoints", paths.checkpoints, "--key", paths.pub], io);
  return { code, out: out.join("") };
}

describe("the newest checkpoint comes back after it was deleted", () => {
  it("a rollback that also deleted the newest checkpoints passes verify until the app re-anchors what it remembers", async () => {
    const { paths, now, publisher } = setup();
    const first = publisher();
    const writer = new LocalDirectoryArchive(paths.archive, now, new AppRecordSigner(key, "hmac-sha256:00112233aabbccdd", (head) => first.committed(head)));
    for (let n = 1; n <= 6; n++) {
      await writer.append([pushRecord(n)]);
      await first.flush();
    }
    // The insider: drop records 5 and 6 (head.json rewritten) and the two checkpoints that vouch for them.
    const files = readDirectoryFiles(paths.archive);
    tamper.truncate(files, 2, true);
    writeDirectoryFiles(paths.archive, files);
    writeFileSync(paths.checkpoints, readFileSync(paths.checkpoints, "utf8").split("\n").slice(0, 4).join("\n") + "\n");
    const fooled = await verify(paths);
    expect(fooled.out).toMatch(/^ok: 4 records/m);

    // The app restarts (memory on its own disk) and runs its daily pass.
    expect(await publisher().reassert()).toBe("re-anchored");
    const caught = await verify(paths);
    expect(caught.code).toBe(1);
    expect(caught.out).toMatch(/beyond-the-chain/);
    expect(caught.out).toMatch(/first record that disagrees: #5: missing/);
  });

  it("posts nothing when the newest checkpoint is still there", async () => {
    const { paths, now, publisher } = setup();
    const p = publisher();
    const writer = new LocalDirectoryArchive(paths.archive, now, new AppRecordSigner(key, "hmac-sha256:00112233aabbccdd", (head) => p.committed(head)));
    expect(await p.reassert()).toBe("none");
    await writer.append([pushRecord(1)]);
    await p.flush();
    const before = readFileSync(paths.checkpoints, "utf8");
    expect(await p.reassert()).toBe("present");
    expect(readFileSync(paths.checkpoints, "utf8")).toBe(before);
    // A restarted publisher knows the count it anchored and does not anchor it twice.
    const again = publisher();
    const remembered = JSON.parse(readFileSync(paths.memory, "utf8")) as { checkpoint: { head: string; lastId: string | null } };
    const head: LedgerHead = { count: 1, hash: remembered.checkpoint.head, lastId: remembered.checkpoint.lastId, updatedAt: "2026-11-02T12:00:00Z" };
    again.committed(head);
    await again.flush();
    expect(readFileSync(paths.checkpoints, "utf8")).toBe(before);
  });
});
