// The auditor's portal under /soc2-guard/, as a Probot `addHandler` handler: plain
// node:http, no web framework. Eleven routes, form posts and one cookie do not need one,
// and every framework would add a dependency the app has to keep patched; routing is a
// table of path patterns, security headers and CSRF are checked in one place below.
//
// Signed out: every page sends you to sign in. Signed in: an organization's pages answer
// only when the access port says you may see it; otherwise — and for anything unknown —
// 404, never 403, so the portal does not tell who has evidence here.

import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { csvDocument } from "../export/csv.js";
import { CHANGES_HEADER, changeCsvValues } from "../export/change-row.js";
import type { KeyObject } from "node:crypto";
import type { StoredLine } from "../evidence/verify.js";
import type { LedgerHead } from "../evidence/ledger.js";
import { describeVerification, verifyArchive, type ArchiveVerification } from "../trust/verify-archive.js";
import { attestationPathFor } from "../trust/attestation.js";
import { formatFingerprint } from "../trust/signing-key.js";
import { findPeriodCheckpoint } from "../export/period-checkpoint.js";
import { describeAttestation, describeCovering } from "./trust-view.js";
import { STYLES } from "./view/styles.js";
import { drawSample, queryChanges, sampleSizeFor } from "./view/shared.js";
import type { ChangeQuery, ChangeView, RecordView } from "./view/types.js";
import { buildArchiveIndex, chartMonths, periodFigures, repositoryFigures, reviewStatuses, type ArchiveIndex } from "./archive-index.js";
import { sampleMethod, seedSource } from "./sampling.js";
import { SESSION_COOKIE, SESSION_HOURS, STATE_COOKIE, SessionCodec, cookie, parseCookies, type Session } from "./session.js";
import type { PortalAccess, PortalEvidence, SignIn } from "./ports.js";
import * as pages from "./pages.js";

export const PORTAL_BASE = "/soc2-guard";

export interface PortalOptions {
  signIn: SignIn | null;
  access: PortalAccess;
  evidence: PortalEvidence;
  codec: SessionCodec;
  /** The app's public origin, e.g. https://guard.acme.com; else taken from the request's Host. */
  publicUrl?: string;
  now?: () => number;
  /** How long an archive read is reused by the pages (the verification page always reads anew). */
  archiveTtlMs?: number;
  /** How long an access decision is reused. */
  accessTtlMs?: number;
  /** The app's public signing key: checkpoints, attestations and export statements are verified under it on every page that shows them. */
  publicKey?: KeyObject | null;
  /** The signing key's fingerprint, shown on the verification page. */
  keyFingerprint?: string | null;
  log?: { warn: (obj: object, msg: string) => void };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  session: Session | null;
  csrf: string | null;
  form: Map<string, string>;
}

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const MAX_BODY = 64 * 1024;

