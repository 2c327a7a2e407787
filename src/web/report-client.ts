/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// report.html's program, run by the browser from the file alone (no network: the file's
// CSP forbids every fetch). Its source text is embedded (./view/embed.ts), so it is one
// self-contained function that reaches the shared renderer only through `lib`.
//
// It decompresses the embedded records, recomputes every record's SHA-256 with WebCrypto
// over the same canonical JSON the app hashed, follows the `prev` links and compares the
// last period record's hash with the seal; then it serves the overview, the filterable
// change table, each change's drill-down, the sampling tool and the verification page,
// switching on location.hash.

import type { ChangeQuery, ChangeView, RecordView, SampleResult } from "./view/types.js";
import type { SealedRecord } from "../evidence/record.js";

export interface ReportLib {
  esc: (v: unknown) => string;
  queryChanges: (rows: ChangeView[], q: ChangeQuery) => { rows: ChangeView[]; total: number; page: number; pages: number };
  renderChangeTable: (rows: ChangeView[], href: string, caption: string) => string;
  renderChangeDetail: (v: RecordView, links: { commitBase: string }) => string;
  sampleSizeFor: (risk: number, rate: number) => number;
  drawSample: (rows: ChangeView[], r: { size: number; seed: string; stratify?: boolean }) => SampleResult;
  renderSampleResult: (r: SampleResult, method: string, href: string) => string;
  canonicalJson: (v: unknown) => string;
  csvRow: (values: ReadonlyArray<string | number | boolean | null | undefined>) => string;
  changeCsvValues: (row: ChangeView) => Array<string | number | boolean | null | undefined>;
  changeRow: (record: SealedRecord, pushCommittedAt?: string) => Omit<ChangeView, "coversMergedHead" | "failedControls">;
}

export interface ReportMeta {
  org: string;
  period: string;
  seal: { hash: string; recordId: string } | null;
  /** `prev` of the first embedded record: where the embedded segment joins the chain. */
  segmentStartsAfter: string;
  /** The seed and the period's signed checkpoint it comes from; null for an unsigned export (no sampling). */
  sampling: { seed: string; checkpoint: { count: number; head: string; time: string; keyId: string }; envelope: string; publicKey: string | null } | null;
  method: string;
  stratifiedMethod: string;
  commitBase: string;
  csvHeader: string[];
  reviewStatuses: Record<string, string>;
  repositories: string[];
  controls: string[];
}

/**
 * What the file embeds (gzip + base64): one line of JSON saying which lines are the
 * period's changes, then the chain segment — the stored lines verbatim, one per line (a
 * stored line never holds a newline), from the period's first record to the seal. The
 * table's rows are derived in the browser from those records, so what the table shows is
 * what was hashed. Text only: where a line is stored is not part of what was sealed, and
 * leaving it out keeps the file byte-identical whichever replica wrote it.
 */
export interface ReportPayload {
  /** Per change of the period (the export's order): its line in the segment, or -1 when the segment lacks it. */
  rows: number[];
  /** Line → when a direct push backfilled late landed on the default branch (from the export's snapshot.json). */
  committedAt: Record<string, string>;
  lines: string[];
}

