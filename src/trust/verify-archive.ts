// Verifies an archive against what the app signed, trusting nothing the archive says
// about itself (head.json included): the hash chain is recomputed; every checkpoint must
// carry the pinned key's signature, come from the app (when its author is known) and
// name this archive; and each checkpoint's (count, head) must be a prefix of the chain as
// it is now — so an edit-and-reseal, a deletion, a truncation, a reordering or a rollback
// is caught although every hash in the archive is self-consistent. Signed attestations
// pinpoint the record: once records carry a signing key id, each must match the signed
// (id, hash) of its attestation. Names the first record and the first checkpoint that
// disagree. Pure: the edges read the lines, comments and files.

import type { KeyObject } from "node:crypto";
import { GENESIS, type LedgerHead } from "../evidence/ledger.js";
import type { SealedRecord } from "../evidence/record.js";
import { verifyChain, type StoredLine, type VerifyResult } from "../evidence/verify.js";
import { asEnvelope } from "./dsse.js";
import { checkpointEnvelopesIn, isCheckpointComment, verifyCheckpoint, type Checkpoint } from "./checkpoint.js";
import { CHANGE_PREDICATE_TYPE, verifyAttestation, type ChangePredicate } from "./attestation.js";
import { trustedKeys, type TrustedKeys } from "./key-rotation.js";

/** A checkpoint as found: a comment on the checkpoints issue, an export issue, a line of a file. */
export interface CheckpointSource {
  /** Where it was found, e.g. a comment URL or checkpoints.jsonl:3 */
  location: string;
  /** Login of whoever wrote it, when the anchor has authors (GitHub comments); null for files. */
  author: string | null;
  /** The comment body, issue body or line holding the envelope. */
  text: string;
}

export type CheckpointStatus = "ok" | "unreadable" | "bad-signature" | "not-the-app" | "other-archive" | "not-a-prefix" | "beyond-the-chain";

export interface CheckpointFinding {
  location: string;
  author: string | null;
  status: CheckpointStatus;
  detail: string;
  checkpoint: Checkpoint | null;
}

export interface BadRecord {
  /** 0-based position in the chain; the first record that disagrees is #position+1. */
  position: number;
  location: string | null;
  id: string | null;
  problem: string;
  detail: string;
}

export interface ArchiveVerification {
  ok: boolean;
  records: number;
  chain: VerifyResult;
  checkpoints: CheckpointFinding[];
  /** The largest record count vouched for by an authentic checkpoint that agrees with the chain. */
  covered: number;
  latest: Checkpoint | null;
  firstBadRecord: BadRecord | null;
  firstBadCheckpoint: CheckpointFinding | null;
  attestations: { checked: number; signedRecords: number };
  /** The keys trusted: the pinned one(s) and every handover the app signed with a trusted key. */
  keys: TrustedKeys;
  problems: string[];
}

export interface VerifyArchiveInput {
  lines: StoredLine[];
  /** Reported when it disagrees; never trusted. */
  head?: LedgerHead | null;
  checkpoints: CheckpointSource[];
  /** Lines of attestations/YYYY/MM/DD.jsonl (DSSE envelopes). */
  attestations?: StoredLine[];
  publicKey: KeyObject;
  /** More pinned keys (an auditor who pinned the old and the new key); rotations are followed either way. */
  morePublicKeys?: KeyObject[];
  /** The archive the checkpoints must name (case-insensitive); null accepts any one archive. */
  archive?: string | null;
  /** The app's login(s) as comment author, e.g. `soc2-guard[bot]`; null when the anchor has no authors. */
  appLogins?: string[] | null;
  /** A chain with records but no authentic checkpoint fails (default true). */
  requireCheckpoint?: boolean;
}

function parseRecords(lines: StoredLine[]): Array<SealedRecord | null> {
  return lines.map((l) => {
    try {
      return JSON.parse(l.text) as SealedRecord;
    } catch {
      return null;
    }
  });
}

