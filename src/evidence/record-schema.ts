// JSON Schema of a sealed evidence record, version 1. Published as
// schema/evidence-record.v1.json (npm run schema) so auditors can validate records
// with any tool.

const str = { type: "string" };
const nstr = { type: ["string", "null"] };
const sha = { type: "string", pattern: "^[0-9a-f]{40}$" };
const hash = { type: "string", pattern: "^[0-9a-f]{64}$" };
const bool = { type: "boolean" };
const secretRef = { type: "object", additionalProperties: false, required: ["rule", "path", "line", "fingerprint"], properties: { rule: str, path: str, line: { type: "integer" }, fingerprint: hash } };

export const recordSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://soc2-guard.dev/schema/evidence-record.v1.json",
  title: "soc2-guard evidence record, version 1",
  type: "object",
  additionalProperties: false,
  required: ["schema", "id", "kind", "repository", "baseBranch", "pullRequest", "push", "ticketRefs", "approvals", "dismissedReviews", "flags", "checks", "branchRulesHash", "branchRuleSources", "secrets", "exception", "controls", "configHash", "appVersion", "deliveryId", "collectedAt", "collectedLate", "prev", "hash"],
  properties: {
    schema: { const: "soc2-guard/evidence-record@1" },
    id: str,
    kind: { enum: ["pull-request", "direct-push", "settings-change"] },
    repository: { type: "string", pattern: "^[^/]+/[^/]+$" },
    baseBranch: str,
    pullRequest: {
      oneOf: [
        { type: "null" },
        {
          type: "object",
          additionalProperties: false,
          required: ["number", "url", "title", "author", "headSha", "mergeCommitSha", "mergedBy", "mergedAt", "mergeMethod"],
          properties: { number: { type: "integer" }, url: str, title: str, author: str, headSha: sha, mergeCommitSha: nstr, mergedBy: nstr, mergedAt: nstr, mergeMethod: { enum: ["merge", "squash-or-rebase", "unknown"] } },
        },
      ],
    },
    push: {
      oneOf: [
        { type: "null" },
        {
          type: "object",
          additionalProperties: false,
          required: ["pusher", "before", "after", "forced", "commits", "justificationIssueUrl"],
          properties: {
            pusher: str,
            before: str,
            after: str,
            forced: bool,
            commits: { type: "array", items: { type: "object", additionalProperties: false, required: ["sha", "author", "message"], properties: { sha: str, author: nstr, message: str } } },
            justificationIssueUrl: nstr,
          },
        },
      ],
    },
    settingsChange: {
      oneOf: [
        { type: "null" },
        {
          type: "object",
          additionalProperties: false,
          required: ["policy", "request", "description", "before", "after", "outcome", "status", "configuredBy"],
          properties: {
            policy: str,
            request: str,
            description: str,
            before: {},
            after: { type: "object" },
            outcome: { enum: ["applied", "failed"] },
            status: { type: "integer" },
            configuredBy: {
              type: "object",
              additionalProperties: false,
              required: ["sources", "commit", "login", "committedAt"],
              properties: { sources: { type: "array", items: str }, commit: nstr, login: nstr, committedAt: nstr },
            },
          },
        },
      ],
    },
    ticketRefs: { type: "array", items: str },
    approvals: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["login", "submittedAt", "commitId", "state", "counted", "discountedBecause", "coversMergedHead"],
        properties: { login: str, submittedAt: str, commitId: str, state: { const: "APPROVED" }, counted: bool, discountedBecause: nstr, coversMergedHead: bool },
      },
    },
    dismissedReviews: { type: "array", items: { type: "object", additionalProperties: false, required: ["login", "submittedAt", "commitId"], properties: { login: str, submittedAt: str, commitId: str } } },
    flags: { type: "object", additionalProperties: false, required: ["independentApproval", "approvedBeforeMerge", "coversMergedHead", "ciPassed"], properties: { independentApproval: bool, approvedBeforeMerge: bool, coversMergedHead: bool, ciPassed: bool } },
    checks: { type: "array", items: { type: "object", additionalProperties: false, required: ["name", "app", "conclusion", "completedAt"], properties: { name: str, app: nstr, conclusion: nstr, completedAt: nstr } } },
    branchRulesHash: { type: "string", pattern: "^([0-9a-f]{64})?$" },
    branchRuleSources: { type: "array", items: str },
    secrets: {
      type: "object",
      additionalProperties: false,
      required: ["findings", "suppressed", "notScanned"],
      properties: { findings: { type: "array", items: secretRef }, suppressed: { type: "array", items: secretRef }, notScanned: { type: "array", items: { type: "object", required: ["path", "reason"], properties: { path: str, reason: str } } } },
    },
    pii: {
      type: "object",
      additionalProperties: false,
      required: ["findings", "suppressed", "notScanned"],
      properties: { findings: { type: "array", items: secretRef }, suppressed: { type: "array", items: secretRef }, notScanned: { type: "array", items: { type: "object", required: ["path", "reason"], properties: { path: str, reason: str } } } },
    },
    exception: {
      oneOf: [
        { type: "null" },
        {
          type: "object",
          additionalProperties: false,
          required: ["type", "label", "declaredBy", "declaredAt", "reason", "reviewDueAt", "reviewIssueUrl"],
          properties: { type: { const: "emergency-change" }, label: str, declaredBy: nstr, declaredAt: nstr, reason: str, reviewDueAt: nstr, reviewIssueUrl: nstr, selfDeclared: bool },
        },
      ],
    },
    controls: { type: "array", items: { type: "object", additionalProperties: false, required: ["id", "mode", "status", "reason"], properties: { id: str, mode: str, status: { enum: ["pass", "fail", "pending", "skipped"] }, reason: str } } },
    configHash: hash,
    appVersion: str,
    deliveryId: str,
    collectedAt: { type: "string", format: "date-time" },
    collectedLate: bool,
    keyIds: { type: "object", additionalProperties: false, required: ["signing", "fingerprint"], properties: { signing: { type: "string", pattern: "^ed25519:[0-9a-f]{64}$" }, fingerprint: { type: "string", pattern: "^hmac-sha256:[0-9a-f]{16,64}$" } } },
    prev: hash,
    hash,
  },
} as const;
