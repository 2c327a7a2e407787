// The attack suite on the local layout: an insider rewrites the archive directory and
// re-seals every hash so the chain is self-consistent again. `verify --key` must name the
// first record and the first checkpoint that disagree; plain chain verification (all
// that existed before signing) passes each of these rewrites.

import { beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalDirectoryArchive, readArchiveDirectory } from "../../src/evidence/local-archive.js";
import { verifyChain } from "../../src/evidence/verify.js";
import { AppRecordSigner } from "../../src/trust/record-signer.js";
import { CheckpointPublisher } from "../../src/evidence/checkpoint-publisher.js";
import { LocalCheckpointLog } from "../../src/evidence/local-checkpoints.js";
import { generateSigningKey } from "../../src/trust/signing-key.js";
import { signCheckpoint } from "../../src/trust/checkpoint.js";
import { makeVerifyCommand } from "../../src/cli/verify.js";
import { runMonthlyExport } from "../../src/github/export/export-run.js";
import { LocalIssueSink } from "../../src/evidence/issue-sink.js";
import type { CliIO } from "../../src/cli/io.js";
import { pushRecord, tamper } from "./tamper.js";
import { readDirectoryFiles, writeDirectoryFiles } from "../helpers/directory-files.js";
import { exportStatementsIn, signExport, signedSection, type ExportStatement } from "../../src/export/export-seal.js";
import { formatFingerprint } from "../../src/trust/signing-key.js";

const key = generateSigningKey();


interface Local {
  root: string;
  archive: string;
  checkpoints: string;
  pub: string;
}

/** Six records over two days, one commit and one checkpoint each, written the way the app writes them. */
async function localArchive(): Promise<Local> {
  const root = mkdtempSync(join(tmpdir(), "soc2-guard-attack-"));
  const archive = join(root, "archive");
  const checkpoints = join(root, "anchored", "checkpoints.jsonl");
  const pub = join(root, "soc2-guard.pub");
  writeFileSync(pub, key.publicPem);
  let day = "2026-11-02";
  const now = () => new Date(`${day}T12:00:00Z`);
  const publisher = new CheckpointPublisher(new LocalCheckpointLog(checkpoints, "local"), key, { intervalMs: 0, now });
  const writer = new LocalDirectoryArchive(archive, now, new AppRecordSigner(key, "hmac-sha256:00112233aabbccdd", (head) => publisher.committed(head)));
  for (let n = 1; n <= 6; n++) {
    if (n === 4) day = "2026-11-03";
    await writer.append([pushRecord(n, day)]);
    await publisher.flush();
  }
  return { root, archive, checkpoints, pub };
}

function io(): CliIO & { text: () => string } {
  const out: string[] = [];
  return { text: () => out.join(""), stdout: (t) => out.push(t), stderr: (t) => out.push(t), readStdin: async () => "", env: {}, cwd: "/" };
}

const verify = makeVerifyCommand();
const run = async (l: Local, extra: string[] = []) => {
  const cli = io();
  const code = await verify(["--archive", l.archive, "--checkpoints", l.checkpoints, "--key", l.pub, ...extra], cli);
  return { code, out: cli.text() };
};
/** What verify could tell before signing: the chain against itself and head.json. */
const chainOnly = (l: Local) => {
  const stored = readArchiveDirectory(l.archive);
  return verifyChain(stored.lines, stored.head).ok;
};
const rewrite = (l: Local, change: (files: Map<string, string>) => void) => {
  const files = readDirectoryFiles(l.archive);
  change(files);
  writeDirectoryFiles(l.archive, files);
};

let l: Local;
beforeEach(async () => {
  l = await localArchive();
  return () => rmSync(l.root, { recursive: true, force: true });
}, 60_000);

