// The renderer the portal and report.html share. The portal calls these functions on the
// server; report.html carries their source text (Function#toString, see ./embed.ts) and
// calls the very same functions in the browser. So each one is self-contained: it uses
// only its arguments, the other functions listed in SHARED_FUNCTIONS and JavaScript's
// built-ins — no imports, no module-level values (type imports are erased).

import type { ChangeQuery, ChangeView, ChartMonth, PeriodFigures, RecordView, RepositoryFigures, SampleRequest, SampleResult } from "./types.js";

/** Escapes text for HTML element content and double-quoted attributes. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

/** A percentage with one decimal, "—" when there is nothing to divide. */
export function pct(part: number, whole: number): string {
  return whole === 0 ? "—" : `${(Math.round((part / whole) * 1000) / 10).toFixed(1)} %`;
}

/** Filters, sorts and pages the change rows: the server does it per request, the report in the browser. */
export function queryChanges(rows: ChangeView[], query: ChangeQuery): { rows: ChangeView[]; total: number; page: number; pages: number } {
  const text = (query.text ?? "").trim().toLowerCase();
  const words = text ? text.split(/\s+/) : [];
  const from = query.from ?? "";
  const to = query.to ?? "";
  const yes = (flag: string | undefined, value: boolean): boolean => !flag || (flag === "yes" ? value : !value);
  const matched = rows.filter((r) => {
    if (query.repository && r.repository !== query.repository) return false;
    if (query.kind && r.kind !== query.kind) return false;
    if (query.exception && (query.exception === "any" ? r.exception === null : query.exception === "none" ? r.exception !== null : r.exception !== query.exception)) return false;
    if (query.failedControl && !(query.failedControl === "any" ? r.failedControls.length > 0 : r.failedControls.includes(query.failedControl))) return false;
    if (!yes(query.collectedLate, r.collectedLate)) return false;
    if (query.author && r.author.toLowerCase() !== query.author.toLowerCase()) return false;
    if (query.approver && !r.approvers.some((a) => a.toLowerCase() === query.approver!.toLowerCase())) return false;
    if (from && r.mergedAt.slice(0, 10) < from) return false;
    if (to && r.mergedAt.slice(0, 10) > to) return false;
    if (words.length > 0) {
      const hay = [r.repository, r.change, r.title, r.author, r.mergedBy, r.approvers.join(" "), r.tickets.join(" "), r.recordId, r.recordHash, r.exception ?? "", r.failedControls.join(" ")].join(" ").toLowerCase();
      if (!words.every((w) => hay.includes(w))) return false;
    }
    return true;
  });
  const keys: Record<string, (r: ChangeView) => string | number> = {
    mergedAt: (r) => r.mergedAt,
    repository: (r) => r.repository,
    author: (r) => r.author.toLowerCase(),
    title: (r) => r.title.toLowerCase(),
    change: (r) => r.change,
  };
  const key = keys[query.sort ?? "mergedAt"] ?? keys.mergedAt!;
  const dir = query.dir === "desc" ? -1 : 1;
  matched.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return (x < y ? -1 : x > y ? 1 : 0) * dir || (a.recordHash < b.recordHash ? -1 : a.recordHash > b.recordHash ? 1 : 0);
  });
  const size = Math.max(1, Math.min(500, query.pageSize ?? 50));
  const pages = Math.max(1, Math.ceil(matched.length / size));
  const page = Math.min(Math.max(1, query.page ?? 1), pages);
  return { rows: matched.slice((page - 1) * size, page * size), total: matched.length, page, pages };
}

/** Table rows of changes; `changeHref` + record hash opens one change. */
export function renderChangeRows(rows: ChangeView[], changeHref: string): string {
  const yesNo = (v: boolean, good = true): string => `<span class="pill ${v === good ? "ok" : "bad"}">${v ? "yes" : "no"}</span>`;
  return rows
    .map(
      (r) => `<tr>
<td class="when"><time datetime="${esc(r.mergedAt)}">${esc(r.mergedAt.slice(0, 16).replace("T", " "))}</time></td>
<td>${esc(r.repository)}</td>
<td><a href="${esc(changeHref + r.recordHash)}">${esc(r.change)}</a></td>
<td class="title">${esc(r.title)}</td>
<td>${esc(r.author)}</td>
<td>${r.approvers.length ? esc(r.approvers.join(", ")) : '<span class="muted">none</span>'}</td>
<td>${yesNo(r.independentApproval)}</td>
<td>${yesNo(r.ciPassed)}</td>
<td>${r.exception ? `<span class="pill warn">${esc(r.exception)}</span>` : ""}${r.collectedLate ? ' <span class="pill late">late</span>' : ""}${r.failedControls.length ? ` <span class="muted">${esc(r.failedControls.join(", "))} failed</span>` : ""}</td>
</tr>`,
    )
    .join("\n");
}

