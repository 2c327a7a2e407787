// Regenerates test/fixtures/openapi/api.github.com.trimmed.json: GitHub's OpenAPI
// description cut down to the operations soc2-guard sends (and the sandbox serves), with
// only the components they reference and without prose or examples.
//
// @octokit/openapi is 385 MB unpacked, so it is not a dependency: this script packs the
// pinned version into a temporary directory and reads the one file it needs.
//
//   npx tsx scripts/trim-openapi.ts

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PACKAGE = "@octokit/openapi";
const VERSION = "23.0.2";
const SOURCE_FILE = "package/generated/api.github.com.json";
const OUTPUT = new URL("../test/fixtures/openapi/api.github.com.trimmed.json", import.meta.url);

/** Every operation we use, as "METHOD /path/template". */
export const OPERATIONS = [
  // GitHub App authentication
  "GET /app",
  "GET /app/installations",
  "GET /app/installations/{installation_id}",
  "GET /users/{username}/installation",
  "POST /app/installations/{installation_id}/access_tokens",
  "GET /repos/{owner}/{repo}/installation",
  "GET /orgs/{org}/installation",
  "GET /installation/repositories",
  "GET /rate_limit",
  // the app's webhook delivery log and redelivery (src/github/hook-deliveries.ts)
  "GET /app/hook/deliveries",
  "POST /app/hook/deliveries/{delivery_id}/attempts",
  // checks
  "POST /repos/{owner}/{repo}/check-runs",
  "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
  "GET /repos/{owner}/{repo}/check-runs/{check_run_id}",
  "GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations",
  "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
  "GET /repos/{owner}/{repo}/commits/{ref}/check-suites",
  "POST /repos/{owner}/{repo}/check-suites/{check_suite_id}/rerequest",
  "POST /repos/{owner}/{repo}/check-runs/{check_run_id}/rerequest",
  "POST /repos/{owner}/{repo}/check-suites",
  "GET /repos/{owner}/{repo}/check-suites/{check_suite_id}",
  "GET /repos/{owner}/{repo}/check-suites/{check_suite_id}/check-runs",
  "GET /repos/{owner}/{repo}/commits/{ref}/statuses",
  "POST /repos/{owner}/{repo}/statuses/{sha}",
  "GET /repos/{owner}/{repo}/commits/{ref}/status",
  // pulls
  "GET /repos/{owner}/{repo}/pulls",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
  "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/merge",
  // repository
  "GET /repos/{owner}/{repo}",
  "PATCH /repos/{owner}/{repo}",
  "GET /repos/{owner}/{repo}/contents/{path}",
  "PUT /repos/{owner}/{repo}/contents/{path}",
  "GET /repos/{owner}/{repo}/branches/{branch}",
  "GET /repos/{owner}/{repo}/branches/{branch}/protection",
  "PUT /repos/{owner}/{repo}/branches/{branch}/protection",
  "DELETE /repos/{owner}/{repo}/branches/{branch}/protection",
  "GET /repos/{owner}/{repo}/branches",
  "GET /repos/{owner}/{repo}/branches/{branch}/protection/required_status_checks",
  "GET /repos/{owner}/{repo}/branches/{branch}/protection/required_pull_request_reviews",
  "GET /repos/{owner}/{repo}/codeowners/errors",
  "GET /repos/{owner}/{repo}/rules/branches/{branch}",
  "GET /repos/{owner}/{repo}/rulesets",
  "POST /repos/{owner}/{repo}/rulesets",
  "GET /repos/{owner}/{repo}/rulesets/{ruleset_id}",
  "PUT /repos/{owner}/{repo}/rulesets/{ruleset_id}",
  "DELETE /repos/{owner}/{repo}/rulesets/{ruleset_id}",
  "GET /repos/{owner}/{repo}/collaborators",
  "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
  "GET /repos/{owner}/{repo}/collaborators/{username}",
  "GET /repos/{owner}/{repo}/teams",
  "GET /repos/{owner}/{repo}/compare/{basehead}",
  "GET /repos/{owner}/{repo}/commits",
  "GET /repos/{owner}/{repo}/commits/{ref}",
  "POST /repos/{owner}/{repo}/dispatches",
  "GET /orgs/{org}/repos",
  "GET /repos/{owner}/{repo}/secret-scanning/alerts",
  "GET /repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}",
  "GET /orgs/{org}/secret-scanning/alerts",
  // git data (archive repository)
  "GET /repos/{owner}/{repo}/git/ref/{ref}",
  "POST /repos/{owner}/{repo}/git/refs",
  "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
  "DELETE /repos/{owner}/{repo}/git/refs/{ref}",
  "GET /repos/{owner}/{repo}/git/matching-refs/{ref}",
  "POST /repos/{owner}/{repo}/git/blobs",
  "GET /repos/{owner}/{repo}/git/blobs/{file_sha}",
  "POST /repos/{owner}/{repo}/git/trees",
  "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
  "POST /repos/{owner}/{repo}/git/commits",
  "GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
  // issues
  "GET /repos/{owner}/{repo}/issues",
  "POST /repos/{owner}/{repo}/issues",
  "GET /repos/{owner}/{repo}/issues/{issue_number}",
  "PATCH /repos/{owner}/{repo}/issues/{issue_number}",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
  "POST /repos/{owner}/{repo}/labels",
  "GET /repos/{owner}/{repo}/labels/{name}",
  "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
  "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
  "PUT /repos/{owner}/{repo}/issues/{issue_number}/lock",
  "GET /search/issues",
  // organization
  "GET /orgs/{org}",
  "GET /orgs/{org}/rulesets",
  "GET /orgs/{org}/rulesets/{ruleset_id}",
  "POST /orgs/{org}/rulesets",
  "GET /orgs/{org}/teams",
  "GET /orgs/{org}/teams/{team_slug}",
  "GET /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}",
  "GET /orgs/{org}/memberships/{username}",
  "GET /orgs/{org}/teams/{team_slug}/members",
  "GET /orgs/{org}/teams/{team_slug}/memberships/{username}",
  "GET /orgs/{org}/outside_collaborators",
  "GET /orgs/{org}/members",
  "GET /users/{username}",
];

