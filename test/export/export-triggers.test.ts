import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LocalIssueSink } from "../../src/evidence/issue-sink.js";
import { runMonthlyExport, type MonthlyExportDeps } from "../../src/github/export/export-run.js";
import { MonthlySchedule, nextRunAfter, type Timers } from "../../src/runtime/monthly-schedule.js";
import { parseDispatchPayload } from "../../src/export/dispatch.js";
import { makeExportCommand } from "../../src/cli/export.js";
import type { CliIO } from "../../src/cli/io.js";
import { webhookPayload } from "../helpers/payload.js";
import { fixtureArchive } from "./fixture-month.js";

const NOW = new Date("2026-12-01T02:00:00Z");

function io(cwd: string, out: string[]): CliIO {
  return { stdout: (t) => void out.push(t), stderr: (t) => void out.push(t), readStdin: async () => "", env: {}, cwd };
}

/** A fake clock and timers: `advance` runs what falls due. */
function virtualTimers(start: Date) {
  let now = start.getTime();
  const pending: Array<{ at: number; fn: () => void; id: number }> = [];
  let ids = 0;
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = ++ids;
      pending.push({ at: now + ms, fn, id });
      return { unref: () => undefined, id } as never;
    },
    clearTimeout: (h) => {
      const i = pending.findIndex((p) => p.id === (h as { id: number }).id);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  return {
    timers,
    now: () => new Date(now),
    delays: () => pending.map((p) => p.at - now),
    async advanceTo(to: Date) {
      for (;;) {
        pending.sort((a, b) => a.at - b.at);
        const next = pending[0];
        if (!next || next.at > to.getTime()) break;
        pending.shift();
        now = next.at;
        next.fn();
        await new Promise((r) => setTimeout(r, 20));
      }
      now = to.getTime();
    },
  };
}

describe("schedule", () => {
  it("fires on the configured day and hour (UTC) for the month that ended, chaining waits longer than a timer allows", async () => {
    expect(nextRunAfter(new Date("2026-11-15T00:00:00Z")).toISOString()).toBe("2026-12-01T02:00:00.000Z");
    expect(nextRunAfter(new Date("2026-12-01T02:00:00Z")).toISOString()).toBe("2027-01-01T02:00:00.000Z");
    expect(nextRunAfter(new Date("2026-12-01T01:59:59Z"), { dayOfMonth: 1, hourUtc: 2 }).toISOString()).toBe("2026-12-01T02:00:00.000Z");
    expect(nextRunAfter(new Date("2026-12-05T00:00:00Z"), { dayOfMonth: 3, hourUtc: 6 }).toISOString()).toBe("2027-01-03T06:00:00.000Z");
    expect(() => new MonthlySchedule(() => undefined, { spec: { dayOfMonth: 31, hourUtc: 2 } })).toThrow(/dayOfMonth/);

    const clock = virtualTimers(new Date("2026-10-20T00:00:00Z"));
    const fired: string[] = [];
    const schedule = new MonthlySchedule((p) => void fired.push(p), { now: clock.now, timers: clock.timers, jitterMs: 0 }).start();
    expect(Math.max(...clock.delays())).toBeLessThanOrEqual(2 ** 31 - 1);
    await clock.advanceTo(new Date("2026-11-01T01:59:00Z"));
    expect(fired).toEqual([]);
    await clock.advanceTo(new Date("2026-12-15T00:00:00Z"));
    expect(fired).toEqual(["2026-10", "2026-11"]);
    schedule.stop();
    expect(clock.delays()).toEqual([]);
  });
});

describe("repository_dispatch", () => {
  it("reads soc2-guard-export with or without client_payload.period, ignores other types, rejects a bad period", () => {
    const base = webhookPayload("repository_dispatch");
    const repo = (base.repository as { full_name: string }).full_name;
    expect(parseDispatchPayload({ ...base, action: "soc2-guard-export", client_payload: { period: "2026-11" } }, NOW)).toEqual({ kind: "export", organization: repo.split("/")[0], repository: repo, period: "2026-11", reexport: null });
    expect(parseDispatchPayload({ ...base, action: "soc2-guard-export", client_payload: {} }, NOW)).toMatchObject({ kind: "export", period: "2026-11" });
    expect(parseDispatchPayload({ ...base, action: "soc2-guard-export", client_payload: { period: "=1+1" } })).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/YYYY-MM/) });
    expect(parseDispatchPayload(base)).toEqual({ kind: "ignored" });
  });

  // Issue 11 item 5: on 3dca4fb any well-formed month was taken, and a past month could not be exported again on record.
  it("takes only a month that has ended, and a re-export only with its reason", () => {
    const base = { ...webhookPayload("repository_dispatch"), action: "soc2-guard-export" };
    expect(parseDispatchPayload({ ...base, client_payload: { period: "2026-12" } }, NOW)).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/2026-12 has not ended yet/) });
    expect(parseDispatchPayload({ ...base, client_payload: { period: "2027-03" } }, NOW)).toMatchObject({ kind: "invalid" });
    expect(parseDispatchPayload({ ...base, client_payload: { period: "2026-10", reexport: true } }, NOW)).toMatchObject({ kind: "invalid", problem: expect.stringMatching(/needs client_payload.reason/) });
    expect(parseDispatchPayload({ ...base, client_payload: { period: "2026-10", reexport: true, reason: "auditor asked for the corrected access review" } }, NOW)).toMatchObject({
      kind: "export",
      period: "2026-10",
      reexport: { reason: "auditor asked for the corrected access review", requestedBy: ((base as Record<string, unknown>).sender as { login: string }).login },
    });
  });
});

