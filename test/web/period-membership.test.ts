// One source of truth for which period a change belongs to: the portal groups the archive
// with the export's rule (belongsToPeriod with the commit times the export's snapshot.json
// holds), so a direct push collected late lands in the month it happened — as in the
// export — and a settings change is in no period's population.

import { describe, expect, it } from "vitest";
import { GENESIS, sealAll, serialiseRecord, shardPath } from "../../src/evidence/ledger.js";
import type { EvidenceRecord } from "../../src/evidence/record.js";
import { monthPeriod } from "../../src/evidence/reconcile.js";
import { selectPeriod } from "../../src/export/period-selection.js";
import { buildArchiveIndex } from "../../src/web/archive-index.js";
import { generatedRecord } from "./generated-archive.js";

const REPO = "acme/payments";

function archiveWithLateAndSettings() {
  const records: EvidenceRecord[] = Array.from({ length: 40 }, (_, i) => generatedRecord(i + 1, REPO, new Date(Date.UTC(2026, 10, 1 + (i % 28), 9)).toISOString()));
  // A direct push that landed on Nov 30 but was collected by reconciliation on Dec 2.
  const late = { ...generatedRecord(97, REPO, "2026-12-02T10:00:00.000Z"), collectedLate: true };
  // A settings change soc2-guard applied (org audit fix): evidence, not a change of code.
  const settings: EvidenceRecord = { ...generatedRecord(5, REPO, "2026-11-15T12:00:00.000Z"), id: `${REPO}@settings-1`, kind: "settings-change", pullRequest: null, push: null };
  const dec = Array.from({ length: 5 }, (_, i) => generatedRecord(200 + i * 2, REPO, new Date(Date.UTC(2026, 11, 3 + i, 9)).toISOString()));
  const sealed = sealAll([...records, settings, late, ...dec], GENESIS);
  const lines = sealed.map((r, n) => ({ location: `${shardPath(new Date(r.collectedAt))}:${n + 1}`, text: serialiseRecord(r) }));
  const last = sealed.at(-1)!;
  // What the November export's snapshot.json holds: the push's commit time on the default branch.
  const periodCommits = new Map([[REPO, new Map([[late.push!.after, "2026-11-30T22:00:00.000Z"]])]]);
  return { sealed, late: sealed.find((r) => r.id === late.id)!, settings: sealed.find((r) => r.kind === "settings-change")!, archive: { lines, head: { hash: last.hash, count: sealed.length, lastId: last.id, updatedAt: last.collectedAt } }, periodCommits };
}

describe("the portal's periods are the export's", () => {
  const { archive, late, settings, periodCommits } = archiveWithLateAndSettings();
  const novExport = selectPeriod(archive.lines, { period: monthPeriod("2026-11")!, periodCommits });
  const decExport = selectPeriod(archive.lines, { period: monthPeriod("2026-12")! });
  const index = buildArchiveIndex(archive, { exported: new Map([["2026-11", periodCommits]]) });
  const hashes = (rows: Array<{ recordHash: string }>) => rows.map((r) => r.recordHash).sort();

  it("a direct push collected late is in the month it landed, at the time it landed, as in that month's export", () => {
    expect(novExport.changes.some((c) => c.recordHash === late.hash)).toBe(true);
    const row = index.periods.get("2026-11")!.rows.find((r) => r.recordHash === late.hash);
    expect(row?.mergedAt).toBe("2026-11-30T22:00:00.000Z");
    expect(index.periods.get("2026-12")!.rows.some((r) => r.recordHash === late.hash)).toBe(false);
  });

  it("a settings change is in no period's changes", () => {
    expect(index.periods.get("2026-11")!.rows.some((r) => r.recordHash === settings.hash)).toBe(false);
    expect(index.byHash.get(settings.hash)).toBeDefined();
  });

  it.each(["2026-11", "2026-12"])("%s: the same changes, the same landing times and the same seal as the export", (label) => {
    const exported = label === "2026-11" ? novExport : decExport;
    const p = index.periods.get(label)!;
    expect(hashes(p.rows)).toEqual(hashes(exported.changes));
    expect(p.rows.map((r) => [r.recordHash, r.mergedAt]).sort()).toEqual(exported.changes.map((r) => [r.recordHash, r.mergedAt]).sort());
    expect(p.seal?.hash).toBe(exported.seal?.hash);
  });

  it("a late push no export has placed yet is listed apart, not counted in its collection month", () => {
    const unexported = buildArchiveIndex(archive);
    expect(unexported.periods.get("2026-12")!.rows.some((r) => r.recordHash === late.hash)).toBe(false);
    expect(unexported.unplaced.map((r) => r.record.hash)).toEqual([late.hash]);
  });
});
