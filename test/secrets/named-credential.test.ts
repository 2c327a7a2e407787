// Issue 14 §2 by structure, on our own samples: provider keys recognised by a name nearby
// (analytics, monitoring, AI-search APIs, stream keys, vault unseal keys, AWS secret keys
// without `aws`), multi-line private-key assembly (string literals with \n, concatenation,
// JSON-escaped, logs), saved-session files — and §2's false positives: values that are not
// literals are never findings. Token-shaped values are generated at run time, so the
// repository holds none.

import { describe, expect, it } from "vitest";
import { SecretScanner, linesOfText, type SecretFinding } from "../../src/secrets/scanner.js";
import { builtinRules } from "../../src/secrets/rules/index.js";
import { withGitHubChecksum } from "../../src/secrets/github-token-checksum.js";

const scanner = new SecretScanner(builtinRules, { key: new Uint8Array(32).fill(5) });
const scan = (path: string, text: string): SecretFinding[] => scanner.scan([{ path, lines: linesOfText(text) }]).findings;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** A deterministic random token (mulberry32), so no token is written into the repository. */
function token(seed: number, length: number, alphabet = BASE62): string {
  let state = seed * 0x9e3779b9;
  let out = "";
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out += alphabet[(((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * alphabet.length | 0];
  }
  return out;
}
const b64 = (seed: number, length: number) => token(seed, length, `${BASE62}+/`);
const armour = (edge: "BEGIN" | "END", kind = "RSA ") => `-----${edge} ${kind}PRIVATE KEY-----`;

describe("provider keys recognised by a name nearby", () => {
  const k = token(1, 32);
  it.each([
    ["an analytics project secret (.env)", ".env", `MIXPANEL_API_SECRET=${k}`],
    ["an analytics write key in YAML", "config/analytics.yml", `amplitude:\n  write_key: "${k}"`],
    ["a monitoring ingest key as a call argument", "src/logging.ts", `logtail.setSourceToken("${k}");`],
    ["an AI-search API key in TOML", "search.toml", `tavily_api_key = "${k}"`],
    ["a stream key", "obs/profile.ini", `stream_key=live_${token(2, 24)}`],
    ["a vault unseal key in an operator's notes", "ops/vault-init.txt", `Unseal Key 3: ${b64(3, 43)}=`],
    ["an AWS secret key without the word aws", "deploy/creds.properties", `secret_access_key = ${b64(4, 40)}`],
    ["an AWS secret key in CloudFormation YAML, value on the next line", "stack.yml", `SecretAccessKey:\n  ${token(5, 40)}`],
    ["a provider named alone", "settings.conf", `posthog = ${token(6, 40)}`],
    ["an Authorization header with a scheme", "scripts/sync.sh", `curl -H "Authorization: SSWS ${token(7, 42)}" https://acme.okta.example/api/v1/users`],
    ["an HCL variable's default", "variables.tf", `variable "segment_write_key" {\n  default = "${k}"\n}`],
    ["a JSON-escaped name and value inside a string", "src/Fixture.java", `String body = "{\\"mixpanelSecret\\":\\"${k}\\"}";`],
    ["a JSON-RPC login call's parameter", "client.json", `{"method": "auth.login_with_api_key", "params": ["${token(8, 40)}"]}`],
  ])("finds %s", (_name, path, text) => {
    // A token-long finding (a value on the next line is reported on its name's line).
    expect(scan(path, text).some((f) => f.length >= 20), text).toBe(true);
  });
});

describe("multi-line private-key assembly", () => {
  const body: [string, string, string] = [b64(11, 64), b64(12, 64), b64(13, 40)];
  it.each([
    ["split across concatenated Java strings", "src/Keys.java", `String key = "${armour("BEGIN")}\\n" +\n  "${body[0]}\\n" +\n  "${body[1]}\\n" +\n  "${armour("END")}";`],
    ["in one Python string with \\n escapes", "keys.py", `KEY = "${armour("BEGIN", "EC ")}\\n${body[0]}\\n${body[1]}\\n${armour("END", "EC ")}\\n"`],
    ["JSON-escaped twice (a JSON document inside a string)", "fixtures/event.json", `{"payload": "{\\"private_key\\": \\"${armour("BEGIN", "")}\\\\n${body[0]}\\\\n${body[2]}\\\\n${armour("END", "")}\\\\n\\"}"}`],
    ["dumped into a log line with \\r\\n", "logs/app.log", `2026-11-30T10:00:01Z DEBUG loaded key="${armour("BEGIN")}\\r\\n${body[0]}\\r\\n${body[1]}\\r\\n${armour("END")}"`],
    ["in a log, one body line per log line", "logs/worker.log", `2026-11-30 10:00:01.112 INFO  key: ${armour("BEGIN")}\n2026-11-30 10:00:01.113 INFO  key: ${body[0]}\n2026-11-30 10:00:01.113 INFO  key: ${body[1]}\n2026-11-30 10:00:01.114 INFO  key: ${armour("END")}`],
    ["with encryption headers and short lines", "id_rsa", `${armour("BEGIN")}\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,${token(14, 32, "0123456789ABCDEF")}\n\n${body[2].slice(0, 14)}\n${body[2].slice(14)}\n${body[0]}\n${armour("END")}`],
    ["on one line with blanks instead of newlines (an env var)", ".env", `SIGNING_KEY="${armour("BEGIN")} ${body[0]} ${body[1]} ${armour("END")}"`],
  ])("finds a key %s, once, on the armour's line", (_name, path, text) => {
    const findings = scan(path, text).filter((f) => f.rule === "private-key-pem");
    expect(findings).toHaveLength(1);
    expect(findings[0]!.line).toBe(1);
  });

  it.each([
    ["the armour quoted in an error message", "src/auth.js", `throw new Error("The key contains only the first line '${armour("BEGIN")}'. If you are setting it using a .env file, make sure it is set on a single line");`],
    ["a placeholder body", "docs/setup.md", `${armour("BEGIN")}\n...your key here...\n${armour("END")}`],
    ["an armour with an empty body", "src/pem.ts", `const EMPTY = "${armour("BEGIN")}\\n${armour("END")}";`],
  ])("does not report %s", (_name, path, text) => {
    expect(scan(path, text).filter((f) => f.rule === "private-key-pem")).toEqual([]);
  });
});

describe("saved-session files", () => {
  it.each([
    ["a browser's exported logins (CSV header names the column)", "Downloads/Chrome Passwords.csv", "name,url,username,password,note\nintranet,https://intranet.acme-corp.io,jane,Hx8#vLq2Wm9z,\nportal,https://portal.acme-corp.io,jane,\"Pa,ssw0rd!44\",", 2],
    ["an FTP client's site manager (base64 is an encoding)", "FileZilla/sitemanager.xml", `<Server><Host>ftp.acme-corp.io</Host><User>deploy</User><Pass encoding="base64">${Buffer.from("Upl0ad!Nightly#7").toString("base64")}</Pass></Server>`, 1],
    ["a database GUI's saved connection (attribute)", "navicat/connections.ncx", `<Connection ConnectionName="prod" Host="db01.acme.internal" UserName="report" Password="${token(21, 32, "0123456789ABCDEF")}" />`, 1],
    ["an SFTP client's INI session", "WinSCP.ini", "[Sessions\\deploy@files]\nHostName=files.acme-corp.io\nUserName=deploy\nPassword=A35C4D5F6E7B8A9C0D1E2F3A4B5C6D7E8F", 1],
  ])("finds the password in %s", (_name, path, text, count) => {
    expect(scan(path, text).length).toBe(count);
  });

  it("does not read a CSV without a password column, nor a header alone", () => {
    expect(scan("exports/users.csv", "name,url,username,note\nintranet,https://intranet.acme-corp.io,jane,Hx8#vLq2Wm9z")).toEqual([]);
    expect(scan("exports/logins.csv", "url,username,password")).toEqual([]);
  });
});

describe("values that are not literals are not credentials", () => {
  it.each([
    ["a property lookup", "src/a.ts", "x.readonlyToken = y.declaration.readonlyToken2;"],
    ["a lookup of a provider's key", "src/analytics.ts", "const apiKey = config.services.mixpanel.apiSecret1234;"],
    ["a shell variable", "deploy.sh", "MIXPANEL_API_SECRET=$MIXPANEL_SECRET_FROM_VAULT"],
    ["a ${…} reference", "docker-compose.yml", 'environment:\n  STREAM_KEY: "${STREAM_KEY_2024}"'],
    ["a PowerShell variable", "deploy.ps1", "$headers = @{ Authorization = \"Bearer $accessToken2024\" }"],
    ["a template literal", "src/client.ts", "headers: { Authorization: `Bearer ${session.accessToken}` }"],
    ["a CSS selector", "styles/app.css", ".api-key-input-2024, #secret-token-field9 { width: 100%; }"],
    ["a route", "src/routes.ts", "router.post('/api/v2/token/:tokenId/refresh2024', refresh);"],
    ["a token endpoint URL", "config/oauth.yml", "token_url: https://auth.acme-corp.io/oauth2/v1/token"],
    ["a user:password@host placeholder", "README.md", "DATABASE_URL=postgres://user:password@localhost:5432/app"],
    ["a username:secret@host placeholder", "docs/ftp.md", "ftp://username:secret@ftp.example.com/upload"],
    ["a concatenation", "src/Auth.java", 'String secretKey = "sk-" + tenantId + keySuffix2024;'],
    ["an environment read", "settings.py", "SEGMENT_WRITE_KEY = os.environ.get('SEGMENT_WRITE_KEY_2024')"],
    ["a publishable (public) key", "src/checkout.ts", `const STRIPE_PUBLISHABLE_KEY = "${token(31, 32)}";`],
    ["a cache key", "src/cache.ts", 'const cacheKey = "user-profile-v2-2024-11-30";'],
    ["a file name", "build.gradle", 'signingKeyFile = "release-2024.keystore.jks"'],
  ])("does not report %s", (_name, path, text) => {
    expect(scan(path, text).map((f) => f.rule)).toEqual([]);
  });

  it("reports another provider's real-shaped token under a name once, as that provider's (the prefix rule claims the span first)", () => {
    const github = withGitHubChecksum("ghp", token(41, 30));
    const findings = scan("config/stripe.env", `STRIPE_SECRET_KEY=${github}`);
    expect(findings.map((f) => f.rule)).toEqual(["github-pat"]);
  });
});
