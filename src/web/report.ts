// exports/YYYY-MM/report.html: one self-contained file an auditor keeps in the workpapers.
// The overview is rendered here with the shared renderer; the change table, drill-downs,
// sampling and verification are the same renderer run in the browser over the embedded
// records (gzip + base64, so 10,000 changes stay well under 6 MB). Its CSP forbids every
// network request; the only script is inline and pinned by its hash. Deterministic: the
// same records give the same bytes, so a re-run of the export commits nothing new.

import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { canonicalJson } from "../canonical-json.js";
import { changeCsvValues, changeRow, CHANGES_HEADER, exceptionKind, landedAt, pushLink } from "../export/change-row.js";
import { csvField, csvRow, neutraliseFormula } from "../export/csv.js";
import { STYLES } from "./view/styles.js";
import { embedFunctions, scriptJson } from "./view/embed.js";
import { SHARED_FUNCTIONS, esc, renderChart, renderFigures, renderRepositoryTable } from "./view/shared.js";
import { reportMain, type ReportMeta, type ReportPayload } from "./report-client.js";
import type { ChangeView, ChartMonth, PeriodFigures, RepositoryFigures } from "./view/types.js";
import { sampleMethod } from "./sampling.js";
import { samplingSeed, type Checkpoint } from "../trust/checkpoint.js";
import type { DsseEnvelope } from "../trust/dsse.js";

/**
 * The renderer's format, kept in the export's snapshot.json: `verify --export` recomputes a
 * report.html byte for byte only when it was written in the format this version renders
 * (an older one is checked against its signed hash alone). Raise it whenever the bytes change.
 */
export const REPORT_FORMAT = 2;

export interface ReportInput {
  org: string;
  period: string;
  rows: ChangeView[];
  /** The chain segment from the period's first shard up to and including the seal. */
  lines: Array<{ location: string; text: string }>;
  seal: { hash: string; recordId: string } | null;
  figures: PeriodFigures;
  /** The period and the months before it, oldest first (the 12-month chart). */
  chart: ChartMonth[];
  repositories: RepositoryFigures[];
  reviewStatuses: Record<string, string>;
  /** Web base for commit links, e.g. https://github.com/ */
  commitBase: string;
  /** The period's signed checkpoint (the export signs it first): the sampling seed. Null: an unsigned export, no sampling. */
  periodCheckpoint: DsseEnvelope | null;
  /** The key that signed it (SPKI DER, base64): the browser verifies the signature and shows the key's fingerprint. */
  signingPublicKey?: string | null;
}

const LIB_NAMES = ["esc", "queryChanges", "renderChangeTable", "renderChangeDetail", "sampleSizeFor", "drawSample", "renderSampleResult", "canonicalJson", "csvRow", "changeCsvValues", "changeRow"] as const;

