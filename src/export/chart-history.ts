// The months before a period as report.html's 12-month chart draws them, read from those
// months' own exports (summary.json): the figures an auditor already holds, signed with
// each export, rather than a second count. A month without an export draws as empty; one
// exported before `approvedCoveringHead` was counted draws no approval point.

import type { Period } from "../evidence/reconcile.js";
import type { ChartMonth } from "../web/view/types.js";

/** The `count` months before `period`, oldest first. */
export async function chartHistory(readFile: (path: string) => Promise<string | null>, period: Period, count = 11): Promise<ChartMonth[]> {
  const [y, m] = period.label.split("-").map(Number) as [number, number];
  const labels = Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, m - 1 - count + i, 1)).toISOString().slice(0, 7));
  return Promise.all(
    labels.map(async (label): Promise<ChartMonth> => {
      const text = await readFile(`exports/${label}/summary.json`);
      if (text === null) return { label, changes: 0, approvedCoveringHead: 0, ciPassed: 0 };
      try {
        const totals = (JSON.parse(text) as { totals?: { changes?: number; approvedCoveringHead?: number; ciPassed?: number } }).totals ?? {};
        return { label, changes: totals.changes ?? 0, approvedCoveringHead: totals.approvedCoveringHead ?? null, ciPassed: totals.ciPassed ?? 0 };
      } catch {
        return { label, changes: 0, approvedCoveringHead: 0, ciPassed: 0 };
      }
    }),
  );
}
