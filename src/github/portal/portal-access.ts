// The portal's access and evidence adapter: everything the portal learns from GitHub, with
// the app's own credentials. Who may see an organization's evidence is decided as
// policy-bot decides repository permission — with the installation token, not the user's:
// read (or more) on the org's archive repository, or an active membership of the auditors
// team. The evidence is the archive the app writes (EvidenceArchive.read) and the export's
// summary.json; nothing is copied anywhere else.

import type { Probot } from "probot";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { GitHubClient } from "../transport/client.js";
import { loadConfig } from "../facts/config-loader.js";
import { GitHubExportIssues } from "../export/export-issues.js";
import type { AppServices } from "../../triggers/services.js";
import type { ArchiveConfig } from "../../config/types.js";
import type { Period } from "../../evidence/reconcile.js";
import type { ReviewIssueState } from "../../export/exception-row.js";
import type { AccessDecision, ExportStatus, PortalAccess, PortalEvidence, TrustSources } from "../../web/ports.js";
import type { StoredLine } from "../../evidence/verify.js";
import { LocalExportFiles } from "../../export/local-store.js";
import { LOCAL_CHECKPOINTS_FILE, readCheckpointFile } from "../../evidence/local-checkpoints.js";
import { readAttestationDirectory } from "../../evidence/local-archive.js";
import { GitHubExportFiles } from "../export/export-store.js";
import { GitHubCheckpointIssue } from "../evidence/checkpoint-issue.js";
import { GitHubRepositoryArchive } from "../evidence/archive-repository.js";
import { checkpointEnvelopesIn } from "../../trust/checkpoint.js";
import type { CheckpointSource } from "../../trust/verify-archive.js";

/** Issues that carry a checkpoint (a signed export's); the others (unsigned exports, review issues) say nothing about the chain. */
const withCheckpoints = (issues: CheckpointSource[]): CheckpointSource[] => issues.filter((i) => checkpointEnvelopesIn(i.text).length > 0);

const READ_OR_MORE = new Set(["read", "triage", "write", "maintain", "admin"]);
const httpStatus = (error: unknown): number | undefined => (error as { status?: number }).status;

export interface GitHubPortalOptions {
  /** The team whose members may see the evidence without repository access (slug). */
  auditorsTeam: string | null;
  webBase: string;
  /** How long an organization's installation and archive config are reused. */
  ttlMs?: number;
}

interface Installation {
  gh: GitHubClient;
  archive: ArchiveConfig;
  at: number;
}

export class GitHubPortal implements PortalAccess, PortalEvidence {
  private readonly installations = new Map<string, Installation>();
  /** Export summaries and review states, reused for a minute: pages ask for them often, they change rarely. */
  private readonly answers = new Map<string, { at: number; value: Promise<unknown> }>();