export function verifyArchive(input: VerifyArchiveInput): ArchiveVerification {
  const records = parseRecords(input.lines);
  const chain = verifyChain(input.lines, null);
  const validPrefix = chain.ok ? records.length : chain.count;
  const hashAt = (count: number): string | null => (count === 0 ? GENESIS : (records[count - 1]?.hash ?? null));
  const problems: string[] = [];

  // Checkpoints: authentic (signature, author, archive), then agreement with the chain.
  const findings: CheckpointFinding[] = [];
  const archives = new Set<string>();
  const byTheApp = (source: CheckpointSource): boolean => !input.appLogins || (source.author !== null && input.appLogins.some((l) => l.toLowerCase() === source.author!.toLowerCase()));
  const keys = trustedKeys(
    [input.publicKey, ...(input.morePublicKeys ?? [])].map((publicKey) => ({ publicKey })),
    input.checkpoints.filter(byTheApp).flatMap((source) => checkpointEnvelopesIn(source.text).map((envelope) => ({ envelope, location: source.location }))),
  );
  for (const source of input.checkpoints) {
    const envelopes = checkpointEnvelopesIn(source.text);
    const byApp = byTheApp(source);
    // Someone else's remark that claims no checkpoint is not evidence either way.
    if (envelopes.length === 0 && !byApp && !isCheckpointComment(source.text)) continue;
    if (envelopes.length === 0) {
      findings.push({ location: source.location, author: source.author, status: "unreadable", detail: "no checkpoint envelope in it", checkpoint: null });
      continue;
    }
    for (const envelope of envelopes) findings.push(checkSource(source, envelope, input, keys, archives));
  }
  if (!input.archive && archives.size > 1) problems.push(`checkpoints name ${archives.size} different archives: ${[...archives].join(", ")}`);

  let covered = 0;
  let latest: Checkpoint | null = null;
  let firstDisagreeing = Number.POSITIVE_INFINITY;
  for (const f of findings) {
    if (f.status !== "ok" || !f.checkpoint) continue;
    const cp = f.checkpoint;
    if (cp.count > records.length) {
      f.status = "beyond-the-chain";
      f.detail = `signed ${cp.count} records ending in ${short(cp.head)}, the archive holds ${records.length}: records were removed from the end or the branch was rolled back`;
    } else if (hashAt(cp.count) !== cp.head) {
      f.status = "not-a-prefix";
      f.detail = `signed record #${cp.count} as ${short(cp.head)}, the archive has ${short(hashAt(cp.count) ?? "")} there: a record at or before #${cp.count} was changed, removed or reordered and the chain re-sealed`;
    }
    if (f.status === "ok") {
      covered = Math.max(covered, cp.count);
      if (!latest || cp.count > latest.count || (cp.count === latest.count && cp.time > latest.time)) latest = cp;
    } else firstDisagreeing = Math.min(firstDisagreeing, cp.count);
  }
  const coveredBelow = (limit: number): number => Math.max(0, ...findings.filter((f) => f.status === "ok" && f.checkpoint && f.checkpoint.count < limit).map((f) => f.checkpoint!.count));

  // Attestations: the signed (id, hash) of every record written with a signing key.
  const attested = new Map<string, string>();
  let attestationsChecked = 0;
  for (const line of input.attestations ?? []) {
    const envelope = asEnvelope(line.text);
    if (!envelope) continue;
    const checked = verifyAttestation(envelope, keys.ring);
    if (!checked.ok) continue;
    attestationsChecked++;
    if (checked.statement.predicateType === CHANGE_PREDICATE_TYPE) {
      const record = (checked.statement.predicate as unknown as ChangePredicate).record;
      attested.set(record.hash, record.id);
    }
  }
  let unattested: BadRecord | null = null;
  if (input.attestations) {
    let signedFromHere = false;
    for (let i = 0; i < Math.min(records.length, validPrefix); i++) {
      const r = records[i]!;
      signedFromHere ||= !!r.keyIds?.signing;
      if (signedFromHere && attested.get(r.hash) !== r.id) {
        unattested = {
          position: i,
          location: input.lines[i]!.location,
          id: r.id,
          problem: "unsigned",
          detail: r.keyIds?.signing
            ? "no attestation signed by the pinned key carries this record's hash: it was changed (or put here) after the app signed it"
            : "records after the first signed one must all be signed: this one has no key id and no attestation",
        };
        break;
      }
    }
  }

  // The first record that disagrees: the chain's own break, an unsigned record, or — when
  // only checkpoints disagree — the first record no agreeing checkpoint below them covers.
  const candidates: BadRecord[] = [];
  if (!chain.ok) {
    const position = chain.count;
    candidates.push({ position, location: chain.location, id: chain.id, problem: chain.problem, detail: chain.detail });
  }
  if (unattested) candidates.push(unattested);
  if (Number.isFinite(firstDisagreeing)) {
    const position = coveredBelow(firstDisagreeing);
    const line = input.lines[position];
    const record = records[position];
    candidates.push({
      position,
      location: line?.location ?? null,
      id: record?.id ?? null,
      problem: line ? "differs-from-checkpoint" : "missing",
      detail: line
        ? `the signed checkpoints agree up to #${position} and disagree from #${firstDisagreeing}: record #${position + 1} or one after it up to #${firstDisagreeing} is not what the app wrote`
        : `the signed checkpoints vouch for ${firstDisagreeing} records; the archive ends after ${records.length}: record #${position + 1} onward is missing`,
    });
  }
  const firstBadRecord = candidates.sort((a, b) => a.position - b.position)[0] ?? null;
  const firstBadCheckpoint = findings.find((f) => f.status !== "ok") ?? null;

  const requireCheckpoint = input.requireCheckpoint ?? true;
  if (requireCheckpoint && records.length > 0 && !latest) problems.push("no authentic checkpoint agrees with the chain: nothing outside the archive vouches for it");
  if (input.head && (input.head.count !== records.length || input.head.hash !== (hashAt(records.length) ?? ""))) {
    problems.push(`head.json says ${input.head.count} records ending in ${short(input.head.hash)}; the files hold ${records.length} (head.json is not trusted either way)`);
  }
  const ok = chain.ok && !firstBadRecord && !firstBadCheckpoint && problems.filter((p) => !p.startsWith("head.json")).length === 0;
  return {
    ok,
    records: records.length,
    chain,
    checkpoints: findings,
    covered,
    latest,
    firstBadRecord,
    firstBadCheckpoint,
    attestations: { checked: attestationsChecked, signedRecords: attested.size },
    keys,
    problems,
  };
}

