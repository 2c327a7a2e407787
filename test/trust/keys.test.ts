// Keys at the edge: the signing key and the fingerprint key are parsed strictly, production
// refuses to start without them (or without WEBHOOK_SECRET), keygen writes a pair whose
// fingerprint is SHA-256 of the SPKI, and `soc2-guard scan` never writes a key into the
// repository it scans.

import { describe, expect, it } from "vitest";
import { createHash, createPublicKey, generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FingerprintKeyError, fingerprintKeyId, loadFingerprintKey, parseFingerprintKey } from "../../src/secrets/fingerprint-key.js";
import { loadAppKeys, StartupError } from "../../src/evidence/app-keys.js";
import { KeyError, parseSigningKey } from "../../src/trust/signing-key.js";
import { keygenCommand } from "../../src/cli/keygen.js";
import { scanCommand } from "../../src/cli/scan.js";
import type { CliIO } from "../../src/cli/io.js";

const io = (cwd: string, env: Record<string, string | undefined> = {}): CliIO & { text: () => string } => {
  const out: string[] = [];
  return { text: () => out.join(""), stdout: (t) => out.push(t), stderr: (t) => out.push(t), readStdin: async () => "", env, cwd };
};

describe("SOC2_GUARD_FINGERPRINT_KEY", () => {
  const bytes = Buffer.alloc(32, 0xab);
  it.each([
    ["64 hex characters", bytes.toString("hex")],
    ["base64 with padding", bytes.toString("base64")],
    ["base64url without padding", bytes.toString("base64url")],
    ["48 bytes of hex", Buffer.alloc(48, 1).toString("hex")],
  ])("accepts %s", (_name, text) => {
    expect(parseFingerprintKey(text).length).toBeGreaterThanOrEqual(32);
  });

  it.each([
    ["a passphrase", "correct horse battery staple, long enough to pass a length check", /neither hex nor base64/],
    ["31 bytes of hex", Buffer.alloc(31, 1).toString("hex"), /decodes to 31 bytes/],
    ["odd-length hex that is not base64", "abc", /neither hex nor base64|decodes to/],
    ["base64 with a stray character", `${bytes.toString("base64").slice(0, 20)}!${bytes.toString("base64").slice(20)}`, /neither hex nor base64/],
    ["an empty value", "  ", /it is empty/],
  ])("refuses %s with a message that says what is expected", (_name, text, message) => {
    expect(() => parseFingerprintKey(text)).toThrow(FingerprintKeyError);
    expect(() => parseFingerprintKey(text)).toThrow(/at least 32 random bytes written as hex .* or base64/);
    expect(() => parseFingerprintKey(text)).toThrow(message);
  });

  it("names the key in records by an id that does not reveal it, and differs per key", () => {
    const id = fingerprintKeyId(new Uint8Array(bytes));
    expect(id).toMatch(/^hmac-sha256:[0-9a-f]{16}$/);
    expect(id).not.toContain(bytes.toString("hex").slice(0, 8));
    expect(fingerprintKeyId(new Uint8Array(32))).not.toBe(id);
  });

  it("keeps the generated local key in the user's config directory, mode 0600, and reuses it", () => {
    const home = mkdtempSync(join(tmpdir(), "soc2-guard-home-"));
    const a = loadFingerprintKey({ XDG_CONFIG_HOME: join(home, "config") });
    const file = join(home, "config", "soc2-guard", "fingerprint.key");
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(loadFingerprintKey({ XDG_CONFIG_HOME: join(home, "config") })).equals(Buffer.from(a))).toBe(true);
  });
});

describe("soc2-guard scan", () => {
  it("writes no key file into the repository it scans (its key lives in the user's config directory)", async () => {
    const repo = mkdtempSync(join(tmpdir(), "soc2-guard-scanned-"));
    const home = mkdtempSync(join(tmpdir(), "soc2-guard-home-"));
    writeFileSync(join(repo, "app.ts"), "export const x = 1;\n");
    const cli = io(repo, { XDG_CONFIG_HOME: home, HOME: home });
    expect(await scanCommand([join(repo, "app.ts")], cli)).toBe(0);
    expect(readdirSync(repo)).toEqual(["app.ts"]);
    expect(existsSync(join(home, "soc2-guard", "fingerprint.key"))).toBe(true);
  });
});

describe("start-up keys", () => {
  const signing = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const complete = { SOC2_GUARD_SIGNING_KEY: signing, SOC2_GUARD_FINGERPRINT_KEY: "0f".repeat(32), WEBHOOK_SECRET: "s3cret" };

  it.each([
    ["SOC2_GUARD_SIGNING_KEY"],
    ["SOC2_GUARD_FINGERPRINT_KEY"],
    ["WEBHOOK_SECRET"],
  ])("refuses to start in production without %s", (missing) => {
    const env: Record<string, string | undefined> = { ...complete, NODE_ENV: "production", [missing]: undefined };
    expect(() => loadAppKeys(env)).toThrow(StartupError);
    expect(() => loadAppKeys(env)).toThrow(new RegExp(`will not start in production without ${missing}`));
  });

  it("treats an unset NODE_ENV as production", () => {
    expect(() => loadAppKeys({})).toThrow(/will not start in production without SOC2_GUARD_SIGNING_KEY, SOC2_GUARD_FINGERPRINT_KEY, WEBHOOK_SECRET/);
  });

  it("starts in production with all three, and in development with throwaway keys it names", () => {
    expect(loadAppKeys({ ...complete, NODE_ENV: "production" }).throwaway).toEqual([]);
    const dev = loadAppKeys({ NODE_ENV: "development", XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "soc2-guard-home-")) });
    expect(dev.throwaway).toEqual(["SOC2_GUARD_SIGNING_KEY", "SOC2_GUARD_FINGERPRINT_KEY"]);
  });

  it("refuses a signing key that is not Ed25519 PKCS#8", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(() => parseSigningKey(rsa)).toThrow(KeyError);
    expect(() => parseSigningKey(rsa)).toThrow(/rsa key; soc2-guard signs with Ed25519/);
    expect(() => parseSigningKey("not a key")).toThrow(/PKCS#8 PEM/);
  });
});

describe("soc2-guard keygen", () => {
  it("writes a key pair (private 0600) and prints the fingerprint, SHA-256 of the SPKI; never overwrites", async () => {
    const dir = mkdtempSync(join(tmpdir(), "soc2-guard-keygen-"));
    const cli = io(dir);
    expect(await keygenCommand(["--out", "app"], cli)).toBe(0);
    expect(statSync(join(dir, "app.key")).mode & 0o777).toBe(0o600);
    const spki = createPublicKey(readFileSync(join(dir, "app.pub"), "utf8")).export({ type: "spki", format: "der" });
    const hex = createHash("sha256").update(spki).digest("hex");
    expect(cli.text()).toContain(`key id:      ed25519:${hex}`);
    expect(cli.text()).toContain(`fingerprint: SHA256:${hex.match(/.{4}/g)!.join(":")}`);
    expect(parseSigningKey(readFileSync(join(dir, "app.key"), "utf8")).keyId).toBe(`ed25519:${hex}`);
    expect(await keygenCommand(["--out", "app"], io(dir))).toBe(2);
  });
});