  private reuse<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.answers.get(key);
    if (hit && Date.now() - hit.at < 60_000) return hit.value as Promise<T>;
    const value = load();
    value.catch(() => this.answers.delete(key));
    this.answers.set(key, { at: Date.now(), value });
    if (this.answers.size > 2_000) this.answers.delete(this.answers.keys().next().value!);
    return value;
  }

  constructor(
    private readonly app: Pick<Probot, "auth">,
    private readonly services: Pick<AppServices, "archiveFor" | "archiveDir" | "appSlug">,
    private readonly options: GitHubPortalOptions,
  ) {}

  get webBase(): string {
    return `${this.options.webBase.replace(/\/$/, "")}/`;
  }

  private async appClient(): Promise<GitHubClient> {
    return (await this.app.auth()) as unknown as GitHubClient;
  }

  async organizations(): Promise<string[]> {
    const gh = await this.appClient();
    const installations = await gh.paginate("GET /app/installations", { per_page: 100 });
    return installations.filter((i) => i.target_type === "Organization" && i.account && "login" in i.account).map((i) => (i.account as { login: string }).login).sort();
  }

  /** The organization's installation client and archive config; null when the app is not installed there. */
  private async installation(org: string): Promise<Installation | null> {
    const key = org.toLowerCase();
    const hit = this.installations.get(key);
    if (hit && Date.now() - hit.at < (this.options.ttlMs ?? 300_000)) return hit;
    const gh = await this.appClient();
    const installations = await gh.paginate("GET /app/installations", { per_page: 100 });
    const found = installations.find((i) => i.account && "login" in i.account && String(i.account.login).toLowerCase() === key);
    if (!found) return null;
    const client = (await this.app.auth(found.id)) as unknown as GitHubClient;
    const archive = (await loadConfig(client, (found.account as { login: string }).login)).config.archive;
    const entry = { gh: client, archive, at: Date.now() };
    this.installations.set(key, entry);
    return entry;
  }

  private async must(org: string): Promise<Installation> {
    const i = await this.installation(org);
    if (!i) throw new Error(`soc2-guard is not installed on ${org}`);
    return i;
  }

  async canView(org: string, login: string): Promise<AccessDecision> {
    const i = await this.installation(org);
    if (!i) return { allowed: false };
    try {
      const { data } = await i.gh.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { owner: org, repo: i.archive.repository, username: login });
      if (READ_OR_MORE.has(data.permission)) return { allowed: true, via: `${data.permission} on ${org}/${i.archive.repository}` };
    } catch (error) {
      if (httpStatus(error) !== 404) throw error;
    }
    if (this.options.auditorsTeam) {
      try {
        const { data } = await i.gh.request("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", { org, team_slug: this.options.auditorsTeam, username: login });
        if (data.state === "active") return { allowed: true, via: `member of @${org}/${this.options.auditorsTeam}` };
      } catch (error) {
        if (httpStatus(error) !== 404) throw error;
      }
    }
    return { allowed: false };
  }

  async read(org: string) {
    const i = await this.must(org);
    return this.services.archiveFor(i.gh, org, i.archive).read();
  }

  exportStatus(org: string, period: string): Promise<ExportStatus> {
    return this.reuse(`export\n${org.toLowerCase()}\n${period}`, () => this.loadExportStatus(org, period));
  }

  private async loadExportStatus(org: string, period: string): Promise<ExportStatus> {
    const path = `exports/${period}/summary.json`;
    let text: string | null = null;
    if (this.services.archiveDir) {
      const file = join(this.services.archiveDir, path);
      text = existsSync(file) ? readFileSync(file, "utf8") : null;
    } else {
      const i = await this.must(org);
      try {
        const { data } = await i.gh.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: org, repo: i.archive.repository, path, ref: i.archive.branch });
        if (!Array.isArray(data) && "content" in data) text = Buffer.from(data.content, "base64").toString("utf8");
      } catch (error) {
        if (httpStatus(error) !== 404) throw error;
      }
    }
    if (text === null) return { exists: false, seal: null, changes: null, reportPath: null };
    try {
      const summary = JSON.parse(text) as { ledger?: { seal?: { hash?: string } | null }; totals?: { changes?: number }; files?: string[] };
      const report = `exports/${period}/report.html`;
      return { exists: true, seal: summary.ledger?.seal?.hash ?? null, changes: summary.totals?.changes ?? null, reportPath: (summary.files ?? []).includes(report) ? report : null };
    } catch {
      return { exists: true, seal: null, changes: null, reportPath: null };
    }
  }

  exportedCommits(org: string): Promise<Map<string, Map<string, Map<string, string>>>> {
    return this.reuse(`commits\n${org.toLowerCase()}`, () => this.loadExportedCommits(org));
  }

  /** snapshot.json of every export: one listing of exports/, one read per exported month. */
  private async loadExportedCommits(org: string): Promise<Map<string, Map<string, Map<string, string>>>> {
    const out = new Map<string, Map<string, Map<string, string>>>();
    const add = (label: string, text: string | null): void => {
      if (text === null) return;
      try {
        const commits = (JSON.parse(text) as { periodCommits?: Record<string, Record<string, string>> }).periodCommits ?? {};
        out.set(label, new Map(Object.entries(commits).map(([repo, shas]) => [repo.toLowerCase(), new Map(Object.entries(shas))])));
      } catch {
        // An unreadable snapshot places nothing; verify --export names it.
      }
    };
    const month = /^\d{4}-(0[1-9]|1[0-2])$/;
    if (this.services.archiveDir) {
      const dir = join(this.services.archiveDir, "exports");
      for (const label of existsSync(dir) ? readdirSync(dir).filter((n) => month.test(n)) : []) {
        const file = join(dir, label, "snapshot.json");
        add(label, existsSync(file) ? readFileSync(file, "utf8") : null);
      }
      return out;
    }
    const i = await this.must(org);
    const params = { owner: org, repo: i.archive.repository, ref: i.archive.branch };
    let labels: string[] = [];
    try {
      const { data } = await i.gh.request("GET /repos/{owner}/{repo}/contents/{path}", { ...params, path: "exports" });
      labels = Array.isArray(data) ? data.filter((e) => e.type === "dir" && month.test(e.name)).map((e) => e.name) : [];
    } catch (error) {
      if (httpStatus(error) !== 404) throw error;
    }
    await Promise.all(
      labels.map(async (label) => {
        try {
          const { data } = await i.gh.request("GET /repos/{owner}/{repo}/contents/{path}", { ...params, path: `exports/${label}/snapshot.json`, headers: { accept: "application/vnd.github.raw+json" } });
          add(label, typeof data === "string" ? data : Buffer.from((data as { content?: string }).content ?? "", "base64").toString("utf8"));
        } catch (error) {
          if (httpStatus(error) !== 404) throw error;
        }
      }),
    );
    return out;
  }

  /** The listings are reused for a minute (the portal verifies their signatures whenever it shows them); `fresh` reads them anew. */
  trustSources(org: string, options: { fresh?: boolean } = {}): Promise<TrustSources> {
    const key = `trust\n${org.toLowerCase()}`;
    if (options.fresh) this.answers.delete(key);
    return this.reuse(key, () => this.loadTrustSources(org));
  }

  private async loadTrustSources(org: string): Promise<TrustSources> {
    if (this.services.archiveDir) {
      const dir = this.services.archiveDir;
      const exportIssues = await new LocalExportFiles(dir).statements();
      return { archive: null, appLogins: null, checkpoints: [...readCheckpointFile(join(dir, LOCAL_CHECKPOINTS_FILE)), ...withCheckpoints(exportIssues)], exportIssues };
    }
    const i = await this.must(org);
    const slug = await this.services.appSlug();
    const target = { owner: org, repo: i.archive.repository, branch: i.archive.branch };
    const anchor = new GitHubCheckpointIssue(i.gh, { ...target, appSlug: async () => slug });
    const [comments, exportIssues] = await Promise.all([anchor.list(), new GitHubExportFiles(i.gh, target).statements()]);
    return { archive: anchor.archive, appLogins: [`${slug}[bot]`], checkpoints: [...comments, ...withCheckpoints(exportIssues)], exportIssues };
  }

  async attestations(org: string, path: string | null): Promise<StoredLine[]> {
    if (this.services.archiveDir) {
      const all = readAttestationDirectory(this.services.archiveDir);
      return path ? all.filter((l) => l.location.startsWith(`${path}:`)) : all;
    }
    const i = await this.must(org);
    if (!path) return new GitHubRepositoryArchive(i.gh, { owner: org, repo: i.archive.repository, branch: i.archive.branch }).readAttestations();
    try {
      const { data } = await i.gh.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: org, repo: i.archive.repository, path, ref: i.archive.branch, headers: { accept: "application/vnd.github.raw+json" } });
      const text = typeof data === "string" ? data : Buffer.from((data as { content?: string }).content ?? "", "base64").toString("utf8");
      return text.split("\n").map((line, n) => ({ location: `${path}:${n + 1}`, text: line })).filter((l) => l.text.trim());
    } catch (error) {
      if (httpStatus(error) === 404) return [];
      throw error;
    }
  }

  reviewStates(org: string, period: Period): Promise<Map<string, ReviewIssueState> | null> {
    return this.reuse(`reviews\n${org.toLowerCase()}\n${period.label}`, () => this.loadReviewStates(org, period));
  }

  private async loadReviewStates(org: string, period: Period): Promise<Map<string, ReviewIssueState> | null> {
    if (this.services.archiveDir) return null;
    const i = await this.must(org);
    try {
      return await new GitHubExportIssues(i.gh, org, i.archive.repository).reviewStates(period);
    } catch {
      return null;
    }
  }
}