function checkSource(source: CheckpointSource, envelope: ReturnType<typeof asEnvelope> & object, input: VerifyArchiveInput, keys: TrustedKeys, archives: Set<string>): CheckpointFinding {
  const base = { location: source.location, author: source.author };
  if (input.appLogins && !(source.author && input.appLogins.some((l) => l.toLowerCase() === source.author!.toLowerCase()))) {
    return { ...base, status: "not-the-app", detail: `written by ${source.author ?? "an unknown author"}, not by the app (${input.appLogins.join(" or ")}): only the app's own comments count`, checkpoint: null };
  }
  const checked = verifyCheckpoint(envelope, keys.ring);
  if (!checked.ok) return { ...base, status: checked.problem, detail: checked.detail, checkpoint: null };
  const cp = checked.checkpoint;
  archives.add(cp.archive.toLowerCase());
  if (input.archive && cp.archive.toLowerCase() !== input.archive.toLowerCase()) {
    return { ...base, status: "other-archive", detail: `signed for ${cp.archive}, not ${input.archive}`, checkpoint: cp };
  }
  return { ...base, status: "ok", detail: `${cp.count} records ending in ${short(cp.head)} at ${cp.time}`, checkpoint: cp };
}

const short = (hash: string): string => `${hash.slice(0, 12)}…`;

/** One paragraph for a terminal or a web page. */
export function describeVerification(result: ArchiveVerification, where: string): string {
  const lines: string[] = [];
  if (result.ok) {
    const tail = result.records - result.covered;
    lines.push(
      `ok: ${result.records} record${result.records === 1 ? "" : "s"} in ${where}; chain verified; ${result.checkpoints.length} signed checkpoint${result.checkpoints.length === 1 ? "" : "s"} agree${result.latest ? ` (latest: ${result.latest.count} records, head ${result.latest.head}, ${result.latest.time})` : ""}; ${result.attestations.signedRecords} record attestation${result.attestations.signedRecords === 1 ? "" : "s"} verified${tail > 0 ? `; ${tail} record${tail === 1 ? "" : "s"} newer than the latest checkpoint` : ""}`,
    );
  } else {
    lines.push(`BROKEN: ${where} does not match what the app signed.`);
    const r = result.firstBadRecord;
    if (r) lines.push(`  first record that disagrees: #${r.position + 1}${r.location ? ` at ${r.location}` : ""}${r.id ? ` (${r.id})` : ""}: ${r.problem} — ${r.detail}`);
    const c = result.firstBadCheckpoint;
    if (c) lines.push(`  first checkpoint that disagrees: ${c.location}${c.author ? ` by ${c.author}` : ""}: ${c.status} — ${c.detail}`);
  }
  for (const h of result.keys.handovers) lines.push(`  key rotation: ${h.from} handed over to ${h.to} at ${h.time} (${h.location}); both signed it`);
  for (const p of result.problems) lines.push(`  ${p}`);
  return `${lines.join("\n")}\n`;
}