describe("verify --archive DIR --checkpoints FILE --key PUB (local layout)", () => {
  it("passes the archive the app wrote: chain, six checkpoints, six attestations", async () => {
    const { code, out } = await run(l);
    expect(out).toMatch(/ok: 6 records .*6 signed checkpoints agree .*6 record attestations verified/);
    expect(code).toBe(0);
  });

  it.each([
    ["edit-and-reseal of record #3", (f: Map<string, string>) => tamper.editAndReseal(f, 3, (r) => void (r.push!.pusher = "someone-else")), /first record that disagrees: #3 at records\/2026\/11\/02\.jsonl:3 \(acme\/api@d+3\)/, /first checkpoint that disagrees: .*checkpoints\.jsonl:3: not-a-prefix/],
    ["delete-and-reseal of record #2", (f: Map<string, string>) => tamper.deleteAndReseal(f, 2), /first record that disagrees: #2 at records\/2026\/11\/02\.jsonl:2/, /first checkpoint that disagrees: .*checkpoints\.jsonl:2: not-a-prefix/],
    ["reorder of records #4 and #5", (f: Map<string, string>) => tamper.reorder(f, 4), /first record that disagrees: #4 at records\/2026\/11\/03\.jsonl:1/, /first checkpoint that disagrees: .*checkpoints\.jsonl:4: not-a-prefix/],
    ["truncation of the last two records, head.json rewritten", (f: Map<string, string>) => tamper.truncate(f, 2, true), /first record that disagrees: #5: missing/, /first checkpoint that disagrees: .*checkpoints\.jsonl:5: beyond-the-chain/],
    ["truncation of the last two records, head.json deleted", (f: Map<string, string>) => tamper.truncate(f, 2, false), /first record that disagrees: #5: missing/, /first checkpoint that disagrees: .*checkpoints\.jsonl:5: beyond-the-chain/],
  ])("names the first bad record and checkpoint after %s", async (_name, change, record, checkpoint) => {
    rewrite(l, change);
    expect(chainOnly(l)).toBe(true); // self-consistent: hash-chain verification alone is fooled
    const { code, out } = await run(l);
    expect(code).toBe(1);
    expect(out).toMatch(record);
    expect(out).toMatch(checkpoint);
  });

  it("names a forged checkpoint line that the pinned key did not sign", async () => {
    const forger = generateSigningKey();
    const forged = signCheckpoint({ archive: "local", count: 6, head: "f".repeat(64), lastId: null, time: "2026-11-04T00:00:00Z" }, forger);
    writeFileSync(l.checkpoints, `${readFileSync(l.checkpoints, "utf8")}${JSON.stringify(forged.envelope)}\n`);
    const { code, out } = await run(l);
    expect(code).toBe(1);
    expect(out).toMatch(/first checkpoint that disagrees: .*checkpoints\.jsonl:7: bad-signature/);
  });

  it("refuses an archive nothing outside it vouches for (checkpoints file lost)", async () => {
    rmSync(l.checkpoints);
    writeFileSync(l.checkpoints, "");
    const { code, out } = await run(l);
    expect(code).toBe(1);
    expect(out).toMatch(/no authentic checkpoint agrees with the chain/);
  });

  it("names a record appended after the last checkpoint that the app never signed", async () => {
    rewrite(l, (files) => {
      const shard = "records/2026/11/03.jsonl";
      const last = JSON.parse(files.get(shard)!.trim().split("\n").at(-1)!);
      const fake = { ...pushRecord(7, "2026-11-03"), keyIds: last.keyIds };
      files.set(shard, files.get(shard)!); // chain continues from the real head
      const lines = files.get(shard)!.trim().split("\n");
      lines.push(JSON.stringify({ ...fake, prev: last.hash, hash: "" }));
      files.set(shard, `${lines.join("\n")}\n`);
      tamper.editAndReseal(files, 7, () => undefined);
    });
    const { code, out } = await run(l);
    expect(code).toBe(1);
    expect(out).toMatch(/first record that disagrees: #7 .*unsigned/);
  });
});

describe("verify --export YYYY-MM (local layout)", () => {
  const exportNow = () => new Date("2026-12-01T02:00:00Z");
  const exportIt = async () => {
    const result = await runMonthlyExport(
      { gh: null, archive: new LocalDirectoryArchive(l.archive), location: { kind: "directory", dir: l.archive }, issues: new LocalIssueSink(l.archive), now: exportNow, log: { info: () => undefined, warn: () => undefined }, signingKey: key },
      { org: "acme", period: "2026-11" },
    );
    expect(result.status).toBe("exported");
  };
  const issueFile = () => join(l.archive, "issues", readdirSync(join(l.archive, "issues"))[0]!);

  it("recomputes every file from the records and the snapshot, and checks them against the signed statement in the issue", async () => {
    await exportIt();
    expect(readFileSync(issueFile(), "utf8")).toMatch(/### Signed checkpoint[\s\S]*application\/vnd\.soc2-guard\.export\+json/);
    const { code, out } = await run(l, ["--export", "2026-11"]);
    expect(out).toMatch(/ok: export 2026-11/);
    for (const f of ["changes.csv", "exceptions.csv", "settings-changes.csv", "access-review.csv", "summary.json", "report.html"]) expect(out).toContain(`✔ exports/2026-11/${f}: ok — signed, and recomputed from the records byte for byte`);
    expect(code).toBe(0);
  });

  it("checks copies of the files against a copy of the issue alone", async () => {
    await exportIt();
    const copy = join(l.root, "copy-of-issue.md");
    writeFileSync(copy, readFileSync(issueFile(), "utf8"));
    rmSync(join(l.archive, "issues"), { recursive: true });
    const { code, out } = await run(l, ["--export", "2026-11", "--issue", copy]);
    expect(out).toMatch(/ok: export 2026-11 \(statement from .*copy-of-issue\.md\)/);
    expect(code).toBe(0);
  });

  it("names a replaced export CSV", async () => {
    await exportIt();
    const csv = join(l.archive, "exports/2026-11/changes.csv");
    writeFileSync(csv, readFileSync(csv, "utf8").replace(/dev2/g, "dev9"));
    const { code, out } = await run(l, ["--export", "2026-11"]);
    expect(code).toBe(1);
    expect(out).toMatch(/✘ exports\/2026-11\/changes\.csv: differs-from-signed/);
    expect(out).toMatch(/✔ exports\/2026-11\/summary\.json: ok/);
  });

  it("checks a report.html an older version rendered against its signed hash, and recomputes one in today's format", async () => {
    await exportIt();
    const dir = join(l.archive, "exports/2026-11");
    // As an older version left it: another report.html, a snapshot without reportFormat, both signed.
    const snapshot = JSON.parse(readFileSync(join(dir, "snapshot.json"), "utf8")) as Record<string, unknown>;
    delete snapshot.reportFormat;
    writeFileSync(join(dir, "snapshot.json"), `${JSON.stringify(snapshot, null, 2)}\n`);
    writeFileSync(join(dir, "report.html"), "<!doctype html><p>rendered by an older soc2-guard</p>\n");
    const first = JSON.parse(Buffer.from(exportStatementsIn(readFileSync(issueFile(), "utf8"))[0]!.payload, "base64").toString("utf8")) as ExportStatement;
    const files = new Map(readdirSync(dir).map((name) => [`exports/2026-11/${name}`, readFileSync(join(dir, name), "utf8")]));
    const signed = signExport({ organization: "acme", period: "2026-11", archive: first.archive, checkpoint: first.checkpoint, files, time: "2026-12-01T03:00:00.000Z" }, key);
    writeFileSync(join(l.archive, "issues", "zz-older-version.md"), signedSection(signed, formatFingerprint(key.keyId)).join("\n"));
    const older = await run(l, ["--export", "2026-11"]);
    expect(older.out).toContain("✔ exports/2026-11/report.html: ok — signed; written in report format 1, this version renders format 2: checked against its signed hash, not recomputed");
    expect(older.code).toBe(0);
  });

  it("names a period whose records were rewritten after the export", async () => {
    await exportIt();
    rewrite(l, (files) => tamper.editAndReseal(files, 2, (r) => void (r.push!.pusher = "nobody")));
    const { code, out } = await run(l, ["--export", "2026-11"]);
    expect(code).toBe(1);
    expect(out).toMatch(/checkpoint: ✘ the period's checkpoint signed record #6 as/);
    expect(existsSync(l.checkpoints)).toBe(true);
  });
});
