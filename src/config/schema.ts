// JSON Schema of `.github/soc2-guard.yml`. Published as schema/soc2-guard-config.schema.json
// (written by `npm run schema`, checked by a test) so editors can validate the file.

const mode = { enum: ["enforce", "advisory", "off"], description: "enforce blocks the check; advisory reports only; off skips the control." };
const stringList = { type: "array", items: { type: "string", minLength: 1 } };
const count = { type: "integer", minimum: 0, maximum: 20 };

const pathRule = {
  type: "object",
  additionalProperties: false,
  required: ["pattern"],
  properties: {
    pattern: { type: "string", minLength: 1, description: "minimatch glob matched against changed file paths" },
    approvals: count,
    teams: stringList,
    users: stringList,
  },
};

const checkSpec = {
  oneOf: [
    { type: "string", minLength: 1 },
    {
      type: "object",
      additionalProperties: false,
      required: ["name", "app"],
      properties: { name: { type: "string", minLength: 1 }, app: { type: "string", minLength: 1 } },
    },
  ],
};

const secretRule = {
  type: "object",
  additionalProperties: false,
  required: ["id", "regex", "keywords"],
  properties: {
    id: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]*$" },
    description: { type: "string" },
    regex: { type: "string", minLength: 1 },
    keywords: { type: "array", minItems: 1, items: { type: "string", minLength: 2 } },
    entropy: { type: "number", minimum: 0, maximum: 8 },
  },
};

const controls = {
  type: "object",
  additionalProperties: false,
  properties: {
    "review.approval": {
      type: "object",
      additionalProperties: false,
      properties: {
        mode,
        approvals: count,
        allowContributors: { type: "boolean" },
        allowUpdateMerges: { type: "boolean" },
        allowBots: { type: "boolean" },
        requireCodeOwners: { type: "boolean" },
        paths: { type: "array", items: pathRule },
      },
    },
    "ci.passing": {
      type: "object",
      additionalProperties: false,
      properties: { mode, checks: { type: "array", items: checkSpec } },
    },
    "branch.protection": {
      type: "object",
      additionalProperties: false,
      properties: {
        mode,
        approvals: count,
        requireDismissStale: { type: "boolean" },
        requireStatusChecks: { type: "boolean" },
        requireNoForcePush: { type: "boolean" },
        requireNoDeletion: { type: "boolean" },
        allowAdminBypass: { type: "boolean" },
      },
    },
    "secrets.diff": {
      type: "object",
      additionalProperties: false,
      properties: { mode, ignorePaths: stringList, rules: { type: "array", items: secretRule } },
    },
    "secrets.repository": { type: "object", additionalProperties: false, properties: { mode } },
    "change.ticket": {
      type: "object",
      additionalProperties: false,
      properties: { mode, patterns: stringList },
    },
    "privacy.pii": {
      type: "object",
      additionalProperties: false,
      properties: {
        mode,
        bulkThreshold: { type: "integer", minimum: 2, maximum: 100000, description: "distinct real-looking e-mail addresses / phone numbers that make a data file bulk personal data" },
        allow: { ...stringList, description: "test values (as written) or their fingerprints that are never findings" },
        allowDomains: { ...stringList, description: "e-mail domains of your own test data" },
        ignorePaths: stringList,
      },
    },
  },
};

const configBody = {
  archive: {
    type: "object",
    additionalProperties: false,
    properties: {
      repository: { type: "string", pattern: "^[A-Za-z0-9._-]+$" },
      branch: { type: "string", minLength: 1 },
    },
  },
  controls,
  exceptions: {
    type: "object",
    additionalProperties: false,
    properties: {
      label: { type: "string", minLength: 1 },
      allowed: stringList,
      reviewWithinHours: { type: "integer", minimum: 1, maximum: 720 },
      allowSelfDeclared: { type: "boolean" },
    },
  },
  protectedBranches: stringList,
  audit: { type: "object", description: "Org settings audit: include/exclude, issues, policies (validated key by key)." },
};

export const configSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://soc2-guard.dev/schema/soc2-guard-config.schema.json",
  title: "soc2-guard configuration (.github/soc2-guard.yml)",
  type: "object",
  additionalProperties: false,
  properties: {
    ...configBody,
    minimums: {
      description: "Org file only: settings a repository file may raise but not lower.",
      type: "object",
      additionalProperties: false,
      properties: { controls },
    },
  },
} as const;
