import { describe, expect, expectTypeOf, it } from "vitest";
import type { CheckSuiteCompletedEvent, PullRequestEvent, PullRequestOpenedEvent, PushEvent } from "@octokit/webhooks-types";
import { webhookDelivery, webhookExample, webhookExamples } from "../helpers/webhooks.js";

describe("webhookExample", () => {
  it("returns a real payload of the event and action, typed for that action", () => {
    const pr = webhookExample("pull_request", "opened");
    expectTypeOf(pr).toEqualTypeOf<PullRequestOpenedEvent>();
    expect(pr.action).toBe("opened");
    expect(pr.pull_request.head.sha).toMatch(/^[0-9a-f]{40}$/);
    expectTypeOf(webhookExample("pull_request")).toEqualTypeOf<PullRequestEvent>();
    expectTypeOf(webhookExample("push")).toEqualTypeOf<PushEvent>();
    expectTypeOf(webhookExample("check_suite", "completed")).toEqualTypeOf<CheckSuiteCompletedEvent>();
  });

  it("deep-clones, so a test may change what it gets", () => {
    const a = webhookExample("pull_request", "opened");
    a.pull_request.head.sha = "0".repeat(40);
    a.pull_request.labels.push({ ...a.pull_request.labels[0]!, name: "x" });
    expect(webhookExample("pull_request", "opened").pull_request.head.sha).not.toBe("0".repeat(40));
  });

  it("picks among the examples", () => {
    const failed = webhookExample("check_run", "completed", (p) => p.check_run.conclusion === "failure");
    expect(failed.check_run.conclusion).toBe("failure");
    expect(webhookExamples("check_suite", "completed").length).toBeGreaterThan(1);
    expect(() => webhookExample("pull_request", "opened", () => false)).toThrow(/none of the 4 pull_request.opened examples/);
  });

  it("names the actions that exist when asked for one that does not", () => {
    expect(() => webhookExample("pull_request", "edited")).toThrow(/no pull_request.edited example \(it has: .*opened.*synchronize/);
    expect(() => webhookExample("secret_scanning_alert", "created")).toThrow(/has no secret_scanning_alert example/);
  });

  it("has the events soc2-guard handles", () => {
    for (const [name, action] of [
      ["pull_request", "opened"], ["pull_request", "synchronize"], ["pull_request", "reopened"], ["pull_request", "ready_for_review"], ["pull_request", "labeled"], ["pull_request", "unlabeled"], ["pull_request", "closed"],
      ["pull_request_review", "submitted"], ["pull_request_review", "dismissed"],
      ["check_run", "completed"], ["check_run", "rerequested"], ["check_suite", "completed"], ["check_suite", "rerequested"],
      ["merge_group", "checks_requested"], ["branch_protection_rule", "edited"], ["repository", "created"], ["installation", "created"],
      ["repository_dispatch", undefined], ["push", undefined], ["status", undefined],
    ] as const) expect(() => webhookExamples(name, action as never)).not.toThrow();
  });

  it("wraps a payload as a delivery for probot.receive", () => {
    const delivery = webhookDelivery("push", webhookExample("push"));
    expect(delivery).toMatchObject({ name: "push", payload: { ref: expect.any(String) } });
    expect(delivery.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