/** The change table with its header; the body is `renderChangeRows`. */
export function renderChangeTable(rows: ChangeView[], changeHref: string, caption: string): string {
  return `<div class="table-wrap" tabindex="0" role="region" aria-label="table, scrolls sideways"><table class="changes"><caption>${esc(caption)}</caption>
<thead><tr><th scope="col">Landed (UTC)</th><th scope="col">Repository</th><th scope="col">Change</th><th scope="col">Title</th><th scope="col">Author</th><th scope="col">Approved by</th><th scope="col">Independent approval</th><th scope="col">CI passed</th><th scope="col">Exception</th></tr></thead>
<tbody>${renderChangeRows(rows, changeHref)}</tbody></table></div>`;
}

/** The headline figures of a period. */
export function renderFigures(f: PeriodFigures): string {
  const tile = (label: string, value: string, note: string, tone: string): string => `<div class="tile ${tone}"><div class="tile-value">${esc(value)}</div><div class="tile-label">${esc(label)}</div><div class="tile-note">${esc(note)}</div></div>`;
  return `<div class="tiles">
${tile("changes", String(f.changes), `${f.pullRequests} pull requests, ${f.directPushes} direct pushes`, "")}
${tile("independent approval covering the merged head", pct(f.approvedCoveringHead, f.changes), `${f.approvedCoveringHead} of ${f.changes}`, f.approvedCoveringHead === f.changes ? "good" : "attn")}
${tile("CI passed", pct(f.ciPassed, f.changes), `${f.ciPassed} of ${f.changes}`, f.ciPassed === f.changes ? "good" : "attn")}
${tile("exceptions", String(f.exceptions), `${f.exceptionsOpen} open · ${f.exceptionsClosedInTime} closed in time · ${f.exceptionsLate} late`, f.exceptionsOpen + f.exceptionsLate > 0 ? "attn" : "")}
${tile("collected late", String(f.collectedLate), "recorded by reconciliation, not at merge", f.collectedLate > 0 ? "attn" : "")}
</div>`;
}

/** The last months as an inline SVG chart: bars for changes, lines for % approved and % CI passed. */
export function renderChart(months: ChartMonth[]): string {
  const w = 720;
  const h = 220;
  const left = 40;
  const right = 44;
  const top = 16;
  const bottom = 34;
  const plotW = w - left - right;
  const plotH = h - top - bottom;
  const max = Math.max(1, ...months.map((m) => m.changes));
  const step = plotW / Math.max(1, months.length);
  const x = (i: number): number => left + step * i + step / 2;
  const yCount = (n: number): number => top + plotH - (n / max) * plotH;
  const yPct = (p: number): number => top + plotH - (p / 100) * plotH;
  const share = (part: number, whole: number): number => (whole === 0 ? 0 : (part / whole) * 100);
  const bars = months
    .map((m, i) => `<rect class="bar" x="${(x(i) - step * 0.32).toFixed(1)}" y="${yCount(m.changes).toFixed(1)}" width="${(step * 0.64).toFixed(1)}" height="${(top + plotH - yCount(m.changes)).toFixed(1)}"><title>${esc(m.label)}: ${m.changes} changes</title></rect>`)
    .join("");
  const line = (cls: string, pick: (m: ChartMonth) => number | null): string => {
    const points = months.map((m, i) => (m.changes === 0 || pick(m) === null ? null : `${x(i).toFixed(1)},${yPct(share(pick(m)!, m.changes)).toFixed(1)}`)).filter((p) => p !== null);
    return points.length ? `<polyline class="${cls}" points="${points.join(" ")}"/>${points.map((p) => `<circle class="${cls}" cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="3"/>`).join("")}` : "";
  };
  const labels = months.map((m, i) => `<text class="axis" x="${x(i).toFixed(1)}" y="${h - 12}" text-anchor="middle">${esc(m.label.slice(2))}</text>`).join("");
  const grid = [0, 50, 100].map((p) => `<line class="grid" x1="${left}" x2="${w - right}" y1="${yPct(p).toFixed(1)}" y2="${yPct(p).toFixed(1)}"/><text class="axis" x="${w - right + 6}" y="${(yPct(p) + 4).toFixed(1)}">${p}%</text>`).join("");
  const described = months.map((m) => `${m.label}: ${m.changes} changes, ${m.approvedCoveringHead === null ? "approval not counted" : `${pct(m.approvedCoveringHead, m.changes)} approved`}, ${pct(m.ciPassed, m.changes)} CI passed`).join("; ");
  return `<figure class="chart"><svg viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(`Last ${months.length} months. ${described}`)}">${grid}<text class="axis" x="${left - 6}" y="${top + 4}" text-anchor="end">${max}</text>${bars}${line("l-approved", (m) => m.approvedCoveringHead)}${line("l-ci", (m) => m.ciPassed)}${labels}</svg>
<figcaption><span class="key bar"></span> changes <span class="key l-approved"></span> % independent approval covering the merged head <span class="key l-ci"></span> % CI passed</figcaption></figure>`;
}

