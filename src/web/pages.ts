// The portal's pages: the shared renderer inside a page shell. No scripts at all (the CSP
// says script-src 'none'): filters, paging and sampling are forms posted with a CSRF
// token, so nothing an auditor types ends up in a URL.

import { esc, renderChangeDetail, renderChangeTable, renderChart, renderFigures, renderRepositoryTable, renderSampleResult, pct } from "./view/shared.js";
import type { ChangeQuery, ChangeView, ChartMonth, PeriodFigures, RecordView, RepositoryFigures, SampleResult } from "./view/types.js";
import type { ExportStatus } from "./ports.js";

export interface Shell {
  base: string;
  title: string;
  login: string | null;
  csrf: string | null;
  org?: string;
  period?: string;
  current?: "periods" | "period" | "changes" | "sample" | "verify";
}

export function page(shell: Shell, body: string): string {
  const link = (href: string, label: string, key: Shell["current"]): string => `<li><a href="${esc(href)}"${shell.current === key ? ' aria-current="page"' : ""}>${esc(label)}</a></li>`;
  const p = shell.org ? `${shell.base}/${encodeURIComponent(shell.org)}` : "";
  const nav = shell.org
    ? `<nav aria-label="portal"><ul>${link(`${p}/`, "Periods", "periods")}${shell.period ? `${link(`${p}/${shell.period}/`, shell.period, "period")}${link(`${p}/${shell.period}/changes`, "Changes", "changes")}${link(`${p}/${shell.period}/sample`, "Sample", "sample")}${link(`${p}/${shell.period}/verify`, "Verification", "verify")}` : ""}</ul></nav>`
    : "";
  const who = shell.login
    ? `<span class="who">signed in as <strong>${esc(shell.login)}</strong><form method="post" action="${esc(shell.base)}/logout"><input type="hidden" name="csrf" value="${esc(shell.csrf ?? "")}"><button class="secondary" type="submit">Sign out</button></form></span>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(shell.title)} · soc2-guard</title>
<link rel="stylesheet" href="${esc(shell.base)}/assets/portal.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="${esc(shell.base)}/">soc2-guard${shell.org ? ` · ${esc(shell.org)}` : ""}</a>${nav}${who}</header>
<main id="main">
${body}
</main>
</body>
</html>
`;
}

export function signInPage(base: string, configured: boolean): string {
  return page(
    { base, title: "Sign in", login: null, csrf: null },
    `<div class="card"><h1>The auditor's view</h1>
<p>Every change that landed, its approvals, checks and exceptions, as soc2-guard recorded them — with the hash chain verified as you look.</p>
${configured ? `<p><a class="button" href="${esc(base)}/login">Sign in with GitHub</a></p><p class="muted">You see an organization's evidence if you can read its archive repository or belong to its auditors team.</p>` : `<p class="banner warn">Sign-in is not configured: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (the app's OAuth credentials).</p>`}</div>`,
  );
}

export function notFoundPage(base: string, login: string | null, csrf: string | null): string {
  return page({ base, title: "Not found", login, csrf }, `<h1>Not found</h1><p>There is nothing here, or nothing you can see. <a href="${esc(base)}/">Back to the start</a>.</p>`);
}

export function organizationsPage(shell: Shell, orgs: string[]): string {
  return page(
    { ...shell, title: "Organizations" },
    `<h1>Organizations</h1>${orgs.length === 0 ? "<p>You cannot see any organization's evidence. Ask for read access to its archive repository or a seat on its auditors team.</p>" : `<ul class="plain">${orgs.map((o) => `<li><a href="${esc(shell.base)}/${encodeURIComponent(o)}/">${esc(o)}</a></li>`).join("")}</ul>`}`,
  );
}

export interface PeriodListItem {
  figures: PeriodFigures;
  exported: ExportStatus;
  /** the export's seal equals the seal recomputed from the archive now */
  exportVerifies: boolean | null;
}

