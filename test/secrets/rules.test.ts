// Every rule gets a positive example and a near-miss negative of our own. Examples are
// generated at run time from the rule's own pattern (randexp), so no token-shaped string
// is ever written into the repository.

import { describe, expect, it } from "vitest";
import RandExp from "randexp";
import { createHash } from "node:crypto";
import { builtinRules } from "../../src/secrets/rules/index.js";
import { SecretScanner, linesOfText, type SecretFinding } from "../../src/secrets/scanner.js";
import type { SecretRule } from "../../src/secrets/rule.js";
import { hasValidGitHubChecksum, withGitHubChecksum } from "../../src/secrets/github-token-checksum.js";

const scanner = new SecretScanner(builtinRules, { key: new Uint8Array(32).fill(3) });
const scan = (text: string, path = "src/settings.ts"): SecretFinding[] => scanner.scan([{ path, lines: linesOfText(text) }]).findings;

/** Hand-built positives for rules whose validity a random string cannot satisfy. */
const handMade: Record<string, () => string> = {
  jwt: () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    return `auth = "${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: "1234567890", name: "svc-deploy", iat: 1_700_000_000 })}.${"Xk9" + "fQ2bL7mNw4RtY8vZc1HdE6sJa3PuG0"}"`;
  },
  "private-key-base64": () => `KEY_B64=${Buffer.from(["-----BEGIN", "PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7Vq3Xk9fQ2bL7mNw4RtY8vZc1HdE6sJa3PuG0q"].join(" ")).toString("base64")}`,
  // A structural detector has no pattern to generate from: a form only it reads (an XML element).
  "generic-password-literal": () => `  <password>${"Qx7!m" + "R2#vL"}</password>`,
  // Multi-line key assembly: a JSON-escaped PEM in a string; the armour is joined at run time.
  "private-key-pem": () => `{"private_key": "${["-----BEGIN", "PRIVATE KEY-----"].join(" ")}\\n${createHash("sha384").update("rules.test").digest("base64")}\\n${["-----END", "PRIVATE KEY-----"].join(" ")}\\n"}`,
  "named-credential": () => `mixpanel.setSecret("${"k3Jq9" + "Xw2LmT7pR4v"}");`,
  "provider-named-credential": () => `posthog = "${"Zr8vK2" + "mQ7xT4nB9wL3pD6s"}"`,
  "azure-sas-signature": () => `https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=${"Q7x" + "kP2mN9vLr4TzW8yBc3HdF6sJa1PuG5eRt0YqXo7Ki2M%3D"}`,
};

function randomPositive(rule: SecretRule, seed: number): string {
  const source = rule.regex.replace(/\(\?<!\[[^\]]*\]\)|\(\?!\[[^\]]*\]\)/g, "");
  const generator = new RandExp(source);
  generator.max = 3;
  // mulberry32: deterministic, so a failing example is reproducible.
  let state = seed * 0x9e3779b9;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  generator.randInt = (from: number, to: number) => from + Math.floor(next() * (to - from + 1));
  return generator.gen();
}

/** The rule's positive example: the first generated sample it detects. */
function positiveFor(rule: SecretRule): { text: string; finding: SecretFinding } | null {
  const candidates = handMade[rule.id] ? [handMade[rule.id]!()] : Array.from({ length: 25 }, (_, i) => randomPositive(rule, i + 1));
  for (const text of candidates) {
    const finding = scan(text).find((f) => f.rule === rule.id);
    if (finding) return { text, finding };
  }
  return null;
}

/** The near miss: the same text with the secret cut to half its length. */
function nearMiss(text: string, finding: SecretFinding): string {
  const line = text.split("\n")[finding.line - 1]!;
  const start = finding.column - 1;
  const secret = line.slice(start, start + finding.length);
  const shortened = line.slice(0, start) + secret.slice(0, Math.floor(secret.length / 2)) + line.slice(start + finding.length);
  return text.split("\n").map((l, i) => (i === finding.line - 1 ? shortened : l)).join("\n");
}

// Rules that another, more specific rule claims first on a random sample (same credential shape).
const claimedByEarlierRule = new Set(["paystack-secret"]);

describe("secret rules", () => {
  it("has at least 150 rules with unique ids and lowercase keywords", () => {
    expect(builtinRules.length).toBeGreaterThanOrEqual(150);
    expect(new Set(builtinRules.map((r) => r.id)).size).toBe(builtinRules.length);
    for (const rule of builtinRules) for (const k of rule.keywords) expect(k).toBe(k.toLowerCase());
  });

  for (const rule of builtinRules) {
    it(`${rule.id}: finds a generated example and not its near miss`, () => {
      const positive = positiveFor(rule);
      if (claimedByEarlierRule.has(rule.id)) {
        const text = randomPositive(rule, 1);
        expect(scan(text).length).toBeGreaterThan(0);
        return;
      }
      expect(positive, `no generated example of ${rule.id} was detected`).not.toBeNull();
      const negative = nearMiss(positive!.text, positive!.finding);
      expect(scan(negative).filter((f) => f.rule === rule.id && f.line === positive!.finding.line && f.column === positive!.finding.column && f.length === positive!.finding.length)).toEqual([]);
    });
  }
});

describe("GitHub token checksum", () => {
  it("accepts a token whose CRC32 matches and rejects one that does not", () => {
    const token = withGitHubChecksum("ghp", "R8fK2mQ9vLx4TzW7yBc3HdN6sJa1Pu");
    expect(hasValidGitHubChecksum(token)).toBe(true);
    const broken = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    expect(hasValidGitHubChecksum(broken)).toBe(false);
    expect(scan(`token: ${token}`)[0]!.rule).toBe("github-pat");
  });
});

describe("allowlists", () => {
  it.each([
    ["a placeholder", "AWS_SECRET_ACCESS_KEY=EXAMPLEKEYEXAMPLEKEYEXAMPLEKEYEXAMPLEKEY"],
    ["a variable reference", "api_key = ${API_KEY_FROM_VAULT_1234567890}"],
    ["an environment read", 'const token = process.env.SERVICE_TOKEN_ABCDEF123456'],
    ["a repeated character", "secret = 'xxxxxxxxxxxxxxxxxxxxxxxx'"],
    ["an identifier", "const accessKey = sessionStorageAccessKey2"],
    ["a common test password", 'password: "password123"'],
  ])("does not report %s", (_label, text) => {
    expect(scan(text)).toEqual([]);
  });

  it("records a finding marked soc2-guard:allow as suppressed", () => {
    const token = withGitHubChecksum("ghp", "Zq8fK2mQ9vLx4TzW7yBc3HdN6sJa1P");
    const [finding] = scan(`fixture = "${token}" // soc2-guard:allow test fixture`);
    expect(finding).toMatchObject({ rule: "github-pat", suppressed: true });
  });

  it("skips the generic rule in lock files but keeps specific rules there", () => {
    const integrity = "api_key: sha512-Xk9fQ2bL7mNw4RtY8vZc1HdE6sJa3PuG0q";
    expect(scan(integrity, "package-lock.json")).toEqual([]);
    expect(scan(integrity, "config.yml").map((f) => f.rule)).toEqual(["named-credential"]);
    const token = withGitHubChecksum("ghp", "Lq8fK2mQ9vLx4TzW7yBc3HdN6sJa1P");
    expect(scan(`"resolved": "${token}"`, "package-lock.json").map((f) => f.rule)).toEqual(["github-pat"]);
  });
});
