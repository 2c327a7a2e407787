import { describe, expect, it } from "vitest";
import { periodsToReconcile } from "../../src/triggers/reconcile-daily.js";

describe("daily reconciliation periods", () => {
  it("covers the month so far, and the previous month in the first three days", () => {
    expect(periodsToReconcile(new Date("2026-11-20T03:00:00Z"))).toEqual(["2026-11"]);
    expect(periodsToReconcile(new Date("2026-11-02T03:00:00Z"))).toEqual(["2026-10", "2026-11"]);
    expect(periodsToReconcile(new Date("2027-01-01T03:00:00Z"))).toEqual(["2026-12", "2027-01"]);
  });
});