export function reportMain(lib: ReportLib, meta: ReportMeta, payloadBase64: string): void {
  const $ = (id: string): HTMLElement => document.getElementById(id)!;
  const view = $("view");
  const status = $("verify-status");
  let checkpointStatus = "being checked…";
  let checkpointChecked: Promise<unknown> = Promise.resolve();
  const state: { rows: ChangeView[]; records: Map<string, { record: SealedRecord; position: number; location: string; hashMatches: boolean }>; verdict: { ok: boolean; text: string; checked: number; ms: number } | null } = { rows: [], records: new Map(), verdict: null };
  let query: ChangeQuery = { page: 1, pageSize: 50 };
  let lastSample: SampleResult | null = null;

  const encoder = new TextEncoder();
  const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
  const hex = (buf: ArrayBuffer): string => {
    let out = "";
    for (const b of new Uint8Array(buf)) out += HEX[b];
    return out;
  };
  const download = (name: string, text: string): void => {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  };
  const csv = (rows: ChangeView[]): string => [lib.csvRow(meta.csvHeader), ...rows.map((r) => lib.csvRow(lib.changeCsvValues(r)))].join("");

  /** Decodes and inflates the embedded payload. */
  async function load(): Promise<ReportPayload> {
    const packed = payloadBase64.replace(/\s+/g, "");
    const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
    let bytes: Uint8Array;
    if (fromBase64) bytes = fromBase64(packed);
    else {
      const binary = atob(packed);
      bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    }
    // Written whole and read chunk by chunk: several times faster than Blob.stream() → Response.text().
    const inflate = new DecompressionStream("gzip");
    const writer = inflate.writable.getWriter();
    void writer.write(bytes as BufferSource).then(() => writer.close());
    const reader = inflate.readable.getReader();
    const decoder = new TextDecoder();
    const parts: string[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(decoder.decode(value as Uint8Array, { stream: true }));
    }
    parts.push(decoder.decode());
    const text = parts.join("");
    const split = text.indexOf("\n");
    const head = JSON.parse(split < 0 ? text : text.slice(0, split)) as Omit<ReportPayload, "lines">;
    return { ...head, lines: split < 0 ? [] : text.slice(split + 1).split("\n") };
  }

  /** Parses every line and derives the table's rows from the records (the export's changeRow). */
  function index(payload: ReportPayload): { parsed: Array<SealedRecord | null>; rows: ChangeView[]; missing: number } {
    const parsed = payload.lines.map((text) => {
      try {
        return JSON.parse(text) as SealedRecord;
      } catch {
        return null;
      }
    });
    const rows: ChangeView[] = [];
    let missing = 0;
    for (const i of payload.rows) {
      const record = parsed[i];
      if (!record) {
        missing++;
        continue;
      }
      const row = lib.changeRow(record, payload.committedAt[String(i)]);
      rows.push({ ...row, coversMergedHead: record.flags.coversMergedHead, failedControls: record.controls.filter((c) => c.status === "fail").map((c) => c.id) });
    }
    return { parsed, rows, missing };
  }

  /**
   * A stored line is the record's canonical JSON with its "hash" member, so the bytes the
   * app hashed are the line without that member. Their SHA-256 is started (WebCrypto, off
   * the main thread) as soon as the lines are inflated, before anything is parsed; `verify`
   * compares it with the parsed record's hash. A line where that does not match — the
   * member is not unique, or the line was re-serialised by a tool — is re-serialised
   * canonically before it is called edited.
   */
  // WebCrypto copies its input when called, so one scratch buffer serves every line.
  let scratch = new Uint8Array(1 << 16);
  function startDigest(text: string): { member: string; digest: Promise<string> } | null {
    const at = text.indexOf('"hash":"');
    if (at < 0 || text.charCodeAt(at + 72) !== 34 || text.charCodeAt(at + 73) !== 44) return null;
    const member = text.slice(at, at + 74);
    if (scratch.length < text.length * 3) scratch = new Uint8Array(text.length * 3);
    const head = encoder.encodeInto(text.slice(0, at), scratch).written;
    const tail = encoder.encodeInto(text.slice(at + 74), scratch.subarray(head)).written;
    return { member, digest: crypto.subtle.digest("SHA-256", scratch.subarray(0, head + tail)).then(hex) };
  }

  async function recordHashMatches(text: string, record: SealedRecord, started: { member: string; digest: Promise<string> } | null): Promise<boolean> {
    const member = `"hash":"${record.hash}",`;
    if (started && started.member === member && text.indexOf(member, text.indexOf(member) + 1) < 0 && (await started.digest) === record.hash) return true;
    const { hash: _hash, ...rest } = record;
    return hex(await crypto.subtle.digest("SHA-256", encoder.encode(lib.canonicalJson(rest)))) === record.hash;
  }

  /**
   * The period's checkpoint under the key embedded beside it (Ed25519 over DSSE's PAE, with
   * WebCrypto): says whether it verifies and the key's fingerprint, for the auditor to
   * compare with the one they pinned — the file cannot know which key that is.
   */
  async function checkCheckpoint(): Promise<string> {
    const s = meta.sampling;
    if (!s) return "none: this export was not signed";
    if (!s.publicKey) return "its signature cannot be checked here: the export did not embed the key";
    const bytes = (b64: string): Uint8Array => Uint8Array.from(atob(b64.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    try {
      const envelope = JSON.parse(s.envelope) as { payload: string; payloadType: string; signatures: Array<{ sig: string }> };
      const body = bytes(envelope.payload);
      const type = encoder.encode(envelope.payloadType);
      const head = encoder.encode(`DSSEv1 ${type.length} `);
      const mid = encoder.encode(` ${body.length} `);
      const pae = new Uint8Array(head.length + type.length + mid.length + body.length);
      pae.set(head);
      pae.set(type, head.length);
      pae.set(mid, head.length + type.length);
      pae.set(body, head.length + type.length + mid.length);
      const spki = bytes(s.publicKey);
      const fingerprint = `SHA256:${hex(await crypto.subtle.digest("SHA-256", spki as BufferSource)).match(/.{1,4}/g)!.join(":")}`;
      const key = await crypto.subtle.importKey("spki", spki as BufferSource, { name: "Ed25519" }, false, ["verify"]);
      let ok = false;
      for (const signature of envelope.signatures) ok ||= await crypto.subtle.verify({ name: "Ed25519" }, key, bytes(signature.sig) as BufferSource, pae as BufferSource);
      // The seed is derived here again (samplingSeed), so an edited seed beside a genuine checkpoint is not used.
      const seedInput = encoder.encode(`soc2-guard sampling seed\0${envelope.payload}\0${envelope.signatures.map((x) => x.sig).join("")}`);
      const derived = hex(await crypto.subtle.digest("SHA-256", seedInput as BufferSource));
      if (derived !== s.seed) {
        s.seed = derived;
        return `the seed written in this file is not the checkpoint's: the checkpoint's own (${derived.slice(0, 16)}…) is used; ${ok ? "its signature verifies" : "its signature does NOT verify"}`;
      }
      return ok ? `signature verified in this browser under the key ${fingerprint} — compare it with the fingerprint you pinned` : `its signature does NOT verify under the embedded key ${fingerprint}`;
    } catch (error) {
      return `its signature could not be checked in this browser (${String(error)}); soc2-guard verify --key checks it`;
    }
  }

  /** Recomputes every hash and follows every link, in slices, after the first paint. */
  async function verify(payload: ReportPayload, digests: Array<{ member: string; digest: Promise<string> } | null>, parsed: Array<SealedRecord | null>, missing: number): Promise<void> {
    const started = performance.now();
    let problem: string | null = null;
    let prev = meta.segmentStartsAfter;
    const SLICE = 2500;
    for (let from = 0; from < parsed.length; from += SLICE) {
      const to = Math.min(from + SLICE, parsed.length);
      const matches = await Promise.all(parsed.slice(from, to).map((record, k) => (record ? recordHashMatches(payload.lines[from + k]!, record, digests[from + k]!) : false)));
      for (let i = from; i < to; i++) {
        const location = `line ${i + 1} of the embedded segment`;
        const record = parsed[i];
        if (!record) {
          problem ??= `${location} is not valid JSON`;
          continue;
        }
        const hashMatches = matches[i - from]!;
        state.records.set(record.hash, { record, position: i + 1, location, hashMatches });
        if (!hashMatches) problem ??= `${location} (${record.id}): its content does not match its hash — the record was changed after it was sealed`;
        else if (record.prev !== prev) problem ??= `${location} (${record.id}): it does not link to the record before it`;
        prev = record.hash;
      }
      status.textContent = `Verifying the records in this browser… ${to} of ${parsed.length}`;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    if (!problem && meta.seal && prev !== meta.seal.hash) problem = `the last record's hash ${prev.slice(0, 12)}… is not the seal ${meta.seal.hash.slice(0, 12)}…`;
    if (!problem && missing > 0) problem = `${missing} change(s) of the period have no readable record in the file`;
    const ms = Math.round(performance.now() - started);
    const checked = parsed.length;
    state.verdict = problem
      ? { ok: false, text: `Verification FAILED: ${problem}.`, checked, ms }
      : { ok: true, text: `Verified in this browser: ${checked} record hashes recomputed (SHA-256, WebCrypto) and linked; the last one is the period's seal ${meta.seal ? meta.seal.hash.slice(0, 16) : "(none)"}…. The table is derived from these records.`, checked, ms };
    status.className = `banner ${state.verdict.ok ? "ok" : "bad"}`;
    status.textContent = state.verdict.text;
    document.documentElement.dataset.verified = state.verdict.ok ? "ok" : "failed";
    performance.mark("soc2-guard:verified");
  }

  const option = (value: string, label: string, selected: string | undefined): string => `<option value="${lib.esc(value)}"${selected === value ? " selected" : ""}>${lib.esc(label)}</option>`;

  function renderChanges(): void {
    const result = lib.queryChanges(state.rows, query);
    const q = query;
    view.innerHTML = `<h1>Changes, ${lib.esc(meta.period)}</h1>
<form class="filters" id="filters">
<label>Search<input name="text" type="search" value="${lib.esc(q.text ?? "")}"></label>
<label>Repository<select name="repository">${option("", "all", q.repository)}${meta.repositories.map((r) => option(r, r, q.repository)).join("")}</select></label>
<label>Kind<select name="kind">${option("", "all", q.kind)}${option("pull-request", "pull request", q.kind)}${option("direct-push", "direct push", q.kind)}</select></label>
<label>Exception<select name="exception">${option("", "all", q.exception)}${option("any", "any exception", q.exception)}${option("none", "none", q.exception)}${option("emergency-change", "emergency change", q.exception)}${option("unapproved-merge", "unapproved merge", q.exception)}${option("direct-push", "direct push", q.exception)}</select></label>
<label>Failed control<select name="failedControl">${option("", "all", q.failedControl)}${option("any", "any", q.failedControl)}${meta.controls.map((c) => option(c, c, q.failedControl)).join("")}</select></label>
<label>Collected late<select name="collectedLate">${option("", "all", q.collectedLate)}${option("yes", "yes", q.collectedLate)}${option("no", "no", q.collectedLate)}</select></label>
<label>Author<input name="author" value="${lib.esc(q.author ?? "")}"></label>
<label>Approver<input name="approver" value="${lib.esc(q.approver ?? "")}"></label>
<label>From<input name="from" type="date" value="${lib.esc(q.from ?? "")}"></label>
<label>To<input name="to" type="date" value="${lib.esc(q.to ?? "")}"></label>
<label>Sort<select name="sort">${option("mergedAt", "landed", q.sort)}${option("repository", "repository", q.sort)}${option("author", "author", q.sort)}${option("title", "title", q.sort)}</select></label>
<label>Order<select name="dir">${option("asc", "ascending", q.dir)}${option("desc", "descending", q.dir)}</select></label>
<div class="actions"><button type="submit">Apply</button><button type="button" class="secondary" id="csv">Download CSV (${result.total})</button></div>
</form>
<p class="muted" id="count">${result.total} matching change(s); page ${result.page} of ${result.pages}.</p>
${lib.renderChangeTable(result.rows, "#change/", `Changes ${(result.page - 1) * (q.pageSize ?? 50) + (result.rows.length ? 1 : 0)}–${(result.page - 1) * (q.pageSize ?? 50) + result.rows.length} of ${result.total}`)}
<nav class="pager" aria-label="pages"><button type="button" class="secondary" id="prev"${result.page <= 1 ? " disabled" : ""}>Previous page</button><button type="button" class="secondary" id="next"${result.page >= result.pages ? " disabled" : ""}>Next page</button></nav>`;
    const form = $("filters") as HTMLFormElement;
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const data = new FormData(form);
      const next: Record<string, unknown> = { page: 1, pageSize: 50 };
      for (const [k, v] of data) if (String(v)) next[k] = String(v);
      query = next as ChangeQuery;
      renderChanges();
    });
    $("csv").addEventListener("click", () => download(`changes-${meta.period}-filtered.csv`, csv(lib.queryChanges(state.rows, { ...query, page: 1, pageSize: 1e9 }).rows)));
    $("prev").addEventListener("click", () => ((query = { ...query, page: (query.page ?? 1) - 1 }), renderChanges()));
    $("next").addEventListener("click", () => ((query = { ...query, page: (query.page ?? 1) + 1 }), renderChanges()));
  }

  function renderChange(hash: string): void {
    const found = state.records.get(hash);
    if (!found && !state.verdict) {
      view.innerHTML = `<h1>Checking this change's record…</h1><p>It opens as soon as its hash has been recomputed.</p>`;
      return;
    }
    if (!found) {
      view.innerHTML = `<h1>No such change</h1><p>This file holds no record with hash <code>${lib.esc(hash)}</code>.</p>`;
      return;
    }
    view.innerHTML = lib.renderChangeDetail(
      {
        record: found.record,
        position: found.position,
        chainLength: state.records.size,
        location: found.location,
        hashMatches: found.hashMatches,
        checkpoint: meta.seal ? `sealed by the period's seal ${meta.seal.hash.slice(0, 16)}…; the signed checkpoint is checked by soc2-guard verify --key` : "none",
        attestation: "not in this file: soc2-guard verify-attestation checks it",
        reviewStatus: meta.reviewStatuses[hash] ?? null,
      },
      { commitBase: meta.commitBase },
    );
  }

  function renderSample(): void {
    const sampling = meta.sampling;
    if (!sampling) {
      view.innerHTML = `<h1>Draw a sample, ${lib.esc(meta.period)}</h1><p class="banner warn">This export was not signed, so the period has no signed checkpoint to derive a seed from. Draw the sample with <code>soc2-guard sample --period ${lib.esc(meta.period)} --size N --seed HEX</code> and a seed agreed in advance.</p>`;
      return;
    }
    const cp = sampling.checkpoint;
    view.innerHTML = `<h1>Draw a sample, ${lib.esc(meta.period)}</h1>
<p class="lede">The seed comes from the period's signed checkpoint — signed by the app when it exported the period, so nobody knew it before and the company could not choose it — and anyone can draw the same sample again: here, in the portal, or with <code>soc2-guard sample --period ${lib.esc(meta.period)} --size N</code>.</p>
<dl class="facts"><dt>Seed</dt><dd><code class="hash">${lib.esc(sampling.seed)}</code></dd>
<dt>From the checkpoint</dt><dd>${cp.count} records, chain head <code class="hash">${lib.esc(cp.head)}</code>, signed ${lib.esc(cp.time)} by key <code class="hash">${lib.esc(cp.keyId)}</code> — compare it with the checkpoint in the period's export issue</dd>
<dt>Its signature</dt><dd id="checkpoint-status">${lib.esc(checkpointStatus)}</dd></dl>
<details><summary>The checkpoint's DSSE envelope</summary><pre class="envelope">${lib.esc(sampling.envelope)}</pre></details>
<form class="filters" id="sample-form">
<label>Sample size<input name="size" type="number" min="1" inputmode="numeric"></label>
<label>Risk of over-reliance<input name="risk" type="number" step="0.01" min="0.01" max="0.5" value="0.05"></label>
<label>Tolerable deviation rate<input name="rate" type="number" step="0.01" min="0.01" max="0.5" value="0.10"></label>
<label class="check"><input name="stratify" type="checkbox"> Stratify by repository</label>
<div class="actions"><button type="submit">Draw</button></div>
</form><p class="muted">Without a size: n = ⌈ln(risk) / ln(1 − rate)⌉ for zero expected deviations (5 % and 10 % give 29).</p><div id="sample-out"></div>`;
    const form = $("sample-form") as HTMLFormElement;
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      // The seed is the one derived from the checkpoint, once it has been checked.
      await checkpointChecked;
      const data = new FormData(form);
      const size = Number(data.get("size")) || lib.sampleSizeFor(Number(data.get("risk")), Number(data.get("rate")));
      const stratify = data.get("stratify") === "on";
      lastSample = lib.drawSample(state.rows, { size, seed: sampling.seed, stratify });
      $("sample-out").innerHTML = `${lib.renderSampleResult(lastSample, stratify ? meta.stratifiedMethod : meta.method, "#change/")}<div class="actions"><button type="button" class="secondary" id="sample-csv">Download the sample as CSV</button></div>`;
      $("sample-csv").addEventListener("click", () => lastSample && download(`sample-${meta.period}.csv`, csv(lastSample.rows)));
    });
  }

  function renderVerification(): void {
    const v = state.verdict;
    view.innerHTML = `<h1>Verification, ${lib.esc(meta.period)}</h1>
<div class="banner ${v ? (v.ok ? "ok" : "bad") : "warn"}">${lib.esc(v ? v.text : "Verifying…")}</div>
<dl class="facts"><dt>Seal (hash of the period's last record)</dt><dd><code class="hash">${lib.esc(meta.seal?.hash ?? "none")}</code></dd>
<dt>Sealing record</dt><dd><code>${lib.esc(meta.seal?.recordId ?? "—")}</code></dd>
<dt>The segment joins the chain after</dt><dd><code class="hash">${lib.esc(meta.segmentStartsAfter)}</code></dd>
<dt>Records checked</dt><dd>${v ? `${v.checked} in ${v.ms} ms` : "—"}</dd>
<dt>The period's signed checkpoint</dt><dd>${meta.sampling ? `${meta.sampling.checkpoint.count} records, chain head <code class="hash">${lib.esc(meta.sampling.checkpoint.head)}</code>, signed ${lib.esc(meta.sampling.checkpoint.time)}; ${lib.esc(checkpointStatus)}` : "none: this export was not signed"}</dd></dl>
<p>This file does not know which key you pinned: compare the fingerprint. Compare the seal and the checkpoint with the export issue and <code>summary.json</code>, then run <code>soc2-guard verify --key soc2-guard-signing.pub --export ${lib.esc(meta.period)}</code> on the archive: it checks the signed checkpoints, the attestations and every file of the export.</p>`;
  }

  function route(): void {
    const hash = decodeURIComponent(location.hash.slice(1));
    for (const a of document.querySelectorAll("header.top nav a")) a.removeAttribute("aria-current");
    const current = (name: string): void => document.querySelector(`header.top nav a[href="#${name}"]`)?.setAttribute("aria-current", "page");
    const overview = $("overview");
    overview.hidden = !(hash === "" || hash === "overview");
    if (!overview.hidden) {
      view.innerHTML = "";
      current("overview");
    } else if (hash === "changes") (renderChanges(), current("changes"));
    else if (hash.startsWith("change/")) renderChange(hash.slice("change/".length));
    else if (hash === "sample") (renderSample(), current("sample"));
    else if (hash === "verify") (renderVerification(), current("verify"));
    const h1 = (overview.hidden ? view : overview).querySelector("h1");
    if (h1 && hash) (h1.setAttribute("tabindex", "-1"), h1.focus());
  }

  window.addEventListener("hashchange", route);
  load().then(
    async (payload) => {
      const digests = payload.lines.map(startDigest);
      checkpointChecked = checkCheckpoint().then((text) => {
        checkpointStatus = text;
        const shown = document.getElementById("checkpoint-status");
        if (shown) shown.textContent = text;
        if (location.hash === "#verify") route();
      });
      const { parsed, rows, missing } = index(payload);
      state.rows = rows;
      route();
      performance.mark("soc2-guard:table");
      // Let the page paint before the records are checked.
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      await verify(payload, digests, parsed, missing);
      // Pages that show the verdict, or waited for their record, are drawn again.
      if (location.hash === "#verify" || location.hash.startsWith("#change/")) route();
    },
    (error: unknown) => {
      status.className = "banner bad";
      status.textContent = `This file's records could not be read: ${String(error)}`;
      document.documentElement.dataset.verified = "failed";
    },
  );
  route();
}