/**
 * Where the description contradicts itself or what GitHub sends, as JSON pointers into the
 * trimmed file and the keys to merge there. Each is recorded in `info.x-corrections`.
 */
const CORRECTIONS: Array<{ pointer: string; merge: Record<string, unknown>; why: string }> = [
  {
    pointer: "#/components/schemas/pull-request-simple/properties/labels/items/properties/description",
    merge: { nullable: true },
    why: "a label without a description is null, as `pull-request` and `label` already say",
  },
];

type Json = Record<string, unknown>;

const PROSE = new Set(["description", "examples", "example", "summary", "externalDocs", "x-github", "x-githubEnterpriseOverlays"]);

/**
 * Drops prose and examples, which are most of the file and never validated. Keys of a
 * `properties` map are property names, not keywords: a property called `summary` or
 * `description` (check-run output, labels, rulesets) is kept.
 */
function strip(value: unknown, inPropertyMap = false): unknown {
  if (Array.isArray(value)) return value.map((v) => strip(v));
  if (!value || typeof value !== "object") return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value as Json)) {
    if (inPropertyMap) {
      out[key] = strip(child);
      continue;
    }
    if (PROSE.has(key)) continue;
    out[key] = strip(child, key === "properties" || key === "patternProperties");
  }
  return out;
}

function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) value.forEach((v) => collectRefs(v, into));
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value as Json)) {
      if (key === "$ref" && typeof child === "string") into.add(child);
      else collectRefs(child, into);
    }
  }
}

function resolvePointer(doc: Json, ref: string): unknown {
  return ref
    .replace(/^#\//, "")
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((node, part) => (node as Json | undefined)?.[part], doc);
}

function setPointer(doc: Json, ref: string, value: unknown): void {
  const parts = ref.replace(/^#\//, "").split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let node = doc;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Json;
  node[parts[parts.length - 1]!] = value;
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), "openapi-"));
  try {
    // OPENAPI_TARBALL=path/to/octokit-openapi-<VERSION>.tgz reuses a tarball packed earlier.
    let tarball = process.env.OPENAPI_TARBALL;
    if (!tarball) {
      execFileSync("npm", ["pack", `${PACKAGE}@${VERSION}`, "--silent"], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
      tarball = join(dir, readdirSync(dir).find((f) => f.endsWith(".tgz")) ?? "missing.tgz");
    }
    execFileSync("tar", ["-xzf", tarball, SOURCE_FILE], { cwd: dir });
    const spec = JSON.parse(readFileSync(join(dir, SOURCE_FILE), "utf8")) as Json & { paths: Record<string, Json> };

    const paths: Record<string, Json> = {};
    const missing: string[] = [];
    for (const operation of OPERATIONS) {
      const [method, path] = operation.split(" ") as [string, string];
      const item = spec.paths[path]?.[method.toLowerCase()];
      if (!item) {
        missing.push(operation);
        continue;
      }
      paths[path] ??= {};
      paths[path]![method.toLowerCase()] = strip(item);
      if (spec.paths[path]!.parameters) paths[path]!.parameters = strip(spec.paths[path]!.parameters);
    }
    if (missing.length > 0) throw new Error(`operations not in ${PACKAGE}@${VERSION}: ${missing.join(", ")}`);

    const trimmed: Json = {
      openapi: spec.openapi,
      info: { title: "GitHub REST API (trimmed for soc2-guard tests)", version: (spec.info as Json).version, "x-source": `${PACKAGE}@${VERSION} ${SOURCE_FILE}`, "x-regenerate": "npx tsx scripts/trim-openapi.ts" },
      paths,
      components: {},
    };
    // Copy referenced components until no new reference appears.
    const seen = new Set<string>();
    let pending = new Set<string>();
    collectRefs(paths, pending);
    while (pending.size > 0) {
      const next = new Set<string>();
      for (const ref of pending) {
        if (seen.has(ref)) continue;
        seen.add(ref);
        const target = strip(resolvePointer(spec, ref));
        if (target === undefined) throw new Error(`dangling $ref ${ref}`);
        setPointer(trimmed, ref, target);
        collectRefs(target, next);
      }
      pending = next;
    }
    for (const { pointer, merge } of CORRECTIONS) {
      const node = resolvePointer(trimmed, pointer);
      if (!node || typeof node !== "object") throw new Error(`correction target ${pointer} is not in the trimmed description`);
      Object.assign(node, merge);
    }
    (trimmed.info as Json)["x-corrections"] = CORRECTIONS;
    mkdirSync(new URL(".", OUTPUT), { recursive: true });
    writeFileSync(OUTPUT, `${JSON.stringify(trimmed)}\n`);
    console.log(`wrote ${OUTPUT.pathname}: ${OPERATIONS.length} operations, ${seen.size} components, ${(JSON.stringify(trimmed).length / 1024).toFixed(0)} KiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
