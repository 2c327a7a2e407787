// Real webhook payloads from @octokit/webhooks-examples, deep-cloned so a test may adapt them.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as Array<{ name: string; examples: Array<Record<string, unknown>> }>;

export function webhookPayload(name: string, action?: string, index = 0): Record<string, unknown> {
  const group = examples.find((e) => e.name === name);
  if (!group) throw new Error(`no ${name} example in @octokit/webhooks-examples`);
  const matching = group.examples.filter((e) => action === undefined || e.action === action);
  const example = matching[index];
  if (!example) throw new Error(`no ${name}.${action ?? "*"} example #${index}`);
  return structuredClone(example);
}
