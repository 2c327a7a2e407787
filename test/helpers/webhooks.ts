// Real webhook payloads from @octokit/webhooks-examples (api.github.com), deep-cloned so a
// test may adapt them, typed with the event types that package ships
// (@octokit/webhooks-types, e.g. PullRequestOpenedEvent).
//
//   const pr = webhookExample("pull_request", "opened");            // PullRequestOpenedEvent
//   pr.pull_request.head.sha = HEAD;
//   const fork = webhookExample("pull_request", "opened", (p) => p.pull_request.head.repo?.fork === true);
//   await probot.receive(webhookDelivery("pull_request", pr));
//
// Not in the examples (@octokit/webhooks-examples 7.6.1; adapt a neighbour and say so in the test):
//   pull_request.edited, pull_request_review.edited, repository.deleted/archived,
//   secret_scanning_alert (typed here, no example), repository_ruleset (neither typed nor example).
// Also absent: a merged pull_request.closed (both have merged: false), a fork PR (every head
// repo is the base repo), an APPROVED or CHANGES_REQUESTED review (reviews are "commented" or
// "dismissed"), and check_suite/check_run examples with conclusions other than success,
// failure (one check_run) and neutral.

import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import type { Probot } from "probot";

/** An event name the examples package types (`pull_request`, `check_suite`, …). */
export type WebhookName = WebhookDefinition["name"];
/** Every payload shape of one event, e.g. PullRequestEvent (a union over actions). */
export type WebhookPayload<N extends WebhookName> = WebhookDefinition<N>["examples"][number];
/** The actions an event's payload types declare. */
export type WebhookAction<N extends WebhookName> = WebhookPayload<N> extends infer P ? (P extends { action: infer A extends string } ? A : never) : never;
/** The payload of one event and action, e.g. PullRequestOpenedEvent; all actions when A is never. */
export type WebhookExample<N extends WebhookName, A extends string = never> = [A] extends [never] ? WebhookPayload<N> : Extract<WebhookPayload<N>, { action: A }>;

/** What `Probot#receive` takes. */
export type WebhookDelivery = Parameters<Probot["receive"]>[0];

interface Group {
  name: string;
  examples: Array<Record<string, unknown>>;
}

const require = createRequire(import.meta.url);
let groups: Group[] | undefined;

function group(name: string): Group {
  groups ??= require("@octokit/webhooks-examples/api.github.com/index.json") as Group[];
  const found = groups.find((g) => g.name === name);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${name} example; build one from a neighbouring event and say so in the test`);
  return found;
}

/**
 * Every real example of an event (optionally of one action), deep-cloned, in the package's
 * order. Throws, listing the actions that do exist, when there is none.
 */
export function webhookExamples<N extends WebhookName, const A extends WebhookAction<N> = never>(name: N, action?: A): Array<WebhookExample<N, A>> {
  const g = group(name);
  const matching = g.examples.filter((e) => action === undefined || e.action === action);
  if (matching.length === 0) {
    const actions = [...new Set(g.examples.map((e) => String(e.action ?? "(none)")))].join(", ");
    throw new Error(`@octokit/webhooks-examples has no ${name}.${String(action)} example (it has: ${actions}); adapt one, e.g. { ...webhookExample("${name}", "${String(g.examples[0]?.action ?? "")}"), action: "${String(action)}" }`);
  }
  return matching.map((e) => structuredClone(e) as WebhookExample<N, A>);
}

/**
 * The first real example of `name` (and `action`, when given) for which `pick` returns true,
 * deep-cloned: a test may change it freely. Examples: `webhookExample("push")`,
 * `webhookExample("check_suite", "completed")`,
 * `webhookExample("pull_request", "closed", (p) => p.pull_request.merged === true)`.
 */
export function webhookExample<N extends WebhookName, const A extends WebhookAction<N> = never>(name: N, action?: A, pick?: (payload: WebhookExample<N, A>) => boolean): WebhookExample<N, A> {
  const all = webhookExamples(name, action);
  const chosen = pick ? (all as unknown[]).find((p) => pick(p as WebhookExample<N, A>)) : all[0];
  if (!chosen) throw new Error(`none of the ${all.length} ${name}${action ? `.${String(action)}` : ""} examples matches the pick function`);
  return chosen as WebhookExample<N, A>;
}

/**
 * A delivery for `probot.receive(...)` (or `app.receive`): name, payload and a fresh
 * delivery id. The payload types of the examples and of Probot's webhooks differ in detail,
 * so the cast lives here rather than in every test.
 */
export function webhookDelivery<N extends WebhookName>(name: N, payload: WebhookPayload<N> | Record<string, unknown>, id: string = randomUUID()): WebhookDelivery {
  return { id, name, payload } as unknown as WebhookDelivery;
}
