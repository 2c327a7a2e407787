// Which month an export covers. Periods are UTC calendar months, half-open [since, until),
// as the evidence reconciliation defines them; this file only adds the month arithmetic.

import { monthPeriod, type Period } from "../evidence/reconcile.js";

export type { Period };

/** `YYYY-MM` → that UTC month, or null for anything else (2026-13, 2026-1, …). */
export function exportPeriod(label: string): Period | null {
  return monthPeriod(label);
}

/** The month before the one `now` falls in: what a run on the 1st exports. */
export function previousMonthLabel(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** A month is exportable once it has ended: exporting a running month would miss changes. */
export function hasEnded(period: Period, now: Date): boolean {
  return now.toISOString() >= period.until;
}

/** Where a period's files live in the archive: exports/YYYY-MM/. */
export const exportDirectory = (period: Period): string => `exports/${period.label}`;
