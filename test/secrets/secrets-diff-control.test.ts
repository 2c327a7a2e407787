// The secrets.diff control as the check run sees it: annotations titled by rule on the
// new file's lines, counts per rule, suppressed findings recorded, modes, custom rules.

import { describe, expect, it } from "vitest";
import { secretsDiff } from "../../src/controls/secrets-diff.js";
import { secretsRepository } from "../../src/controls/secrets-repository.js";
import { withGitHubChecksum } from "../../src/secrets/github-token-checksum.js";
import { configWith, env, makeFacts } from "../helpers/facts.js";
import type { ChangedFile } from "../../src/facts.js";

const tokenA = withGitHubChecksum("ghp", "C0ntr0lT3stValue9xQ2mN7vLr4TzA");
const tokenB = withGitHubChecksum("ghp", "Sec0ndT3stValue9xQ2mN7vLr4TzQB");
const awsKey = ["AKIA", "Z7QT", "M3KX", "P4RB", "V2WN"].join("");
const file = (path: string, patch: string | null, extra: Partial<ChangedFile> = {}): ChangedFile => ({ path, previousPath: null, status: "modified", additions: 3, deletions: 0, patch, ...extra });
const patch = ["@@ -10,2 +20,5 @@", " keep", `+const a = "${tokenA}";`, `+const b = "${tokenB}"; // soc2-guard:allow fixture`, "-removed", `+aws_key = ${awsKey}`, " keep"].join("\n");

describe("secrets.diff control", () => {
  it("fails with one annotation per finding, titled by rule id, on the new file's lines", () => {
    const result = secretsDiff.evaluate(makeFacts({ pr: { files: [file("src/a.ts", patch)] } }), configWith(() => {}), env);
    expect(result.status).toBe("fail");
    expect(result.annotations.map((a) => [a.title, a.startLine, a.level])).toEqual([
      ["github-pat", 21, "failure"],
      ["aws-access-key-id", 23, "failure"],
    ]);
    expect(result.annotations[0]!.message).toContain("Rotate the credential");
    expect(result.annotations[0]!.message).toContain("soc2-guard:allow");
    expect(result.reason).toBe("2 possible secrets: 1 × github-pat, 1 × aws-access-key-id; 1 suppressed with soc2-guard:allow");
    expect(result.details).toMatchObject({ suppressed: [{ rule: "github-pat", path: "src/a.ts", line: 22 }] });
    expect(JSON.stringify(result.details)).not.toContain("ghp_");
  });

  it("warns instead of failing the line in advisory mode, and skips when off", () => {
    const advisory = secretsDiff.evaluate(makeFacts({ pr: { files: [file("src/a.ts", patch)] } }), configWith((c) => (c.controls["secrets.diff"].mode = "advisory")), env);
    expect(advisory.annotations.every((a) => a.level === "warning")).toBe(true);
    const off = secretsDiff.evaluate(makeFacts({ pr: { files: [file("src/a.ts", patch)] } }), configWith((c) => (c.controls["secrets.diff"].mode = "off")), env);
    expect(off.status).toBe("skipped");
  });

  it("honours ignorePaths and custom rules, and names a custom rule it could not run", () => {
    const config = configWith((c) => {
      c.controls["secrets.diff"].ignorePaths = ["fixtures/**"];
      c.controls["secrets.diff"].rules = [
        { id: "acme-key", description: "ACME key", regex: "(acme_[a-z0-9]{20})", keywords: ["acme_"] },
        { id: "bad-rule", description: "uses a lookahead", regex: "(?=x)y", keywords: ["y"] },
      ];
    });
    const acme = "acme_" + "k3y9x2m4q8r7t5v6w1z0";
    const facts = makeFacts({ pr: { files: [file("fixtures/t.ts", patch), file("src/b.ts", `@@ -0,0 +1 @@\n+k = "${acme}"`)] } });
    const result = secretsDiff.evaluate(facts, config, env);
    expect(result.annotations.map((a) => [a.path, a.title])).toEqual([["src/b.ts", "acme-key"]]);
    expect(result.reason).toContain("custom rule not run: bad-rule");
  });

  it("fails on files it could not scan, naming each, and lists binary files as skipped — unscanned is not clean", () => {
    const facts = makeFacts({
      pr: {
        changedPaths: ["logo.png", "dump.sql", "gone.ts", "seed.env"],
        files: [
          file("logo.png", null, { additions: 0, content: { kind: "binary", bytes: 2048 } }),
          file("dump.sql", null, { additions: 50_000, content: { kind: "not-read", reason: "6 MB is over the 5 MB per-file budget" } }),
          file("gone.ts", null, { status: "removed", additions: 0 }),
          file("seed.env", null, { additions: 2, content: { kind: "text", text: `name = demo\ntoken = "${tokenA}"\n` } }),
        ],
      },
    });
    const result = secretsDiff.evaluate(facts, configWith(() => {}), env);
    expect(result.status).toBe("fail");
    expect(result.annotations.map((a) => [a.path, a.level, a.title])).toEqual([
      ["seed.env", "failure", "github-pat"],
      ["dump.sql", "failure", "Not scanned for secrets"],
      ["logo.png", "notice", "Skipped by the secret scan"],
    ]);
    expect(result.reason).toContain("1 file not scanned (dump.sql: GitHub showed no diff and the file was not read: 6 MB is over the 5 MB per-file budget)");
    expect(result.reason).toContain("1 binary file skipped (logo.png)");
    const clean = secretsDiff.evaluate(makeFacts({ pr: { changedPaths: ["logo.png"], files: [file("logo.png", null, { content: { kind: "binary", bytes: 9 } })] } }), configWith(() => {}), env);
    expect(clean.status).toBe("pass");
  });
});

describe("secrets.repository control", () => {
  const security = (s: Partial<ReturnType<typeof makeFacts>["security"]>) => makeFacts({ security: { ...makeFacts().security, ...s } });
  const config = configWith((c) => (c.controls["secrets.repository"].mode = "enforce"));

  it("skips with the permission it needs when settings are not visible", () => {
    const result = secretsRepository.evaluate(security({ secretScanning: null, pushProtection: null, openSecretAlerts: null }), config, env);
    expect(result).toMatchObject({ status: "skipped", reason: expect.stringContaining("grant Administration (read)") });
  });

  it("fails when push protection is off or alerts are open, and passes when all is well", () => {
    const off = secretsRepository.evaluate(security({ secretScanning: "enabled", pushProtection: "disabled", openSecretAlerts: [] }), config, env);
    expect(off).toMatchObject({ status: "fail", reason: "push protection is off" });
    const ok = secretsRepository.evaluate(security({ secretScanning: "enabled", pushProtection: "enabled", openSecretAlerts: null }), config, env);
    expect(ok).toMatchObject({ status: "pass", reason: expect.stringContaining("alerts not checked") });
  });
});