export function buildReportHtml(input: ReportInput): string {
  const first = segmentStart(input);
  const segmentStartsAfter = first < input.lines.length ? (firstPrev(input.lines[first]!.text) ?? "") : "";
  const checkpoint = input.periodCheckpoint ? checkpointOf(input.periodCheckpoint) : null;
  const controls = [...new Set(input.rows.flatMap((r) => r.failedControls))].sort();
  const meta: ReportMeta = {
    org: input.org,
    period: input.period,
    seal: input.seal,
    segmentStartsAfter,
    sampling: input.periodCheckpoint && checkpoint ? { seed: samplingSeed(input.periodCheckpoint), checkpoint: { count: checkpoint.count, head: checkpoint.head, time: checkpoint.time, keyId: checkpoint.keyId }, envelope: JSON.stringify(input.periodCheckpoint), publicKey: input.signingPublicKey ?? null } : null,
    method: sampleMethod(false),
    stratifiedMethod: sampleMethod(true),
    commitBase: input.commitBase,
    csvHeader: [...CHANGES_HEADER],
    reviewStatuses: input.reviewStatuses,
    repositories: [...new Set(input.rows.map((r) => r.repository))].sort(),
    controls: [...new Set(["review.approval", "ci.passing", "secrets.diff", ...controls])].sort(),
  };
  const payload = reportPayload(input);
  const packed = gzipSync(Buffer.from(`${JSON.stringify({ rows: payload.rows, committedAt: payload.committedAt })}\n${payload.lines.join("\n")}`, "utf8"), { level: 6 }).toString("base64");
  const script = `${embedFunctions([...SHARED_FUNCTIONS, canonicalJson, neutraliseFormula, csvField, csvRow, changeCsvValues, landedAt, pushLink, exceptionKind, changeRow, reportMain] as never)}
reportMain({ ${LIB_NAMES.join(", ")} }, JSON.parse(document.getElementById("meta").textContent), document.getElementById("records").textContent.trim());`;
  if (/<\/script/i.test(script)) throw new Error("report: the embedded program must not contain </script");
  const scriptHash = createHash("sha256").update(script, "utf8").digest("base64");
  const csp = `default-src 'none'; script-src 'sha256-${scriptHash}'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'`;
  const title = `SOC 2 change evidence — ${input.org} — ${input.period}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLES}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><span class="brand">soc2-guard · ${esc(input.org)} · ${esc(input.period)}</span>
<nav aria-label="report"><ul><li><a href="#overview">Overview</a></li><li><a href="#changes">Changes</a></li><li><a href="#sample">Sample</a></li><li><a href="#verify">Verification</a></li></ul></nav>
<span class="who">offline report</span></header>
<main id="main">
<div id="verify-status" class="banner warn" role="status">Verifying the records in this browser…</div>
<section id="overview">
<h1>${esc(title)}</h1>
<p class="lede">Every change that landed in ${esc(input.org)}'s repositories in ${esc(input.period)} (UTC), as soc2-guard recorded it. This file needs no server and makes no network request; it recomputes every record's hash when it opens and compares the chain with the period's seal <code class="hash">${esc(input.seal?.hash ?? "none")}</code>.</p>
${renderFigures(input.figures)}
<h2>The last 12 months</h2>
${renderChart(input.chart)}
<p class="muted">Earlier months as their own exports (summary.json) counted them; a month without an export shows no changes.</p>
<h2>Per repository</h2>
${renderRepositoryTable(input.repositories)}
</section>
<div id="view"></div>
</main>
<script type="application/json" id="meta">${scriptJson(meta)}</script>
<script type="application/octet-stream" id="records">
${packed.replace(/(.{1,4096})/g, "$1\n")}</script>
<script>${script}</script>
</body>
</html>
`;
}

/** The segment starts at the period's first record: the lines before it are other periods' (and prove nothing here). */
function segmentStart(input: ReportInput): number {
  const hashes = new Set(input.rows.map((r) => r.recordHash));
  const at = input.lines.findIndex((l) => hashes.has(hashOf(l.text) ?? ""));
  return at < 0 ? 0 : at;
}

function reportPayload(input: ReportInput): ReportPayload {
  const lines = input.lines.slice(segmentStart(input)).map((l) => l.text);
  if (lines.some((l) => l.includes("\n"))) throw new Error("report: a stored line must not hold a newline");
  const at = new Map<string, number>();
  lines.forEach((text, i) => {
    const hash = hashOf(text);
    if (hash) at.set(hash, i);
  });
  const committedAt: Record<string, string> = {};
  const rows = input.rows.map((row) => {
    const i = at.get(row.recordHash) ?? -1;
    // Only a push backfilled late lands at a time the record does not hold (snapshot.json's commit time).
    if (i >= 0 && row.kind === "direct-push" && row.collectedLate) committedAt[String(i)] = row.mergedAt;
    return i;
  });
  return { rows, committedAt, lines };
}

function hashOf(text: string): string | null {
  try {
    return (JSON.parse(text) as { hash?: string }).hash ?? null;
  } catch {
    return null;
  }
}

/** The checkpoint the envelope carries, read without a key (the auditor compares it with the export issue's). */
function checkpointOf(envelope: DsseEnvelope): Checkpoint | null {
  try {
    return JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as Checkpoint;
  } catch {
    return null;
  }
}

function firstPrev(text: string): string | null {
  try {
    return (JSON.parse(text) as { prev?: string }).prev ?? null;
  } catch {
    return null;
  }
}
