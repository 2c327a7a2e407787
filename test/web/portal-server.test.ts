// The portal's HTTP surface without a browser: authorisation on every route (signed out,
// signed in without access, with access), CSRF on every form post, the security headers,
// the session cookie, and what the pages put in URLs. The ports are fakes; the handler is
// the real one on a real node:http server.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPortalHandler } from "../../src/web/portal.js";
import { SessionCodec, SESSION_COOKIE } from "../../src/web/session.js";
import type { PortalAccess, PortalEvidence, SignIn } from "../../src/web/ports.js";
import { drawSample } from "../../src/web/view/shared.js";
import { buildArchiveIndex } from "../../src/web/archive-index.js";
import { generateArchive } from "./generated-archive.js";
import { generateSigningKey, formatFingerprint } from "../../src/trust/signing-key.js";
import { renderCheckpointComment, samplingSeed, signCheckpoint } from "../../src/trust/checkpoint.js";
import { attestRecord } from "../../src/trust/attestation.js";
import { signExport, signedSection } from "../../src/export/export-seal.js";
import type { CheckpointSource } from "../../src/trust/verify-archive.js";

const archive = generateArchive({ count: 300, label: "2026-11", monthsBefore: 2, perMonthBefore: 20 });
const index = buildArchiveIndex(archive);
const aChange = archive.records.at(-5)!;