describe("export runner on a local archive", () => {
  it("records a re-export of a past period as its own issue with its reason, leaving the first export's issue", async () => {
    const { dir, archive } = await fixtureArchive();
    const local = (log: string[] = []): MonthlyExportDeps => ({ gh: null, archive, location: { kind: "directory", dir }, issues: new LocalIssueSink(dir), now: () => NOW, log: { info: (m) => void log.push(m), warn: (m) => void log.push(m) } });
    expect((await runMonthlyExport(local(), { org: "acme", period: "2026-11" })).status).toBe("exported");
    expect((await runMonthlyExport(local(), { org: "acme", period: "2026-11" })).status).toBe("already-exported");
    const log: string[] = [];
    const again = await runMonthlyExport(local(log), { org: "acme", period: "2026-11", reexport: { reason: "@auditors asked <!-- x --> for the corrected access review", requestedBy: "octo-owner" } });
    expect(again.status).toBe("exported");
    const issues = readdirSync(join(dir, "issues")).sort().map((f) => readFileSync(join(dir, "issues", f), "utf8"));
    expect(issues).toHaveLength(2);
    expect(issues[1]).toMatch(/^# SOC 2 evidence export — 2026-11 \(re-export\)/);
    expect(issues[1]).toContain("**Re-export** of 2026-11 requested by octo-owner");
    expect(issues[1]).toContain("for the corrected access review");
    expect(issues[1]).not.toContain("@auditors");
    expect(log.join("\n")).toContain("re-exported");
  });

  function deps(dir: string, archive: MonthlyExportDeps["archive"], log: string[] = []): MonthlyExportDeps {
    return { gh: null, archive, location: { kind: "directory", dir }, issues: new LocalIssueSink(dir), now: () => NOW, log: { info: (m) => void log.push(m), warn: (m) => void log.push(m) } };
  }

  it("schedule, dispatch and CLI for the same period make one issue and one set of files", async () => {
    const { dir, archive } = await fixtureArchive();
    // 1. The in-process schedule fires at 02:00 on the 1st.
    const clock = virtualTimers(new Date("2026-11-30T00:00:00Z"));
    const results: string[] = [];
    const schedule = new MonthlySchedule(async (period) => void results.push((await runMonthlyExport(deps(dir, archive), { org: "acme", period })).status), { now: clock.now, timers: clock.timers, jitterMs: 0 }).start();
    await clock.advanceTo(new Date("2026-12-01T02:00:01Z"));
    schedule.stop();
    const files = readdirSync(join(dir, "exports/2026-11")).sort();
    expect(files).toEqual(["access-review.csv", "changes.csv", "exceptions.csv", "report.html", "settings-changes.csv", "summary.json"]);
    const changesBefore = readFileSync(join(dir, "exports/2026-11/changes.csv"), "utf8");

    // 2. The workflow's repository_dispatch arrives for the same month.
    const dispatch = parseDispatchPayload({ action: "soc2-guard-export", client_payload: { period: "2026-11" }, repository: { full_name: "acme/compliance-evidence", owner: { login: "acme" } } });
    if (dispatch.kind !== "export") throw new Error("expected an export");
    results.push((await runMonthlyExport(deps(dir, archive), { org: dispatch.organization, period: dispatch.period })).status);

    // 3. Someone runs the CLI too.
    const out: string[] = [];
    const code = await makeExportCommand({ now: () => NOW })(["--period", "2026-11", "--archive", dir, "--org", "acme"], io("/", out));
    expect(code).toBe(0);
    expect(out.join("")).toMatch(/2026-11: already exported: file:\/\//);

    expect(results).toEqual(["exported", "already-exported"]);
    const issues = readdirSync(join(dir, "issues"));
    expect(issues).toHaveLength(1);
    const issue = readFileSync(join(dir, "issues", issues[0]!), "utf8");
    expect(issue).toMatch(/^# SOC 2 evidence export — 2026-11\n\nlabels: soc2-guard:export\n/);
    expect(issue).toContain("Reconciliation was not run: no GitHub access");
    expect(issue).toContain(`npx soc2-guard verify --archive ${dir}`);
    expect(readFileSync(join(dir, "exports/2026-11/changes.csv"), "utf8")).toBe(changesBefore);
  });

  it("writes nothing on a dry run, refuses a month that has not ended, and rewrites no identical files", async () => {
    const { dir, archive } = await fixtureArchive();
    const dry = await runMonthlyExport(deps(dir, archive), { org: "acme", period: "2026-11", dryRun: true });
    expect(dry.status).toBe("dry-run");
    expect(existsSync(join(dir, "exports"))).toBe(false);
    expect(existsSync(join(dir, "issues"))).toBe(false);
    expect(await runMonthlyExport(deps(dir, archive), { org: "acme", period: "2026-12" })).toMatchObject({ status: "refused", reason: expect.stringMatching(/has not ended/) });
    expect(await runMonthlyExport(deps(dir, archive), { org: "acme", period: "2026-13" })).toMatchObject({ status: "refused" });

    const out: string[] = [];
    expect(await makeExportCommand({ now: () => NOW })(["--period", "2026-11", "--archive", dir, "--dry-run"], io("/", out))).toBe(0);
    expect(out.join("")).toContain("(dry run, nothing written)");
    expect(await makeExportCommand({ now: () => NOW })(["--period", "2026-11"], io("/", []))).toBe(2);
    expect(await makeExportCommand({ now: () => NOW })(["--period", "2026-11", "--repo", "acme/compliance-evidence"], io("/", out))).toBe(2);
    expect(out.join("")).toContain("needs a token in GITHUB_TOKEN");
  });
});