export function createPortalHandler(options: PortalOptions): Handler {
  const now = options.now ?? Date.now;
  const codec = options.codec;
  const accessCache = new Map<string, { at: number; allowed: boolean }>();
  const archiveCache = new Map<string, { at: number; key: string; index: ArchiveIndex; archive: { lines: StoredLine[]; head: LedgerHead | null } }>();
  const publicKey = options.publicKey ?? null;
  const secure = (req: IncomingMessage): boolean => (options.publicUrl ? options.publicUrl.startsWith("https:") : false) || req.headers["x-forwarded-proto"] === "https";
  const origin = (req: IncomingMessage): string => (options.publicUrl ?? `http://${req.headers.host ?? "localhost"}`).replace(/\/$/, "");
  const redirectUri = (req: IncomingMessage): string => `${origin(req)}${PORTAL_BASE}/callback`;

  function headers(res: ServerResponse, req: IncomingMessage, type = "text/html; charset=utf-8"): void {
    res.setHeader("content-type", type);
    res.setHeader("content-security-policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    res.setHeader("referrer-policy", "no-referrer");
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("x-frame-options", "DENY");
    res.setHeader("cross-origin-opener-policy", "same-origin");
    res.setHeader("cache-control", "no-store");
    if (secure(req)) res.setHeader("strict-transport-security", "max-age=31536000");
  }
  const send = (r: Request, status: number, body: string, type?: string, extra: Record<string, string | string[]> = {}): true => {
    headers(r.res, r.req, type);
    for (const [k, v] of Object.entries(extra)) r.res.setHeader(k, v);
    r.res.writeHead(status).end(body);
    return true;
  };
  const redirect = (r: Request, to: string, setCookies: string[] = []): true => send(r, 303, "", "text/plain; charset=utf-8", { location: to, ...(setCookies.length ? { "set-cookie": setCookies } : {}) });
  const notFound = (r: Request): true => send(r, 404, pages.notFoundPage(PORTAL_BASE, r.session?.login ?? null, r.csrf));
  const shell = (r: Request, extra: Partial<pages.Shell> = {}): pages.Shell => ({ base: PORTAL_BASE, title: "", login: r.session?.login ?? null, csrf: r.csrf, ...extra });

  async function canView(org: string, login: string): Promise<boolean> {
    const key = `${org.toLowerCase()}\n${login.toLowerCase()}`;
    const hit = accessCache.get(key);
    if (hit && now() - hit.at < (options.accessTtlMs ?? 60_000)) return hit.allowed;
    const decision = await options.access.canView(org, login);
    accessCache.set(key, { at: now(), allowed: decision.allowed });
    if (accessCache.size > 5_000) accessCache.delete(accessCache.keys().next().value!);
    return decision.allowed;
  }

  async function indexFor(org: string): Promise<ArchiveIndex> {
    return (await archiveFor(org)).index;
  }

  async function archiveFor(org: string, fresh = false): Promise<{ index: ArchiveIndex; archive: { lines: StoredLine[]; head: LedgerHead | null } }> {
    const hit = archiveCache.get(org);
    if (!fresh && hit && now() - hit.at < (options.archiveTtlMs ?? 15_000)) return hit;
    const [archive, exported] = await Promise.all([options.evidence.read(org), options.evidence.exportedCommits(org)]);
    const key = `${archive.head?.hash ?? ""}:${archive.lines.length}:${[...exported.keys()].join(",")}`;
    const index = hit && hit.key === key && !fresh ? hit.index : buildArchiveIndex(archive, { exported });
    const entry = { at: now(), key, index, archive };
    archiveCache.set(org, entry);
    return entry;
  }

  /** The archive against what the app signed, now: the chain, every checkpoint (signature, author, prefix), and the attestations when given. */
  async function verifyNow(org: string, lines: StoredLine[], head: LedgerHead | null, attestations?: StoredLine[], fresh = false): Promise<ArchiveVerification | null> {
    if (!publicKey) return null;
    const trust = await options.evidence.trustSources(org, { fresh });
    return verifyArchive({ lines, head, checkpoints: trust.checkpoints, ...(attestations ? { attestations } : {}), publicKey, archive: trust.archive, appLogins: trust.appLogins });
  }

  const queryFrom = (form: Map<string, string>): ChangeQuery => {
    const q: Record<string, unknown> = {};
    for (const key of ["repository", "kind", "exception", "failedControl", "collectedLate", "author", "approver", "from", "to", "text", "sort", "dir"]) {
      const v = form.get(key)?.trim();
      if (v) q[key] = v.slice(0, 200);
    }
    q.page = Math.max(1, Number(form.get("page")) || 1);
    q.pageSize = 50;
    return q as ChangeQuery;
  };

  async function orgRoute(r: Request, org: string, rest: string[]): Promise<boolean> {
    if (!r.session || !(await canView(org, r.session.login))) return notFound(r);
    const index = await indexFor(org);
    if (rest.length === 0) {
      const labels = [...index.periods.keys()].sort().reverse();
      const items = await Promise.all(
        labels.map(async (label) => {
          const p = index.periods.get(label)!;
          const exported = await options.evidence.exportStatus(org, label);
          return { figures: periodFigures(label, p.rows, reviewStatuses(index, label, null, new Date(now()).toISOString())), exported, exportVerifies: exported.exists ? exported.seal === (p.seal?.hash ?? null) && exported.changes === p.rows.length : null };
        }),
      );
      return send(r, 200, pages.periodsPage(shell(r, { org }), items, index.intact, index.unplaced.map((u) => ({ hash: u.record.hash, id: u.record.id, collectedAt: u.record.collectedAt }))));
    }
    if (rest[0] === "change" && rest.length === 2) {
      const found = index.byHash.get(rest[1]!);
      if (!found) return notFound(r);
      const { archive } = await archiveFor(org);
      const shard = found.location.split(":")[0]!;
      const [verification, attestations] = await Promise.all([verifyNow(org, archive.lines, archive.head), publicKey ? options.evidence.attestations(org, attestationPathFor(shard)) : Promise.resolve([])]);
      const period = found.period ? index.periods.get(found.period) : undefined;
      const statuses = found.period ? reviewStatuses(index, found.period, period ? await options.evidence.reviewStates(org, period.period) : null, new Date(now()).toISOString()) : new Map<string, string>();
      const view: RecordView = {
        record: found.record,
        position: found.position,
        chainLength: index.records.length,
        location: found.location,
        hashMatches: found.hashMatches,
        checkpoint: verification ? describeCovering(verification, found.position) : "not checked: no signing key is configured for this app",
        attestation: publicKey ? describeAttestation(found.record, attestations, publicKey) : "not checked: no signing key is configured for this app",
        reviewStatus: statuses.get(found.record.hash) ?? null,
      };
      return send(r, 200, pages.changePage(shell(r, { org, ...(found.period ? { period: found.period } : {}) }), view, options.evidence.webBase));
    }
    const label = rest[0]!;
    const period = PERIOD.test(label) ? index.periods.get(label) : undefined;
    if (!period || rest.length > 2) return notFound(r);
    const s = shell(r, { org, period: label });
    const page = rest[1] ?? "";
    const rows = period.rows;
    const repositories = [...new Set(rows.map((x) => x.repository))].sort();
    const controls = [...new Set(["review.approval", "ci.passing", "secrets.diff", ...rows.flatMap((x) => x.failedControls)])].sort();
    if (page === "" && r.method === "GET") {
      const states = await options.evidence.reviewStates(org, period.period);
      return send(r, 200, pages.periodPage(s, {
        figures: periodFigures(label, rows, reviewStatuses(index, label, states, new Date(now()).toISOString())),
        chart: chartMonths(index, label),
        repositories: repositoryFigures(rows),
        exported: await options.evidence.exportStatus(org, label),
        seal: period.seal?.hash ?? null,
      }));
    }
    if (page === "changes") {
      const query = r.method === "POST" ? queryFrom(r.form) : { page: 1, pageSize: 50 };
      return send(r, 200, pages.changesPage(s, { query, result: queryChanges(rows, query), repositories, controls }));
    }
    if (page === "changes.csv" && r.method === "POST") {
      const all = queryChanges(rows, { ...queryFrom(r.form), page: 1, pageSize: Number.MAX_SAFE_INTEGER });
      return csv(r, `changes-${org}-${label}-filtered.csv`, all.rows);
    }
    if (page === "sample" || page === "sample.csv") {
      const trust = await options.evidence.trustSources(org);
      const signed = findPeriodCheckpoint(trust.exportIssues, label, { publicKey, appLogins: trust.appLogins });
      const seed = signed?.seed ?? null;
      const form = { size: r.form.get("size") ?? "", risk: r.form.get("risk") ?? "0.05", rate: r.form.get("rate") ?? "0.10", stratify: r.form.get("stratify") === "on" };
      let result = null;
      let error: string | null = null;
      if (r.method === "POST") {
        const size = form.size ? Number(form.size) : sampleSizeFor(Number(form.risk), Number(form.rate));
        if (!seed) error = "This period has no signed checkpoint yet: it is signed when the period is exported, and the seed comes from it.";
        else if (!Number.isInteger(size) || size < 1) error = "Give a whole sample size, or a risk and a tolerable rate between 0 and 1.";
        else result = drawSample(rows, { size, seed, stratify: form.stratify });
      }
      if (page === "sample.csv") return result ? csv(r, `sample-${org}-${label}.csv`, result.rows) : notFound(r);
      return send(r, error ? 400 : 200, pages.samplePage(s, { seed, seedFrom: signed ? seedSource(signed.checkpoint, signed.location, signed.verified) : null, population: rows.length, form, result, method: sampleMethod(form.stratify), error }));
    }
    if (page === "verify" && r.method === "GET") {
      const started = now();
      // Read anew and verified now, not from the pages' cache.
      const { index: fresh, archive } = await archiveFor(org, true);
      const verification = await verifyNow(org, archive.lines, archive.head, publicKey ? await options.evidence.attestations(org, null) : undefined, true);
      const seal = fresh.periods.get(label)?.seal ?? null;
      const exported = await options.evidence.exportStatus(org, label);
      const sealDiffers = exported.exists && exported.seal !== (seal?.hash ?? null);
      const chainOk = verification ? verification.chain.ok : fresh.intact;
      const text = verification
        ? describeVerification(verification, `the archive of ${org}`).trim()
        : fresh.intact
          ? `The chain verifies now: all ${fresh.records.length} records' hashes recomputed and every link followed. No signing key is configured, so the signed checkpoints were not checked.`
          : "The chain does NOT verify: a record's hash or link does not match (see soc2-guard verify).";
      return send(r, 200, pages.verificationPage(s, {
        ok: (verification ? verification.ok : fresh.intact) && !sealDiffers,
        text: sealDiffers ? `${text} But the export's seal differs from the seal recomputed now.` : text,
        count: fresh.records.length,
        head: chainOk ? (fresh.records.at(-1)?.record.hash ?? null) : (archive.head?.hash ?? null),
        seal: seal?.hash ?? null,
        sealRecord: seal?.recordId ?? null,
        exportSeal: exported.exists ? exported.seal : null,
        keyFingerprint: options.keyFingerprint ?? null,
        checkpoints: verification
          ? verification.checkpoints.map((c) => ({ location: c.location, status: c.status, detail: c.detail, count: c.checkpoint?.count ?? null, key: c.checkpoint ? formatFingerprint(c.checkpoint.keyId) : null }))
          : null,
        covered: verification?.covered ?? null,
        attestations: verification ? verification.attestations : null,
        ms: now() - started,
      }));
    }
    return notFound(r);
  }

  function csv(r: Request, name: string, rows: ChangeView[]): true {
    return send(r, 200, csvDocument(CHANGES_HEADER, rows.map(changeCsvValues)), "text/csv; charset=utf-8", { "content-disposition": `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, "_")}"` });
  }

  async function route(r: Request): Promise<boolean> {
    const parts = r.path.slice(PORTAL_BASE.length + 1).split("/").filter((p, i, all) => p !== "" || i < all.length - 1);
    const [first, ...rest] = parts.map((p) => decodeURIComponent(p));
    if (r.path === `${PORTAL_BASE}/assets/portal.css`) return send(r, 200, STYLES, "text/css; charset=utf-8");
    if (first === undefined || first === "") {
      if (!r.session) return send(r, 200, pages.signInPage(PORTAL_BASE, options.signIn !== null));
      const orgs: string[] = [];
      for (const org of await options.access.organizations()) if (await canView(org, r.session.login)) orgs.push(org);
      return send(r, 200, pages.organizationsPage(shell(r), orgs));
    }
    if (first === "login" && r.method === "GET" && rest.length === 0) {
      if (!options.signIn) return notFound(r);
      const state = codec.seal({ nonce: cryptoNonce(), at: now() }, "oauth-state");
      return redirect(r, options.signIn.authorizeUrl(stateId(state), redirectUri(r.req)), [cookie(STATE_COOKIE, state, { path: PORTAL_BASE, secure: secure(r.req), maxAgeSeconds: 600 })]);
    }
    if (first === "callback" && r.method === "GET" && rest.length === 0) {
      if (!options.signIn) return notFound(r);
      const url = new URL(r.req.url ?? "/", "http://x");
      const stateCookie = parseCookies(r.req.headers.cookie).get(STATE_COOKIE);
      const state = codec.open<{ at: number }>(stateCookie, "oauth-state");
      const code = url.searchParams.get("code");
      if (!state || !stateCookie || now() - state.at > 600_000 || url.searchParams.get("state") !== stateId(stateCookie) || !code) {
        return send(r, 400, pages.page(shell(r, { title: "Sign-in failed" }), `<h1>Sign-in failed</h1><p>The sign-in link expired or did not come from this portal. <a href="${PORTAL_BASE}/login">Try again</a>.</p>`));
      }
      const user = await options.signIn.exchange(code, redirectUri(r.req));
      if (!user) return send(r, 400, pages.page(shell(r, { title: "Sign-in failed" }), `<h1>Sign-in failed</h1><p>GitHub did not confirm who you are. <a href="${PORTAL_BASE}/login">Try again</a>.</p>`));
      const session = codec.newSession(user.login, now());
      return redirect(r, `${PORTAL_BASE}/`, [
        cookie(SESSION_COOKIE, codec.seal(session, "session"), { path: PORTAL_BASE, secure: secure(r.req), maxAgeSeconds: SESSION_HOURS * 3600 }),
        cookie(STATE_COOKIE, "", { path: PORTAL_BASE, secure: secure(r.req), maxAgeSeconds: 0 }),
      ]);
    }
    if (first === "logout" && r.method === "POST" && rest.length === 0) {
      return redirect(r, `${PORTAL_BASE}/`, [cookie(SESSION_COOKIE, "", { path: PORTAL_BASE, secure: secure(r.req), maxAgeSeconds: 0 })]);
    }
    if (!r.session) return r.method === "GET" ? redirect(r, `${PORTAL_BASE}/`) : notFound(r);
    return orgRoute(r, first, rest);
  }

  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== PORTAL_BASE && !url.pathname.startsWith(`${PORTAL_BASE}/`)) return false;
    const asked = (req.method ?? "GET").toUpperCase();
    const method = asked === "HEAD" ? "GET" : asked;
    const session = codec.session(parseCookies(req.headers.cookie).get(SESSION_COOKIE), now());
    const r: Request = { req, res, method, path: url.pathname, session, csrf: session ? codec.csrfToken(session) : null, form: new Map() };
    try {
      if (url.pathname === PORTAL_BASE) return redirect(r, `${PORTAL_BASE}/`);
      if (method !== "GET" && method !== "POST") return send(r, 405, "method not allowed", "text/plain; charset=utf-8", { allow: "GET, POST" });
      if (method === "POST") {
        // CSRF: the form's token must be this session's; and what the browser says about where
        // the form came from must be us. (With Referrer-Policy no-referrer a same-origin form
        // post sends `Origin: null`; Sec-Fetch-Site still says same-origin.)
        const body = await readBody(req);
        if (body === null) return send(r, 413, "request too large", "text/plain; charset=utf-8");
        r.form = new Map(new URLSearchParams(body));
        const sentOrigin = req.headers.origin;
        const fetchSite = req.headers["sec-fetch-site"];
        const foreign = (sentOrigin !== undefined && sentOrigin !== "null" && sentOrigin !== origin(req)) || (fetchSite !== undefined && fetchSite !== "same-origin");
        if (!session || !codec.checkCsrf(session, r.form.get("csrf")) || foreign) {
          return send(r, 403, pages.page(shell(r, { title: "Refused" }), `<h1>Refused</h1><p>This form did not come from a page of this portal in your session (CSRF check). Reload the page and try again.</p>`));
        }
      }
      return await route(r);
    } catch (error) {
      options.log?.warn({ err: String((error as Error).message ?? error) }, "portal request failed");
      if (!res.headersSent) send(r, 502, pages.page(shell(r, { title: "Unavailable" }), `<h1>The evidence could not be read just now</h1><p>GitHub or the archive did not answer. Try again in a minute.</p>`));
      return true;
    }
  };
}

/** The OAuth `state` GitHub echoes: a digest of the sealed state cookie, so the cookie stays out of URLs. */
function stateId(sealed: string): string {
  return createHash("sha256").update(sealed).digest("base64url").slice(0, 32);
}

function cryptoNonce(): string {
  return globalThis.crypto.randomUUID();
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
