// `soc2-guard demo [--archive DIR]`: the whole app on this machine, no GitHub account needed.
// Starts the local GitHub sandbox and the real app server (Probot's Server, the same entry
// as production, pointed at the sandbox as a GitHub Enterprise base URL), plays a scripted
// story and prints what a user would see at each step. Exits 0 only when every step
// behaved as expected.

import { mkdtempSync, mkdirSync, readdirSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { createSign } from "node:crypto";
import { pino } from "pino";
import type { CliIO, Command } from "./io.js";
import { parseArgs, stringFlag } from "./args.js";
import { verifyCommand } from "./verify.js";
import { verifyAttestationCommand } from "./verify-attestation.js";
import { formatFingerprint, generateSigningKey } from "../trust/signing-key.js";
import { checkpointEnvelopesIn } from "../trust/checkpoint.js";
import { writeFileSync } from "node:fs";
import { GitHubSandbox } from "../sandbox/server.js";
import { startAppServer, settle, type RunningApp } from "../sandbox/app-server.js";
import { seedOrganization, seedAuditors, FULL, ORG, INSTALLATION_ID, AUDITOR, OUTSIDER } from "../sandbox/seed.js";
import type { CheckRun } from "../sandbox/state.js";
import { readArchiveDirectory } from "../evidence/local-archive.js";
import type { SealedRecord } from "../evidence/record.js";
import { withGitHubChecksum } from "../secrets/github-token-checksum.js";

interface Step {
  title: string;
  problems: string[];
}

export const demoCommand: Command = async (args, io) => {
  const parsed = parseArgs(args, ["verbose", "serve"]);
  const serve = parsed.flags.has("serve");
  const archiveDir = stringFlag(parsed, "archive") ? resolve(io.cwd, stringFlag(parsed, "archive")!) : mkdtempSync(join(tmpdir(), "soc2-guard-demo-"));
  mkdirSync(archiveDir, { recursive: true });
  if (readArchiveDirectory(archiveDir).lines.length > 0) {
    io.stderr(`soc2-guard demo: ${archiveDir} already holds evidence; give --archive an empty or new directory\n`);
    return 2;
  }
  const started = Date.now();
  const steps: Step[] = [];
  let step: Step = { title: "", problems: [] };
  const out = (text = "") => io.stdout(`${text}\n`);
  const begin = (title: string) => {
    step = { title, problems: [] };
    steps.push(step);
    out(`\n━━ ${steps.length}. ${title}`);
  };
  const expect = (ok: boolean, what: string) => {
    out(`   ${ok ? "✔" : "✘"} expected: ${what}`);
    if (!ok) step.problems.push(what);
  };

  const logFile = join(archiveDir, "app.log");
  const log = pino({ level: parsed.flags.has("verbose") ? "debug" : "info" }, pino.destination({ dest: logFile, sync: true }));
  const sandbox = await new GitHubSandbox().start();
  seedOrganization(sandbox);
  seedAuditors(sandbox);
  let app: RunningApp | null = null;
  let demoKey: { privatePem: string; publicKeyFile: string } = { privatePem: "", publicKeyFile: "" };
  try {
    // A throwaway signing key for this run; its public half is what an auditor would pin.
    const signing = generateSigningKey();
    const keyDir = mkdtempSync(join(tmpdir(), "soc2-guard-demo-key-"));
    const publicKeyFile = join(keyDir, "soc2-guard-signing.pub");
    writeFileSync(publicKeyFile, signing.publicPem);
    demoKey = { privatePem: signing.privatePem, publicKeyFile };
    app = await startAppServer(sandbox, { archiveDir, spoolDir: join(archiveDir, ".spool"), log, signingKey: signing.privatePem });
    const running = app;
    const s = sandbox.state;
    const repo = s.mustRepo(FULL);
    const wait = () => settle(sandbox, running);
    const ownRun = (sha: string): CheckRun | undefined => repo.checkRuns.filter((r) => r.app.slug === "soc2-guard" && r.headSha === sha).at(-1);
    const showCheck = (sha: string): CheckRun | undefined => {
      const run = ownRun(sha);
      if (!run) {
        out("   (no soc2-guard check run on this commit)");
        return undefined;
      }
      out(`   check run "soc2-guard" on ${sha.slice(0, 7)}: ${run.status}${run.conclusion ? ` → ${run.conclusion.toUpperCase()}` : ""}`);
      out(`   title: ${run.output.title}`);
      for (const line of (run.output.summary ?? "").split("\n")) {
        const row = /^\| (\S+) \| `([^`]+)` \| (\w+) \| (.*?) \| (.*?) \|$/.exec(line);
        if (row) out(`     ${row[1]} ${row[2]!.padEnd(18)} ${row[3]!.padEnd(8)} ${row[4]}${row[5] ? `\n        fix: ${row[5]}` : ""}`);
        else if (/^⚠️|^> /.test(line)) out(`     ${line}`);
      }
      for (const a of run.output.annotations) out(`     annotation ${String(a.path)}:${String(a.start_line)} [${String(a.annotation_level)}] ${String(a.title)}: ${String(a.message).split("\n")[0]}`);
      return run;
    };
    const rowOf = (run: CheckRun | undefined, control: string) => (run?.output.summary ?? "").split("\n").find((l) => l.includes(`\`${control}\``)) ?? "";
    const records = (): SealedRecord[] => readArchiveDirectory(archiveDir).lines.map((l) => JSON.parse(l.text) as SealedRecord);
    const showRecord = (r: SealedRecord) => {
      out(`   evidence record ${r.id}`);
      out(`     kind ${r.kind} · ${r.pullRequest ? `"${r.pullRequest.title}" by ${r.pullRequest.author}, merged by ${r.pullRequest.mergedBy} (${r.pullRequest.mergeMethod})` : `pushed by ${r.push?.pusher}${r.push?.forced ? " (force)" : ""}`}`);
      out(`     approvals: ${r.approvals.length === 0 ? "none" : r.approvals.map((a) => `${a.login} on ${a.commitId.slice(0, 7)}`).join(", ")} · independent ${r.flags.independentApproval} · covers merged head ${r.flags.coversMergedHead} · CI passed ${r.flags.ciPassed}`);
      if (r.checks.length > 0) out(`     checks: ${r.checks.map((c) => `${c.name}=${c.conclusion}`).join(", ")}`);
      if (r.exception) out(`     exception: ${JSON.stringify(r.exception)}`);
      out(`     prev ${r.prev.slice(0, 16)}… → hash ${r.hash.slice(0, 16)}…`);
    };
    const issues = () => {
      const dir = join(archiveDir, "issues");
      return existsSync(dir) ? readdirSync(dir).sort().map((f) => ({ file: join(dir, f), text: readFileSync(join(dir, f), "utf8") })) : [];
    };
    const showIssue = (issue: { file: string; text: string }) => {
      const lines = issue.text.split("\n").filter((l) => l.trim() && !l.startsWith("<!--"));
      out(`   issue ${issue.file}`);
      for (const l of lines.slice(0, 8)) out(`     ${l.length > 160 ? `${l.slice(0, 157)}…` : l}`);
    };

    out("soc2-guard demo — a local GitHub sandbox plays GitHub; the real app server answers its webhooks.");
    out(`   sandbox (GitHub Enterprise-style API): ${sandbox.apiUrl}`);
    out(`   app server (probot): ${running.webhookUrl}`);
    out(`   organization ${ORG}: repository ${FULL} (main protected: 1 approval, checks build+test), archive repository ${ORG}/compliance-evidence`);
    out(`   evidence archive (ARCHIVE_DIR): ${archiveDir}`);
    out(`   app log: ${logFile}`);
    out(`   signing key (throwaway for the demo): ${formatFingerprint(running.signingKeyId)}; public key ${demoKey.publicKeyFile}`);

    // 1. A pull request without approval.
    begin("alice opens a pull request; nobody has approved it yet");
    s.createBranch(FULL, "feature/fee");
    let head = s.commit(FULL, "feature/fee", { files: { "src/charge.ts": "export function charge(amountCents: number): number {\n  return amountCents + fee(amountCents);\n}\n\nconst fee = (c: number) => Math.round(c * 0.029) + 30;\n" }, message: "Add processing fee", author: "alice" });
    const pr = s.openPullRequest(FULL, { title: "PAY-101 Add processing fee", body: "Charges the card fee to the merchant.", author: "alice", head: "feature/fee" });
    await wait();
    let run = showCheck(head);
    expect(run?.conclusion === "failure", "the check fails");
    expect(/❌.*review\.approval/.test(rowOf(run, "review.approval")) && /Ask 1 more reviewer/.test(rowOf(run, "review.approval")), "review.approval fails and the summary says how to fix it");

    // 2. A secret.
    begin("alice pushes a commit with a credential in it");
    const token = withGitHubChecksum("ghp", "DemoT0kenN0tReal7xQ2mN9vLr4Tz");
    head = s.commit(FULL, "feature/fee", { files: { "src/gateway.ts": `// temporary\nexport const gatewayToken = "${token}";\n` }, message: "Call the gateway", author: "alice" });
    await wait();
    run = showCheck(head);
    const everything = JSON.stringify(run?.output ?? {});
    expect(/❌.*secrets\.diff/.test(rowOf(run, "secrets.diff")), "secrets.diff fails");
    expect((run?.output.annotations ?? []).some((a) => a.path === "src/gateway.ts" && a.start_line === 2), "the secret is annotated on src/gateway.ts:2");
    expect(!everything.includes(token) && !everything.includes(token.slice(4, 20)), "the credential itself appears nowhere in the check run (masked)");

    // 3. Approval goes stale.
    begin("alice removes the secret, bob approves, then alice pushes again: the approval is stale");
    s.commit(FULL, "feature/fee", { files: { "src/gateway.ts": "export const gatewayToken = process.env.GATEWAY_TOKEN;\n" }, message: "Read the token from the environment", author: "alice" });
    await wait();
    s.review(FULL, pr.number, "bob", "APPROVED", "LGTM");
    await wait();
    const approvedOn = s.headSha(repo, pr);
    out(`   bob approved ${approvedOn.slice(0, 7)}`);
    head = s.commit(FULL, "feature/fee", { files: { "README.md": "# payments\n\nCard fee: 2.9% + 30¢.\n" }, message: "Document the fee", author: "alice" });
    await wait();
    run = showCheck(head);
    expect(run?.conclusion === "failure" && /❌/.test(rowOf(run, "review.approval")), "the approval on the older commit no longer counts");

    // 4. Re-approval and CI.
    begin("bob approves the new head; CI reports build and test green");
    s.review(FULL, pr.number, "bob", "APPROVED", "Still good");
    s.ci(FULL, head, "build", null);
    s.ci(FULL, head, "test", null);
    await wait();
    out(`   CI running: ${ownRun(head)?.output.title ?? ""}`);
    expect(/⏳/.test(rowOf(ownRun(head), "ci.passing")), "while CI runs, ci.passing waits (⏳) rather than failing");
    s.ci(FULL, head, "build", "success");
    s.ci(FULL, head, "test", "success");
    await wait();
    run = showCheck(head);
    expect(run?.conclusion === "success", "the check passes");

    // 5. Merge → evidence.
    begin("bob merges the pull request: evidence is recorded");
    const mergeSha = s.merge(FULL, pr.number, "bob");
    await wait();
    const afterMerge = records();
    afterMerge.forEach(showRecord);
    expect(afterMerge.length === 1 && afterMerge[0]!.id === `${FULL}#${pr.number}@${mergeSha}`, "exactly one record for the merge");
    expect(afterMerge[0]?.flags.independentApproval === true && afterMerge[0]?.flags.coversMergedHead === true, "the record shows an independent approval covering the merged head");
    await running.flushCheckpoints();
    const checkpointsFile = join(archiveDir, "checkpoints.jsonl");
    const checkpointLines = existsSync(checkpointsFile) ? readFileSync(checkpointsFile, "utf8").split("\n").filter(Boolean) : [];
    const firstCheckpoint = checkpointLines[0] ? JSON.parse(Buffer.from(checkpointEnvelopesIn(checkpointLines[0])[0]!.payload, "base64").toString("utf8")) as { count: number; head: string; time: string } : null;
    if (firstCheckpoint) out(`   signed checkpoint (DSSE, ${checkpointsFile}): ${firstCheckpoint.count} record · chain head ${firstCheckpoint.head.slice(0, 16)}… · ${firstCheckpoint.time}`);
    expect(firstCheckpoint?.count === 1 && firstCheckpoint.head === afterMerge[0]?.hash, "a signed checkpoint names the new chain head");
    const attestationFile = join(archiveDir, "attestations", afterMerge[0]?.collectedAt.slice(0, 4) ?? "", afterMerge[0]?.collectedAt.slice(5, 7) ?? "", `${afterMerge[0]?.collectedAt.slice(8, 10) ?? ""}.jsonl`);
    let attestationOut = "";
    const attested = await verifyAttestationCommand([attestationFile, "--key", demoKey.publicKeyFile], { ...io, stdout: (t) => (attestationOut += t), stderr: (t) => (attestationOut += t) });
    for (const line of attestationOut.trim().split("\n")) out(`   ${line.length > 220 ? `${line.slice(0, 217)}…` : line}`);
    expect(attested === 0 && /ORG_SOURCE_SOC2_INDEPENDENT_REVIEW/.test(attestationOut), "soc2-guard verify-attestation checks the merge's in-toto statement and Source VSA (independent review verified) with the public key");

    // 6. Emergency change.
    begin("dave ships an emergency fix; erin (sre-leads) labels it emergency-change");
    s.createBranch(FULL, "hotfix/retries");
    const hot = s.commit(FULL, "hotfix/retries", { files: { "src/charge.ts": "export function charge(amountCents: number): number {\n  return amountCents; // fee disabled: double-charging incident\n}\n" }, message: "Disable the fee", author: "dave" });
    const emergency = s.openPullRequest(FULL, { title: "Disable the card fee", body: "Emergency: customers are double-charged (INC-42)", author: "dave", head: "hotfix/retries" });
    s.ci(FULL, hot, "build", "success");
    s.ci(FULL, hot, "test", "success");
    await wait();
    expect(ownRun(hot)?.conclusion === "failure", "without the label the unreviewed fix fails the check");
    s.label(FULL, emergency.number, "emergency-change", "erin");
    await wait();
    run = showCheck(hot);
    expect(run?.conclusion === "success" && /emergency|exception/i.test(`${run.output.title} ${run.output.summary}`), "the check passes with a visible exception warning");
    s.merge(FULL, emergency.number, "dave");
    await wait();
    const emergencyRecord = records().find((r) => r.pullRequest?.number === emergency.number);
    if (emergencyRecord) showRecord(emergencyRecord);
    expect(!!emergencyRecord?.exception, "the evidence record marks the exception (who, why, review due)");
    const retro = issues().find((i) => /Retroactive review/.test(i.text));
    if (retro) showIssue(retro);
    expect(!!retro, "a retroactive-review issue is opened in the archive");

    // 7. Direct push.
    begin("olivia (admin) pushes straight to main");
    const direct = s.commit(FULL, "main", { files: { "src/charge.ts": "export function charge(amountCents: number): number {\n  return Math.max(0, amountCents);\n}\n" }, message: "Clamp negative amounts", author: "olivia" });
    await wait();
    const directRecord = records().find((r) => r.kind === "direct-push" && r.push?.after === direct);
    if (directRecord) showRecord(directRecord);
    expect(!!directRecord, "the push is recorded as an unreviewed change");
    const justification = issues().find((i) => /Unreviewed change/.test(i.text));
    if (justification) showIssue(justification);
    expect(!!justification, "a justification issue is opened in the archive");

    // 8. Redelivery is harmless.
    begin("GitHub redelivers the merge webhook: nothing new is written");
    const mergeDelivery = sandbox.deliveries.find((d) => d.event === "pull_request" && d.action === "closed");
    const before = records().length;
    if (mergeDelivery) {
      await sandbox.send("pull_request", s.describe!.envelope("closed", repo, "bob", { number: pr.number, pull_request: s.describe!.pullRequest(repo, pr) }), { id: mergeDelivery.id });
      await wait();
    }
    expect(!!mergeDelivery && records().length === before, `still ${before} records after the redelivery`);

    // 9. The monthly export.
    begin("the month's evidence export");
    await runExport(io, out, expect, archiveDir, sandbox, demoKey.privatePem);

    // 10. Verification.
    const period = new Date().toISOString().slice(0, 7);
    begin(`soc2-guard verify --archive ${archiveDir} --checkpoints ${join(archiveDir, "checkpoints.jsonl")} --key ${demoKey.publicKeyFile} --export ${period}`);
    await running.flushCheckpoints();
    let verifyOut = "";
    // A relative path: verify joins --archive onto the working directory.
    const code = await verifyCommand(["--archive", relative(io.cwd, archiveDir) || ".", "--checkpoints", join(archiveDir, "checkpoints.jsonl"), "--key", demoKey.publicKeyFile, "--export", period], { ...io, stdout: (t) => (verifyOut += t), stderr: (t) => (verifyOut += t) });
    for (const line of verifyOut.trim().split("\n")) out(`   ${line}`);
    expect(code === 0, "the chain, every signed checkpoint and every attestation verify with the public key, and the export's files recompute from the records");
  } catch (error) {
    step.problems.push(`crashed: ${(error as Error).stack ?? String(error)}`);
    out(`   ✘ ${(error as Error).stack ?? String(error)}`);
  }
  const failed = steps.filter((s) => s.problems.length > 0);
  if (serve && app) {
    out("");
    out(`━━ The auditor's view is running: ${app.portalUrl}`);
    out(`   Sign in with GitHub (the sandbox's OAuth) as ${AUDITOR} (team auditors) for the whole walk-through, or as ${OUTSIDER} to see a 404.`);
    out(`   The period's offline report: ${join(archiveDir, "exports")}/YYYY-MM/report.html`);
    out("   Ctrl-C stops the sandbox and the app.");
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
  }
  await app?.stop().catch(() => undefined);
  await sandbox.stop();

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  out("");
  out(`${failed.length === 0 ? "✔" : "✘"} ${steps.length - failed.length}/${steps.length} steps behaved as expected in ${seconds} s · ${sandbox.deliveries.length} webhook deliveries · ${sandbox.requests.length} API requests`);
  for (const f of failed) out(`   ✘ ${f.title}: ${f.problems.join("; ")}`);
  out(`   evidence: ${archiveDir}   (check it yourself: soc2-guard verify --archive ${archiveDir} --key ${demoKey.publicKeyFile})`);
  return failed.length === 0 ? 0 : 1;
};

