import { describe, expect, it } from "vitest";
import { Probot, ProbotOctokit } from "probot";
import soc2Guard from "../src/app.js";

describe("app", () => {
  it("loads into Probot", async () => {
    const probot = new Probot({ appId: 1, privateKey: "x", Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }) });
    await probot.load(soc2Guard);
    expect(probot).toBeInstanceOf(Probot);
  });
});
