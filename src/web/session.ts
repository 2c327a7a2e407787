// The portal's session: an AES-256-GCM sealed cookie (HttpOnly, SameSite=Lax, Secure on
// https) holding who signed in and until when — never a GitHub token. The key comes from
// SOC2_GUARD_SESSION_KEY, or is derived (HKDF) from the app's private key so every replica
// reads every other's cookies without a new secret. CSRF tokens are an HMAC of the
// session's random id: a page from us carries one, a forged cross-site form cannot.

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

export interface Session {
  login: string;
  /** random, per sign-in: binds CSRF tokens to this session */
  sid: string;
  /** epoch ms */
  expiresAt: number;
}

export const SESSION_COOKIE = "soc2_guard_session";
export const STATE_COOKIE = "soc2_guard_oauth";
export const SESSION_HOURS = 8;

export class SessionCodec {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(secret: string | Buffer) {
    const ikm = typeof secret === "string" ? Buffer.from(secret, "utf8") : secret;
    if (ikm.length < 32) throw new Error("session key: at least 32 bytes of secret are needed");
    this.encKey = Buffer.from(hkdfSync("sha256", ikm, "soc2-guard", "portal session encryption v1", 32));
    this.macKey = Buffer.from(hkdfSync("sha256", ikm, "soc2-guard", "portal csrf v1", 32));
  }

  /** Any JSON value, encrypted and authenticated; `purpose` keeps a state cookie from passing as a session. */
  seal(value: unknown, purpose: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.encKey, iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
  }

  open<T>(token: string | undefined, purpose: string): T | null {
    if (!token) return null;
    try {
      const raw = Buffer.from(token, "base64url");
      if (raw.length < 29) return null;
      const decipher = createDecipheriv("aes-256-gcm", this.encKey, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(raw.subarray(12, 28));
      return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8")) as T;
    } catch {
      return null;
    }
  }

  newSession(login: string, now: number): Session {
    return { login, sid: randomBytes(16).toString("base64url"), expiresAt: now + SESSION_HOURS * 3_600_000 };
  }

  /** The session in the cookie, if it is ours and not expired. */
  session(cookie: string | undefined, now: number): Session | null {
    const s = this.open<Session>(cookie, "session");
    return s && typeof s.login === "string" && typeof s.sid === "string" && s.expiresAt > now ? s : null;
  }

  csrfToken(session: Session): string {
    return createHmac("sha256", this.macKey).update(session.sid).digest("base64url");
  }

  checkCsrf(session: Session, token: unknown): boolean {
    if (typeof token !== "string") return false;
    const expected = Buffer.from(this.csrfToken(session));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

export function cookie(name: string, value: string, options: { path: string; secure: boolean; maxAgeSeconds: number }): string {
  return `${name}=${value}; Path=${options.path}; HttpOnly; SameSite=Lax; Max-Age=${options.maxAgeSeconds}${options.secure ? "; Secure" : ""}`;
}