/** The monthly export, when src/cli/export.ts provides it; else says so and skips. */
async function runExport(io: CliIO, out: (t?: string) => void, expect: (ok: boolean, what: string) => void, archiveDir: string, sandbox: GitHubSandbox, signingKey: string): Promise<void> {
  const specifier = "./export.js";
  type ExportModule = { exportCommand?: Command; makeExportCommand?: (deps?: { now?: () => Date }) => Command };
  const mod: ExportModule | null = await import(specifier).then((m: unknown) => m as ExportModule, () => null);
  const period = new Date().toISOString().slice(0, 7);
  // The export runs once the month is over (on the 1st, by schedule): play it at that moment.
  const [year, month] = period.split("-").map(Number) as [number, number];
  const monthEnd = new Date(Date.UTC(year, month, 1, 2, 0, 0));
  const command = mod?.makeExportCommand?.({ now: () => monthEnd }) ?? mod?.exportCommand;
  if (!command) {
    out("   export not built (src/cli/export.ts is missing); skipped");
    return;
  }
  out(`   (played as the scheduled run at ${monthEnd.toISOString()}, after ${period} ended)`);
  // The export reconciles against GitHub with a token: an installation token from the sandbox.
  const token = await installationToken(sandbox);
  let text = "";
  const code = await command(["--period", period, "--archive", relative(io.cwd, archiveDir) || ".", "--org", ORG, "--api-url", sandbox.apiUrl], {
    ...io,
    env: { ...io.env, GITHUB_TOKEN: token, GITHUB_API_URL: sandbox.apiUrl, SOC2_GUARD_SIGNING_KEY: signingKey, SOC2_GUARD_FINGERPRINT_KEY: io.env.SOC2_GUARD_FINGERPRINT_KEY ?? "0f".repeat(32) },
    stdout: (t: string) => (text += t),
    stderr: (t: string) => (text += t),
  });
  for (const line of text.trim().split("\n").slice(0, 20)) out(`   ${line}`);
  const exportIssue = readdirIssues(archiveDir).find((i) => i.includes("SOC 2 evidence export"));
  if (exportIssue) for (const line of exportIssue.split("\n").filter((l) => l.trim() && !l.startsWith("<!--")).slice(0, 16)) out(`     ${line.length > 160 ? `${line.slice(0, 157)}…` : line}`);
  expect(code === 0, `soc2-guard export --period ${period} exits 0`);
  expect(!!exportIssue, `an issue "SOC 2 evidence export — ${period}" is written`);
}

function readdirIssues(archiveDir: string): string[] {
  const dir = join(archiveDir, "issues");
  return existsSync(dir) ? readdirSync(dir).sort().map((f) => readFileSync(join(dir, f), "utf8")) : [];
}

async function installationToken(sandbox: GitHubSandbox): Promise<string> {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const head = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iat: now - 30, exp: now + 540, iss: sandbox.appId })}`;
  const jwt = `${head}.${createSign("RSA-SHA256").update(head).sign(sandbox.privateKey, "base64url")}`;
  const res = await fetch(`${sandbox.apiUrl}/app/installations/${INSTALLATION_ID}/access_tokens`, { method: "POST", headers: { authorization: `Bearer ${jwt}`, accept: "application/vnd.github+json" } });
  return ((await res.json()) as { token: string }).token;
}

/** `npm run demo` runs this file directly (tsx). */
if (import.meta.url === `file://${process.argv[1]}`) {
  const { processIO } = await import("./io.js");
  demoCommand(process.argv.slice(2), processIO()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`soc2-guard demo: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