export function periodsPage(shell: Shell, items: PeriodListItem[], intact: boolean, unplaced: Array<{ hash: string; id: string; collectedAt: string }> = []): string {
  const p = `${shell.base}/${encodeURIComponent(shell.org!)}`;
  const rows = items
    .map(({ figures: f, exported, exportVerifies }) => `<tr><th scope="row"><a href="${esc(`${p}/${f.label}/`)}">${esc(f.label)}</a></th><td class="num">${f.changes}</td><td class="num">${pct(f.approvedCoveringHead, f.changes)}</td><td class="num">${pct(f.ciPassed, f.changes)}</td><td class="num">${f.exceptions}</td><td class="num">${f.collectedLate}</td><td>${exported.exists ? (exportVerifies ? '<span class="pill ok">exported · seal matches</span>' : '<span class="pill bad">exported · seal differs</span>') : '<span class="pill muted">not exported</span>'}</td></tr>`)
    .join("");
  return page(
    { ...shell, title: "Periods", current: "periods" },
    `<h1>Evidence periods, ${esc(shell.org!)}</h1>
${unplaced.length ? `<div class="banner warn"><p>${unplaced.length} direct push(es) collected late are in no period yet: the export places such a push in the month its commit landed, and no export has found it. They are not in the figures below.</p><ul class="plain">${unplaced.map((u) => `<li><a href="${esc(`${p}/change/${u.hash}`)}"><code>${esc(u.id)}</code></a>, collected ${esc(u.collectedAt)}</li>`).join("")}</ul></div>` : ""}
${intact ? "" : `<p class="banner bad">The archive's hash chain does not verify. <a href="${esc(`${p}/${items[0]?.figures.label ?? ""}/verify`)}">See where it breaks</a>.</p>`}
${items.length === 0 ? "<p>No evidence has been recorded yet.</p>" : `<div class="table-wrap" tabindex="0" role="region" aria-label="table, scrolls sideways"><table><caption>Months with records (UTC), newest first</caption><thead><tr><th scope="col">Period</th><th scope="col" class="num">Changes</th><th scope="col" class="num">Approved (covering head)</th><th scope="col" class="num">CI passed</th><th scope="col" class="num">Exceptions</th><th scope="col" class="num">Collected late</th><th scope="col">Export</th></tr></thead><tbody>${rows}</tbody></table></div>`}`,
  );
}

export function periodPage(shell: Shell, input: { figures: PeriodFigures; chart: ChartMonth[]; repositories: RepositoryFigures[]; exported: ExportStatus; seal: string | null }): string {
  const p = `${shell.base}/${encodeURIComponent(shell.org!)}/${shell.period}`;
  return page(
    { ...shell, title: shell.period!, current: "period" },
    `<h1>${esc(shell.period!)} at a glance</h1>
<p class="lede">Changes that landed in ${esc(shell.org!)}'s repositories in ${esc(shell.period!)} (UTC). <a href="${esc(`${p}/changes`)}">All ${input.figures.changes} changes</a> · <a href="${esc(`${p}/sample`)}">Draw a sample</a> · <a href="${esc(`${p}/verify`)}">Verify</a>${input.exported.reportPath ? ` · the offline report is <code>${esc(input.exported.reportPath)}</code> in the archive` : ""}.</p>
${renderFigures(input.figures)}
<h2>The last 12 months</h2>
${renderChart(input.chart)}
<h2>Per repository</h2>
${renderRepositoryTable(input.repositories)}
<p class="muted">Seal (hash of the period's last record): <code class="hash">${esc(input.seal ?? "none")}</code></p>`,
  );
}

const option = (value: string, label: string, selected: string | undefined): string => `<option value="${esc(value)}"${(selected ?? "") === value ? " selected" : ""}>${esc(label)}</option>`;

export function changesPage(shell: Shell, input: { query: ChangeQuery; result: { rows: ChangeView[]; total: number; page: number; pages: number }; repositories: string[]; controls: string[] }): string {
  const p = `${shell.base}/${encodeURIComponent(shell.org!)}/${shell.period}`;
  const q = input.query;
  const r = input.result;
  const size = q.pageSize ?? 50;
  const first = r.total === 0 ? 0 : (r.page - 1) * size + 1;
  return page(
    { ...shell, title: `Changes ${shell.period}`, current: "changes" },
    `<h1>Changes, ${esc(shell.period!)}</h1>
<form class="filters" method="post" action="${esc(`${p}/changes`)}">
<input type="hidden" name="csrf" value="${esc(shell.csrf ?? "")}">
<label>Search<input name="text" type="search" value="${esc(q.text ?? "")}"></label>
<label>Repository<select name="repository">${option("", "all", q.repository)}${input.repositories.map((x) => option(x, x, q.repository)).join("")}</select></label>
<label>Kind<select name="kind">${option("", "all", q.kind)}${option("pull-request", "pull request", q.kind)}${option("direct-push", "direct push", q.kind)}</select></label>
<label>Exception<select name="exception">${option("", "all", q.exception)}${option("any", "any exception", q.exception)}${option("none", "none", q.exception)}${option("emergency-change", "emergency change", q.exception)}${option("unapproved-merge", "unapproved merge", q.exception)}${option("direct-push", "direct push", q.exception)}</select></label>
<label>Failed control<select name="failedControl">${option("", "all", q.failedControl)}${option("any", "any", q.failedControl)}${input.controls.map((c) => option(c, c, q.failedControl)).join("")}</select></label>
<label>Collected late<select name="collectedLate">${option("", "all", q.collectedLate)}${option("yes", "yes", q.collectedLate)}${option("no", "no", q.collectedLate)}</select></label>
<label>Author<input name="author" value="${esc(q.author ?? "")}"></label>
<label>Approver<input name="approver" value="${esc(q.approver ?? "")}"></label>
<label>From<input name="from" type="date" value="${esc(q.from ?? "")}"></label>
<label>To<input name="to" type="date" value="${esc(q.to ?? "")}"></label>
<label>Sort<select name="sort">${option("mergedAt", "landed", q.sort)}${option("repository", "repository", q.sort)}${option("author", "author", q.sort)}${option("title", "title", q.sort)}</select></label>
<label>Order<select name="dir">${option("asc", "ascending", q.dir)}${option("desc", "descending", q.dir)}</select></label>
<div class="actions"><button type="submit" name="page" value="1">Apply</button><button type="submit" class="secondary" formaction="${esc(`${p}/changes.csv`)}">Download CSV (${r.total})</button></div>
<p class="muted" id="count">${r.total} matching change(s); page ${r.page} of ${r.pages}.</p>
${renderChangeTable(r.rows, `${shell.base}/${encodeURIComponent(shell.org!)}/change/`, `Changes ${first}–${first === 0 ? 0 : first + r.rows.length - 1} of ${r.total}`)}
<nav class="pager" aria-label="pages"><button type="submit" class="secondary" name="page" value="${r.page - 1}"${r.page <= 1 ? " disabled" : ""}>Previous page</button><button type="submit" class="secondary" name="page" value="${r.page + 1}"${r.page >= r.pages ? " disabled" : ""}>Next page</button></nav>
</form>`,
  );
}

export function changePage(shell: Shell, view: RecordView, commitBase: string): string {
  return page({ ...shell, title: view.record.id }, renderChangeDetail(view, { commitBase }));
}

export function samplePage(shell: Shell, input: { seed: string | null; seedFrom: string | null; population: number; form: { size: string; risk: string; rate: string; stratify: boolean }; result: SampleResult | null; method: string; error: string | null }): string {
  const p = `${shell.base}/${encodeURIComponent(shell.org!)}/${shell.period}`;
  const f = input.form;
  return page(
    { ...shell, title: `Sample ${shell.period}`, current: "sample" },
    `<h1>Draw a sample, ${esc(shell.period!)}</h1>
<p class="lede">From ${input.population} changes. ${input.seedFrom ? `The seed is derived from ${esc(input.seedFrom)}` : "The seed is derived from the period's signed checkpoint, which the app signs when it exports the period; <strong>this period has none yet</strong>"} — so the company could not choose it, and anyone can draw the same sample again: here, in the period's report.html, or with <code>soc2-guard sample --period ${esc(shell.period!)} --size N</code>.</p>
<form class="filters" method="post" action="${esc(`${p}/sample`)}">
<input type="hidden" name="csrf" value="${esc(shell.csrf ?? "")}">
<label>Sample size<input name="size" type="number" min="1" inputmode="numeric" value="${esc(f.size)}"></label>
<label>Risk of over-reliance<input name="risk" type="number" step="0.01" min="0.01" max="0.5" value="${esc(f.risk)}"></label>
<label>Tolerable deviation rate<input name="rate" type="number" step="0.01" min="0.01" max="0.5" value="${esc(f.rate)}"></label>
<label class="check"><input name="stratify" type="checkbox"${f.stratify ? " checked" : ""}> Stratify by repository</label>
<div class="actions"><button type="submit">Draw</button>${input.result ? `<button type="submit" class="secondary" formaction="${esc(`${p}/sample.csv`)}">Download the sample as CSV</button>` : ""}</div>
</form>
<p class="muted">Without a size: n = ⌈ln(risk) / ln(1 − rate)⌉ for zero expected deviations (5 % and 10 % give 29). Seed: <code class="hash">${esc(input.seed ?? "none yet")}</code></p>
${input.error ? `<p class="banner bad" role="alert">${esc(input.error)}</p>` : ""}
${input.result ? renderSampleResult(input.result, input.method, `${shell.base}/${encodeURIComponent(shell.org!)}/change/`) : ""}`,
  );
}

export interface VerificationView {
  ok: boolean;
  text: string;
  count: number;
  head: string | null;
  seal: string | null;
  sealRecord: string | null;
  exportSeal: string | null;
  keyFingerprint: string | null;
  /** Every signed checkpoint found, as verified now; null without a signing key. */
  checkpoints: Array<{ location: string; status: string; detail: string; count: number | null; key: string | null }> | null;
  /** Records vouched for by the latest checkpoint that agrees. */
  covered: number | null;
  attestations: { checked: number; signedRecords: number } | null;
  ms: number;
}

export function verificationPage(shell: Shell, v: VerificationView): string {
  return page(
    { ...shell, title: `Verify ${shell.period}`, current: "verify" },
    `<h1>Verification, ${esc(shell.period!)}</h1>
<p class="banner ${v.ok ? "ok" : "bad"}" role="status">${esc(v.text)}</p>
<dl class="facts">
<dt>Checked</dt><dd>now, from the archive as stored: ${v.count} records in ${v.ms} ms (not a cached result)</dd>
<dt>Chain head</dt><dd><code class="hash">${esc(v.head ?? "—")}</code></dd>
<dt>Period seal (hash of its last record)</dt><dd><code class="hash">${esc(v.seal ?? "none")}</code>${v.sealRecord ? ` — <code>${esc(v.sealRecord)}</code>` : ""}</dd>
<dt>Seal in the export</dt><dd>${v.exportSeal === null ? "no export yet" : v.exportSeal === v.seal ? `<code class="hash">${esc(v.exportSeal)}</code> <span class="pill ok">matches</span>` : `<code class="hash">${esc(v.exportSeal)}</code> <span class="pill bad">differs</span>`}</dd>
<dt>The app's signing key</dt><dd>${v.keyFingerprint ? `<code class="hash">${esc(v.keyFingerprint)}</code> — compare it with the fingerprint you pinned; the checkpoints and attestations below were verified under this key` : "no signing key is configured: checkpoints and attestations are not checked here"}</dd>
<dt>Signed checkpoints</dt><dd>${v.checkpoints === null ? "not checked (no signing key)" : v.checkpoints.length === 0 ? "none found" : `${v.checkpoints.filter((c) => c.status === "ok").length} of ${v.checkpoints.length} verify and agree with the chain; the latest covers ${v.covered} of ${v.count} records`}</dd>
<dt>Record attestations</dt><dd>${v.attestations === null ? "not checked (no signing key)" : `${v.attestations.checked} signatures verified, covering ${v.attestations.signedRecords} records`}</dd>
</dl>
${v.checkpoints && v.checkpoints.length > 0 ? `<div class="table-wrap" tabindex="0" role="region" aria-label="checkpoints, scrolls sideways"><table><caption>Signed checkpoints, verified now</caption><thead><tr><th scope="col">Where</th><th scope="col" class="num">Records</th><th scope="col">Key</th><th scope="col">Result</th></tr></thead><tbody>${v.checkpoints.map((c) => `<tr><td>${esc(c.location)}</td><td class="num">${c.count ?? "—"}</td><td><code>${esc(c.key ?? "—")}</code></td><td><span class="pill ${c.status === "ok" ? "ok" : "bad"}">${esc(c.status)}</span> ${esc(c.detail)}</td></tr>`).join("")}</tbody></table></div>` : ""}
<p>Check it yourself: <code>soc2-guard verify --repo ${esc(shell.org!)}/compliance-evidence --key soc2-guard-signing.pub</code> (or <code>--archive DIR</code>).</p>`,
  );
}