// What the app signed: a checkpoint on the checkpoints issue after record 100, and the
// November export (its statement and the period's checkpoint) in the export issue.
const key = generateSigningKey();
const ARCHIVE = "acme/compliance-evidence@main";
const APP = "soc2-guard[bot]";
const early = signCheckpoint({ archive: ARCHIVE, count: 100, head: archive.records[99]!.hash, lastId: archive.records[99]!.id, time: "2026-10-10T00:00:00.000Z" }, key);
const signedExport = signExport({ organization: "acme", period: "2026-11", archive: ARCHIVE, checkpoint: { count: archive.records.length, head: archive.head.hash, lastId: archive.head.lastId }, files: new Map([["exports/2026-11/summary.json", "{}\n"]]), time: "2026-12-01T02:00:00.000Z" }, key);
const exportIssue: CheckpointSource = { location: "https://ghe.example.com/acme/compliance-evidence/issues/7", author: APP, text: signedSection(signedExport, formatFingerprint(key.keyId)).join("\n") };
const trust = {
  archive: ARCHIVE,
  appLogins: [APP],
  checkpoints: [{ location: "https://ghe.example.com/acme/compliance-evidence/issues/1#issuecomment-1", author: APP, text: renderCheckpointComment(early.checkpoint, early.envelope) }, exportIssue] as CheckpointSource[],
  exportIssues: [exportIssue] as CheckpointSource[],
};
const shardOf = (location: string): string => location.split(":")[0]!.replace(/^records\//, "attestations/");
const attestationLines = attestRecord(aChange, key).map((envelope, i) => ({ location: `${shardOf(archive.lines.at(-5)!.location)}:${i + 1}`, text: JSON.stringify(envelope) }));

const signIn: SignIn = {
  authorizeUrl: (state, redirectUri) => `https://ghe.example.com/login/oauth/authorize?client_id=c&state=${state}&redirect_uri=${encodeURIComponent(redirectUri)}`,
  exchange: async (code) => (code.startsWith("code-") ? { login: code.slice(5) } : null),
};
const access: PortalAccess = {
  organizations: async () => ["acme", "globex"],
  canView: async (org, login) => (org === "acme" && login === "avery" ? { allowed: true, via: "team auditors" } : { allowed: false }),
};
const evidence: PortalEvidence = {
  read: async () => ({ lines: archive.lines, head: archive.head }),
  exportStatus: async () => ({ exists: false, seal: null, changes: null, reportPath: null }),
  reviewStates: async () => null,
  exportedCommits: async () => new Map(),
  trustSources: async () => trust,
  attestations: async (_org, path) => attestationLines.filter((l) => path === null || l.location.startsWith(`${path}:`)),
  webBase: "https://ghe.example.com/",
};

let clock = Date.UTC(2026, 11, 2);
const codec = new SessionCodec("x".repeat(40));

async function serve(options: { publicUrl?: string } = {}): Promise<{ server: Server; base: string }> {
  const handler = createPortalHandler({ signIn, access, evidence, codec, now: () => clock, publicKey: key.publicKey, keyFingerprint: formatFingerprint(key.keyId), ...options });
  const server = createServer((req, res) => void handler(req, res).then((handled) => handled || res.writeHead(404).end("not the portal")));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/soc2-guard` };
}

let server: Server;
let base: string;
beforeAll(async () => ({ server, base } = await serve()));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Signs in through /login and /callback as GitHub would send the browser; returns the cookie and the CSRF token. */
async function signInAs(login: string, at = base): Promise<{ cookie: string; csrf: string }> {
  const start = await fetch(`${at}/login`, { redirect: "manual" });
  const state = new URL(start.headers.get("location")!).searchParams.get("state")!;
  const stateCookie = start.headers.getSetCookie()[0]!.split(";")[0]!;
  const back = await fetch(`${at}/callback?code=code-${login}&state=${state}`, { redirect: "manual", headers: { cookie: stateCookie } });
  expect(back.status).toBe(303);
  const cookie = back.headers.getSetCookie().find((c) => c.startsWith(SESSION_COOKIE))!.split(";")[0]!;
  const page = await (await fetch(`${at}/`, { headers: { cookie } })).text();
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page)![1]! };
}

const post = (path: string, cookie: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(form).toString() });

const GET_ROUTES = ["/acme/", "/acme/2026-11/", "/acme/2026-11/changes", "/acme/2026-11/sample", "/acme/2026-11/verify", `/acme/change/${aChange.hash}`];
const POST_ROUTES: Array<[string, Record<string, string>]> = [
  ["/acme/2026-11/changes", { repository: "acme/svc-001" }],
  ["/acme/2026-11/changes.csv", { repository: "acme/svc-001" }],
  ["/acme/2026-11/sample", { size: "5" }],
  ["/acme/2026-11/sample.csv", { size: "5" }],
];

describe("authorisation", () => {
  it.each(GET_ROUTES)("signed out, GET %s sends you to sign in and shows no evidence", async (path) => {
    const res = await fetch(`${base}${path}`, { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/soc2-guard/");
    expect(await res.text()).toBe("");
  });

  it.each(POST_ROUTES)("signed out, POST %s is refused", async (path, form) => {
    const res = await post(path, "", form);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain("svc-001");
  });

  it.each(GET_ROUTES)("signed in without access, GET %s is 404 like a page that does not exist", async (path) => {
    const { cookie } = await signInAs("mallory");
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    const body = await res.text();
    expect(res.status).toBe(404);
    expect(body).toContain("Not found");
    expect(body).not.toContain("svc-0");
    expect(body).not.toContain(aChange.hash);
  });

  it.each(POST_ROUTES)("signed in without access, POST %s with a valid CSRF token is 404", async (path, form) => {
    const { cookie, csrf } = await signInAs("mallory");
    const res = await post(path, cookie, { ...form, csrf });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("svc-0");
  });

  it.each(GET_ROUTES)("with access, GET %s answers 200", async (path) => {
    const { cookie } = await signInAs("avery");
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("signed in as <strong>avery</strong>");
  });

  it.each(POST_ROUTES)("with access, POST %s answers 200", async (path, form) => {
    const { cookie, csrf } = await signInAs("avery");
    const res = await post(path, cookie, { ...form, csrf });
    expect(res.status).toBe(200);
  });

  it("an organization the user cannot see and one that does not exist answer the same 404", async () => {
    const { cookie } = await signInAs("avery");
    const hidden = await fetch(`${base}/globex/`, { headers: { cookie } });
    const missing = await fetch(`${base}/no-such-org/`, { headers: { cookie } });
    expect([hidden.status, missing.status]).toEqual([404, 404]);
    expect(await hidden.text()).toBe(await missing.text());
  });

  it("the start page lists only the organizations the user may see", async () => {
    const { cookie } = await signInAs("avery");
    const body = await (await fetch(`${base}/`, { headers: { cookie } })).text();
    expect(body).toContain('href="/soc2-guard/acme/"');
    expect(body).not.toContain("globex");
  });
});

describe("CSRF", () => {
  it("a form post without the token, with another session's token or from another origin is refused", async () => {
    const avery = await signInAs("avery");
    const other = await signInAs("avery");
    expect((await post("/acme/2026-11/changes", avery.cookie, {})).status).toBe(403);
    expect((await post("/acme/2026-11/changes", avery.cookie, { csrf: other.csrf })).status).toBe(403);
    expect((await post("/acme/2026-11/changes", avery.cookie, { csrf: avery.csrf }, { origin: "https://evil.example" })).status).toBe(403);
    expect((await post("/acme/2026-11/changes", avery.cookie, { csrf: avery.csrf }, { "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post("/acme/2026-11/changes", avery.cookie, { csrf: avery.csrf }, { origin: new URL(base).origin, "sec-fetch-site": "same-origin" })).status).toBe(200);
  });

  it("sign-out is a form post with the token", async () => {
    const { cookie, csrf } = await signInAs("avery");
    expect((await post("/logout", cookie, {})).status).toBe(403);
    const out = await post("/logout", cookie, { csrf });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie()[0]).toMatch(/^soc2_guard_session=; .*Max-Age=0/);
  });

  it("a callback whose state did not come from this browser's sign-in is refused", async () => {
    const start = await fetch(`${base}/login`, { redirect: "manual" });
    const stateCookie = start.headers.getSetCookie()[0]!.split(";")[0]!;
    const res = await fetch(`${base}/callback?code=code-avery&state=forged`, { redirect: "manual", headers: { cookie: stateCookie } });
    expect(res.status).toBe(400);
    expect(res.headers.getSetCookie().some((c) => c.startsWith(SESSION_COOKIE))).toBe(false);
  });
});

describe("headers, cookies and URLs", () => {
  it("every page sends a CSP without scripts, frame-ancestors 'none', no-referrer and no-store", async () => {
    const { cookie } = await signInAs("avery");
    for (const path of ["/", ...GET_ROUTES]) {
      const res = await fetch(`${base}${path}`, { headers: { cookie } });
      const csp = res.headers.get("content-security-policy")!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("script-src");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(await res.text()).not.toMatch(/<script/i);
    }
  });

  it("the session cookie is HttpOnly, SameSite=Lax, expires, and is Secure behind an https public URL", async () => {
    const start = await fetch(`${base}/login`, { redirect: "manual" });
    const state = new URL(start.headers.get("location")!).searchParams.get("state")!;
    const back = await fetch(`${base}/callback?code=code-avery&state=${state}`, { redirect: "manual", headers: { cookie: start.headers.getSetCookie()[0]!.split(";")[0]! } });
    const session = back.headers.getSetCookie().find((c) => c.startsWith(SESSION_COOKIE))!;
    expect(session).toMatch(/; HttpOnly; SameSite=Lax; Max-Age=28800$/);
    const https = await serve({ publicUrl: "https://guard.acme.example" });
    try {
      const s = await fetch(`${https.base}/login`, { redirect: "manual" });
      expect(s.headers.getSetCookie()[0]).toMatch(/; Secure$/);
      expect(new URL(s.headers.get("location")!).searchParams.get("redirect_uri")).toBe("https://guard.acme.example/soc2-guard/callback");
      expect(s.headers.get("strict-transport-security")).toContain("max-age=");
    } finally {
      await new Promise<void>((resolve) => https.server.close(() => resolve()));
    }
  });

  it("an expired or tampered session reads as signed out", async () => {
    const { cookie } = await signInAs("avery");
    const tampered = `${cookie.slice(0, -2)}${cookie.endsWith("A") ? "B" : "A"}A`;
    expect((await fetch(`${base}/acme/`, { redirect: "manual", headers: { cookie: tampered } })).status).toBe(303);
    clock += 9 * 3_600_000;
    try {
      expect((await fetch(`${base}/acme/`, { redirect: "manual", headers: { cookie } })).status).toBe(303);
    } finally {
      clock -= 9 * 3_600_000;
    }
  });

  it("no page links to a URL with a query string; filters and samples are posted", async () => {
    const { cookie, csrf } = await signInAs("avery");
    const pages = await Promise.all([...GET_ROUTES.map((p) => fetch(`${base}${p}`, { headers: { cookie } })), post("/acme/2026-11/changes", cookie, { csrf, text: "svc-001" }), post("/acme/2026-11/sample", cookie, { csrf, size: "3" })].map(async (r) => (await r).text()));
    for (const html of pages) {
      const internal = [...html.matchAll(/(?:href|action|formaction)="(\/soc2-guard[^"]*)"/g)].map((m) => m[1]!);
      expect(internal.length).toBeGreaterThan(0);
      expect(internal.filter((u) => u.includes("?"))).toEqual([]);
      expect(html).not.toMatch(/<form[^>]*method="get"/i);
    }
  });
});

describe("pages", () => {
  it("filters, pages and downloads the filtered rows as the export's neutralised CSV", async () => {
    const { cookie, csrf } = await signInAs("avery");
    const second = await (await post("/acme/2026-11/changes", cookie, { csrf, page: "2" })).text();
    expect(second).toContain("300 matching change(s); page 2 of 6.");
    expect(second).toContain("Changes 51–100 of 300");
    const all = index.periods.get("2026-11")!.rows.filter((r) => r.repository === "acme/svc-001");
    const html = await (await post("/acme/2026-11/changes", cookie, { csrf, repository: "acme/svc-001" })).text();
    expect(html).toContain(`${all.length} matching change(s)`);
    const csv = await post("/acme/2026-11/changes.csv", cookie, { csrf, repository: "acme/svc-001" });
    expect(csv.headers.get("content-disposition")).toContain("attachment");
    const lines = (await csv.text()).trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^repository,kind,change,title/);
    expect(lines).toHaveLength(all.length + 1);
    expect(lines.some((l) => l.includes(`,"'=HYPERLINK(""https://example.com"")`))).toBe(true);
    expect(lines.some((l) => /,"?=HYPERLINK/.test(l))).toBe(false);
  });

  it("free-text search finds a change by its ticket and the page shows one change in plain words", async () => {
    const { cookie, csrf } = await signInAs("avery");
    const ticket = aChange.ticketRefs[0]!;
    const html = await (await post("/acme/2026-11/changes", cookie, { csrf, text: ticket })).text();
    expect(html).toContain("1 matching change(s)");
    const detail = await (await fetch(`${base}/acme/change/${aChange.hash}`, { headers: { cookie } })).text();
    expect(detail).toContain(aChange.hash);
    expect(detail).toContain(`record ${archive.records.length - 4} of ${archive.records.length}`);
    expect(detail).toMatch(/approved commit .* this covers the merged head/);
    expect(detail).toContain("Hash recomputed now");
  });

  it("draws the sample with the seed of the period's signed checkpoint (the export's), and says which: 5 % risk, 10 % rate → 29", async () => {
    const { cookie, csrf } = await signInAs("avery");
    const html = await (await post("/acme/2026-11/sample", cookie, { csrf, risk: "0.05", rate: "0.10" })).text();
    const period = index.periods.get("2026-11")!;
    const seed = samplingSeed(signedExport.checkpoint.envelope);
    const expected = drawSample(period.rows, { size: 29, seed });
    expect(html).toContain("Sample: 29 of 300 changes");
    expect(html).toContain(seed);
    expect(html).toContain("the period&#39;s signed checkpoint (340 records");
    expect(html).toContain("signature verified now");
    expect(html).toContain(exportIssue.location);
    expect(html).toContain("⌈ln(risk) / ln(1 − rate)⌉");
    const hrefs = [...html.matchAll(/href="\/soc2-guard\/acme\/change\/([0-9a-f]{64})"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(expected.rows.map((r) => r.recordHash));
  });

  it("draws no sample for a period without a signed checkpoint, nor from an export issue someone else wrote", async () => {
    const forged = { ...exportIssue, author: "mallory" };
    const other = createPortalHandler({ signIn, access, evidence: { ...evidence, trustSources: async () => ({ ...trust, exportIssues: [forged] }) }, codec, now: () => clock, publicKey: key.publicKey });
    const s = createServer((req, res) => void other(req, res).then((handled) => handled || res.writeHead(404).end()));
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    try {
      const at = `http://127.0.0.1:${(s.address() as AddressInfo).port}/soc2-guard`;
      const { cookie, csrf } = await signInAs("avery", at);
      const res = await fetch(`${at}/acme/2026-11/sample`, { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ csrf, size: "10" }) });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain("no signed checkpoint yet");
      expect(html).not.toContain("Sample: ");
    } finally {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it("one change names the checkpoint that covers it and its attestation, both verified now under the app's key", async () => {
    const { cookie } = await signInAs("avery");
    const detail = await (await fetch(`${base}/acme/change/${aChange.hash}`, { headers: { cookie } })).text();
    expect(detail).toContain(`checkpoint of 340 records (this is record ${archive.records.length - 4})`);
    expect(detail).toContain(`signed 2026-12-01T02:00:00.000Z by key ${formatFingerprint(key.keyId)} — signature verified now`);
    expect(detail).toContain("change-review statement and SLSA Source VSA signed by key");
    const older = archive.records[49]!;
    const early50 = await (await fetch(`${base}/acme/change/${older.hash}`, { headers: { cookie } })).text();
    expect(early50).toContain("checkpoint of 100 records (this is record 50)");
    expect(early50).toContain("none: this record was written before the app signed records");
    // A checkpoint whose signature was altered is not evidence: the change falls to the next one, the verification page names it.
    const saved = trust.checkpoints[0]!;
    trust.checkpoints[0] = { ...saved, text: saved.text.replace(/"sig":"[A-Za-z0-9+/]{4}/, '"sig":"AAAA') };
    try {
      expect(await (await fetch(`${base}/acme/change/${older.hash}`, { headers: { cookie } })).text()).toContain("checkpoint of 340 records (this is record 50)");
      const verify = await (await fetch(`${base}/acme/2026-11/verify`, { headers: { cookie } })).text();
      expect(verify).toContain("BROKEN");
      expect(verify).toContain("bad-signature");
    } finally {
      trust.checkpoints[0] = saved;
    }
  });

  it("the verification page verifies the chain and the checkpoints now, shows the key, and names an edited record", async () => {
    const { cookie } = await signInAs("avery");
    const ok = await (await fetch(`${base}/acme/2026-11/verify`, { headers: { cookie } })).text();
    expect(ok).toContain("ok: 340 records in the archive of acme; chain verified; 2 signed checkpoints agree");
    expect(ok).toContain("2 of 2 verify and agree with the chain; the latest covers 340 of 340 records");
    expect(ok).toContain(formatFingerprint(key.keyId));
    const saved = archive.lines[10]!.text;
    archive.lines[10] = { ...archive.lines[10]!, text: saved.replace('"appVersion":"0.1.0"', '"appVersion":"0.1.1"') };
    try {
      const html = await (await fetch(`${base}/acme/2026-11/verify`, { headers: { cookie } })).text();
      expect(html).toContain("BROKEN");
      expect(html).toContain(archive.lines[10]!.location);
    } finally {
      archive.lines[10] = { ...archive.lines[10]!, text: saved };
    }
  });
});