/** One row per repository. */
export function renderRepositoryTable(repos: RepositoryFigures[]): string {
  const rows = repos
    .map((r) => `<tr><th scope="row">${esc(r.repository)}</th><td class="num">${r.changes}</td><td class="num">${pct(r.approvedCoveringHead, r.changes)}</td><td class="num">${pct(r.ciPassed, r.changes)}</td><td class="num">${r.exceptions}</td><td class="num">${r.directPushes}</td><td class="num">${r.collectedLate}</td></tr>`)
    .join("");
  return `<div class="table-wrap" tabindex="0" role="region" aria-label="table, scrolls sideways"><table><caption>Per repository</caption><thead><tr><th scope="col">Repository</th><th scope="col" class="num">Changes</th><th scope="col" class="num">Approved (covering head)</th><th scope="col" class="num">CI passed</th><th scope="col" class="num">Exceptions</th><th scope="col" class="num">Direct pushes</th><th scope="col" class="num">Collected late</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** One change, every field an auditor reads, in plain words. */
export function renderChangeDetail(v: RecordView, links: { commitBase: string }): string {
  const r = v.record;
  const pr = r.pullRequest;
  const push = r.push;
  const short = (sha: string | null | undefined): string => (sha ? sha.slice(0, 7) : "—");
  const commit = (sha: string | null | undefined): string => (sha ? `<a href="${esc(`${links.commitBase}${r.repository}/commit/${sha}`)}"><code>${esc(short(sha))}</code></a>` : "—");
  const when = (iso: string | null | undefined): string => (iso ? `<time datetime="${esc(iso)}">${esc(iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC"))}</time>` : "—");
  const status = (s: string): string => `<span class="pill ${s === "pass" ? "ok" : s === "fail" ? "bad" : "muted"}">${esc(s)}</span>`;
  const dl = (pairs: Array<[string, string]>): string => `<dl class="facts">${pairs.map(([k, val]) => `<dt>${esc(k)}</dt><dd>${val}</dd>`).join("")}</dl>`;
  const parts: string[] = [];
  const headline = pr ? `${esc(r.repository)} #${pr.number}: ${esc(pr.title)}` : `${esc(r.repository)}: direct push ${esc(short(push?.after))}`;
  parts.push(`<h1>${headline}</h1>`);
  if (pr) {
    parts.push(`<p class="lede">${esc(pr.author)} opened this pull request against <code>${esc(r.baseBranch)}</code>; ${esc(pr.mergedBy ?? "someone")} merged it ${when(pr.mergedAt)} (${esc(pr.mergeMethod)}) as ${commit(pr.mergeCommitSha)}. The head commit that was merged is ${commit(pr.headSha)}. <a href="${esc(pr.url)}">Open the pull request</a>.</p>`);
  } else if (push) {
    parts.push(`<p class="lede">${esc(push.pusher)} ${push.forced ? "force-pushed" : "pushed"} ${push.commits.length} commit(s) straight to <code>${esc(r.baseBranch)}</code>, without a pull request (${commit(push.before)} → ${commit(push.after)}).${push.justificationIssueUrl ? ` <a href="${esc(push.justificationIssueUrl)}">Justification issue</a>.` : " No justification issue is linked."}</p>`);
  }
  parts.push(`<section><h2>Approval</h2>`);
  if (r.approvals.length === 0) parts.push(`<p>No approval was recorded.</p>`);
  else
    parts.push(
      `<ul class="plain">${r.approvals
        .map((a) => `<li><strong>${esc(a.login)}</strong> approved commit ${commit(a.commitId)} ${when(a.submittedAt)} — ${a.coversMergedHead ? "this covers the merged head" : "this does <strong>not</strong> cover the merged head"}; ${a.counted ? "counted as an independent approval" : `not counted: ${esc(a.discountedBecause ?? "not independent")}`}.</li>`)
        .join("")}</ul>`,
    );
  if (r.dismissedReviews.length) parts.push(`<p>Dismissed reviews: ${r.dismissedReviews.map((d) => `${esc(d.login)} on ${commit(d.commitId)}`).join(", ")}.</p>`);
  parts.push(dl([
    ["Independent approval", r.flags.independentApproval ? "yes" : "<strong>no</strong>"],
    ["Approved before the merge", r.flags.approvedBeforeMerge ? "yes" : "<strong>no</strong>"],
    ["An approval covers the merged head", r.flags.coversMergedHead ? "yes" : "<strong>no</strong>"],
    ["Tickets", r.ticketRefs.length ? esc(r.ticketRefs.join(", ")) : "none referenced"],
  ]));
  parts.push(`</section><section><h2>Checks</h2>`);
  parts.push(
    r.checks.length === 0
      ? `<p>No checks were recorded.</p>`
      : `<p>On the head commit ${commit(pr?.headSha ?? push?.after)}: CI ${r.flags.ciPassed ? "passed" : "<strong>did not pass</strong>"}.</p><div class="table-wrap" tabindex="0" role="region" aria-label="table, scrolls sideways"><table><thead><tr><th scope="col">Check</th><th scope="col">App</th><th scope="col">Conclusion</th><th scope="col">Completed</th></tr></thead><tbody>${r.checks.map((c) => `<tr><td>${esc(c.name)}</td><td>${esc(c.app ?? "—")}</td><td>${esc(c.conclusion ?? "pending")}</td><td>${when(c.completedAt)}</td></tr>`).join("")}</tbody></table></div>`,
  );
  parts.push(`</section><section><h2>Controls</h2><div class="table-wrap" tabindex="0" role="region" aria-label="table, scrolls sideways"><table><thead><tr><th scope="col">Control</th><th scope="col">Mode</th><th scope="col">Result</th><th scope="col">Reason</th></tr></thead><tbody>${r.controls.map((c) => `<tr><td><code>${esc(c.id)}</code></td><td>${esc(c.mode)}</td><td>${status(c.status)}</td><td>${esc(c.reason || "—")}</td></tr>`).join("")}</tbody></table></div></section>`);
  if (r.exception) {
    const e = r.exception;
    parts.push(`<section><h2>Exception</h2>${dl([
      ["Type", esc(e.type)],
      ["Declared by", `${esc(e.declaredBy ?? "unknown")} ${when(e.declaredAt)}`],
      ["Reason", esc(e.reason)],
      ["Retroactive review due", when(e.reviewDueAt)],
      ["Review issue", e.reviewIssueUrl ? `<a href="${esc(e.reviewIssueUrl)}">${esc(e.reviewIssueUrl)}</a>${v.reviewStatus ? ` (${esc(v.reviewStatus)})` : ""}` : "none"],
    ])}</section>`);
  }
  const s = r.secrets;
  parts.push(`<section><h2>Secrets</h2>${
    s.findings.length + s.suppressed.length + s.notScanned.length === 0
      ? "<p>No credential was found in the added lines.</p>"
      : `<ul class="plain">${s.findings.map((f) => `<li>found <code>${esc(f.rule)}</code> at ${esc(f.path)}:${f.line}, fingerprint <code>${esc(f.fingerprint)}</code></li>`).join("")}${s.suppressed.map((f) => `<li>suppressed inline: <code>${esc(f.rule)}</code> at ${esc(f.path)}:${f.line}, fingerprint <code>${esc(f.fingerprint)}</code></li>`).join("")}${s.notScanned.map((f) => `<li>not scanned: ${esc(f.path)} (${esc(f.reason)})</li>`).join("")}</ul>`
  }</section>`);
  if (push && push.commits.length) parts.push(`<section><h2>Commits</h2><ul class="plain">${push.commits.map((c) => `<li>${commit(c.sha)} by ${esc(c.author ?? "unknown")}: ${esc(c.message)}</li>`).join("")}</ul></section>`);
  parts.push(`<section><h2>Integrity</h2>${dl([
    ["Record id", `<code>${esc(r.id)}</code>`],
    ["Record hash", `<code class="hash">${esc(r.hash)}</code>`],
    ["Previous record's hash", `<code class="hash">${esc(r.prev)}</code>`],
    ["Place in the chain", `record ${v.position} of ${v.chainLength}${v.location ? ` (${esc(v.location)})` : ""}`],
    ["Hash recomputed now", v.hashMatches ? '<span class="pill ok">matches</span>' : '<span class="pill bad">does not match: the record was changed after it was sealed</span>'],
    ["Covering checkpoint", esc(v.checkpoint)],
    ["Attestation signature", esc(v.attestation)],
    ["Collected", `${when(r.collectedAt)}${r.collectedLate ? " — <strong>late</strong>, by reconciliation" : " — at merge time"} (delivery <code>${esc(r.deliveryId)}</code>, app ${esc(r.appVersion)})`],
    ["Branch rules in force", `<code class="hash">${esc(r.branchRulesHash || "—")}</code>${r.branchRuleSources.length ? `<br>${esc(r.branchRuleSources.join("; "))}` : ""}`],
    ["Config hash", `<code class="hash">${esc(r.configHash)}</code>`],
  ])}</section>`);
  return parts.join("\n");
}

/** n = ⌈ln(risk) / ln(1 − rate)⌉: the sample size for zero expected deviations. */
export function sampleSizeFor(risk: number, rate: number): number {
  if (!(risk > 0 && risk < 1 && rate > 0 && rate < 1)) return 0;
  return Math.ceil(Math.log(risk) / Math.log(1 - rate) - 1e-9);
}

/**
 * Draws the sample: rows in record-hash order, then a partial Fisher–Yates shuffle driven
 * by sfc32 seeded with the first 128 bits of the seed; stratified → sizes allocated to
 * repositories in proportion (largest remainder, ties by name), each drawn the same way.
 */
export function drawSample(rows: ChangeView[], request: SampleRequest): SampleResult {
  const hex = request.seed.replace(/[^0-9a-f]/gi, "").padEnd(32, "0");
  const words = [0, 1, 2, 3].map((i) => parseInt(hex.slice(i * 8, i * 8 + 8), 16) >>> 0);
  let [a, b, c, d] = words as [number, number, number, number];
  const next = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const byHash = (x: ChangeView, y: ChangeView): number => (x.recordHash < y.recordHash ? -1 : x.recordHash > y.recordHash ? 1 : 0);
  const pick = (pool: ChangeView[], n: number): ChangeView[] => {
    const items = [...pool].sort(byHash);
    const take = Math.min(n, items.length);
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(next() * (items.length - i));
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items.slice(0, take);
  };
  const size = Math.max(0, Math.min(Math.floor(request.size), rows.length));
  let sampled: ChangeView[];
  const strata: Array<{ repository: string; population: number; size: number }> = [];
  if (request.stratify) {
    const groups = new Map<string, ChangeView[]>();
    for (const r of rows) {
      const group = groups.get(r.repository);
      if (group) group.push(r);
      else groups.set(r.repository, [r]);
    }
    const names = [...groups.keys()].sort();
    const quotas = names.map((name) => ({ name, exact: (size * groups.get(name)!.length) / Math.max(1, rows.length) }));
    const sizes = new Map(quotas.map((q) => [q.name, Math.floor(q.exact)]));
    let left = size - [...sizes.values()].reduce((s, n) => s + n, 0);
    for (const q of [...quotas].sort((x, y) => y.exact - Math.floor(y.exact) - (x.exact - Math.floor(x.exact)) || (x.name < y.name ? -1 : 1))) {
      if (left <= 0) break;
      sizes.set(q.name, sizes.get(q.name)! + 1);
      left--;
    }
    sampled = [];
    for (const name of names) {
      const n = sizes.get(name)!;
      strata.push({ repository: name, population: groups.get(name)!.length, size: n });
      sampled.push(...pick(groups.get(name)!, n));
    }
  } else sampled = pick(rows, size);
  return { seed: request.seed, size: sampled.length, population: rows.length, stratified: !!request.stratify, strata, rows: sampled };
}

/** The sample, its seed and how it was drawn. */
export function renderSampleResult(result: SampleResult, method: string, changeHref: string): string {
  const strata = result.stratified ? `<p>Stratified by repository: ${result.strata.map((s) => `${esc(s.repository)} ${s.size} of ${s.population}`).join(" · ")}.</p>` : "";
  return `<section class="sample" aria-live="polite"><h2>Sample: ${result.size} of ${result.population} changes</h2>
<dl class="facts"><dt>Seed</dt><dd><code class="hash" data-seed>${esc(result.seed)}</code></dd><dt>Method</dt><dd>${esc(method)}</dd></dl>${strata}
${renderChangeTable(result.rows, changeHref, "Sampled changes, in drawing order")}</section>`;
}

/** The names report.html embeds, in dependency order (see ./embed.ts). */
export const SHARED_FUNCTIONS = [esc, pct, queryChanges, renderChangeRows, renderChangeTable, renderFigures, renderChart, renderRepositoryTable, renderChangeDetail, sampleSizeFor, drawSample, renderSampleResult];
