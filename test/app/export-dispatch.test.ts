// repository_dispatch as the app receives it: only `soc2-guard-export`, only from the
// organization's archive repository.

import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { API, createTestApp, mockInstallationToken } from "../helpers/github-mock.js";
import { webhookPayload } from "../helpers/payload.js";
import { previousMonth } from "../../src/triggers/monthly-export.js";

afterEach(() => nock.cleanAll());

describe("export requests", () => {
  it("ignores other dispatch types without a single request", async () => {
    const logs: string[] = [];
    const app = createTestApp({}, { logLines: logs });
    await app.receive("repository_dispatch", webhookPayload("repository_dispatch"));
    expect(nock.pendingMocks()).toEqual([]);
    expect(logs.join("")).not.toContain("export");
  });

  it("refuses an export request from a repository that is not the archive", async () => {
    const logs: string[] = [];
    const app = createTestApp({}, { logLines: logs });
    const scope = mockInstallationToken(nock(API));
    scope.get("/repos/octo-org/.github/contents/.github%2Fsoc2-guard.yml").reply(404, { message: "Not Found" });
    await app.receive("repository_dispatch", { ...webhookPayload("repository_dispatch"), action: "soc2-guard-export", client_payload: { period: "2026-10" } });
    expect(logs.join("")).toContain("export requests are only taken from the archive repository");
  });

  it("refuses a month that has not ended before reading anything", async () => {
    const logs: string[] = [];
    const app = createTestApp({}, { logLines: logs }); // the clock says 2026-11-02
    await app.receive("repository_dispatch", { ...webhookPayload("repository_dispatch"), action: "soc2-guard-export", client_payload: { period: "2026-11" } });
    expect(logs.join("")).toContain("export request refused");
    expect(logs.join("")).toContain("2026-11 has not ended yet");
    expect(logs.join("")).not.toContain("GitHub request");
  });

  it("exports the month before the schedule fires", () => {
    expect(previousMonth(new Date("2026-12-01T02:00:00Z"))).toBe("2026-11");
    expect(previousMonth(new Date("2027-01-01T02:00:00Z"))).toBe("2026-12");
  });
});
