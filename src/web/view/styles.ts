// The stylesheet of the portal and report.html: system fonts, light and dark, readable at
// phone width; colours chosen for WCAG AA contrast on both backgrounds.

export const STYLES = `
:root{--bg:#ffffff;--fg:#1a1d21;--muted:#545c68;--line:#dde1e6;--panel:#f6f7f9;--accent:#1f5fbf;--ok-bg:#e3f5e8;--ok:#135c2c;--bad-bg:#fde7e7;--bad:#9b1419;--warn-bg:#fff1cc;--warn:#6b4200;--late-bg:#e8eefc;--late:#1d449c;--bar:#9db8e3;--l1:#135c2c;--l2:#8a3d00;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#14171b;--fg:#e6e8eb;--muted:#a6aeb9;--line:#2e343c;--panel:#1c2026;--accent:#8ab4f8;--ok-bg:#0f3a1f;--ok:#9be3b0;--bad-bg:#4a1316;--bad:#ffb4b4;--warn-bg:#3d2c00;--warn:#ffd98a;--late-bg:#1b2a4d;--late:#b8cbff;--bar:#3c5a8a;--l1:#7fdc9c;--l2:#ffb870}}
*{box-sizing:border-box}
html{font-size:15px}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-text-size-adjust:100%}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
code,.hash{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.hash{word-break:break-all}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:var(--bg);padding:.25rem .5rem;z-index:2}
header.top{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.75rem 1.5rem;border-bottom:1px solid var(--line);background:var(--panel)}
header.top .brand{font-weight:700;letter-spacing:.01em;color:var(--fg);text-decoration:none}
header.top nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
header.top nav a[aria-current=page]{font-weight:700;text-decoration:none;color:var(--fg)}
header.top .who{margin-left:auto;display:flex;gap:.75rem;align-items:center;color:var(--muted)}
main{max-width:78rem;margin:0 auto;padding:1.25rem 1.5rem 3rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.75rem 0 .6rem}
.lede{font-size:1.05rem;max-width:60rem}
.muted{color:var(--muted)}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:.75rem;margin:1rem 0}
.tile{border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem;background:var(--panel)}
.tile-value{font-size:1.8rem;font-weight:700;font-variant-numeric:tabular-nums}
.tile-label{font-weight:600}
.tile-note{color:var(--muted);font-size:.9rem}
.tile.good{border-left:4px solid var(--ok)}.tile.attn{border-left:4px solid var(--warn)}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:.5rem}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.5rem .75rem}
th,td{text-align:left;padding:.45rem .75rem;border-top:1px solid var(--line);vertical-align:top}
thead th{background:var(--panel);font-size:.85rem;text-transform:none;color:var(--muted);white-space:nowrap}
td.num,th.num{text-align:right}
td.when{white-space:nowrap}
td.title{min-width:14rem}
.pill{display:inline-block;padding:0 .45rem;border-radius:1rem;font-size:.85rem;font-weight:600;white-space:nowrap}
.pill.ok{background:var(--ok-bg);color:var(--ok)}.pill.bad{background:var(--bad-bg);color:var(--bad)}.pill.warn{background:var(--warn-bg);color:var(--warn)}.pill.late{background:var(--late-bg);color:var(--late)}.pill.muted{background:var(--panel);color:var(--muted)}
dl.facts{display:grid;grid-template-columns:minmax(10rem,16rem) 1fr;gap:.35rem 1rem;margin:.5rem 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
ul.plain{padding-left:1.1rem}ul.plain li{margin:.25rem 0}
.chart{margin:1rem 0}.chart svg{width:100%;height:auto;max-height:260px}
.chart .bar{fill:var(--bar)}.chart .grid{stroke:var(--line)}.chart .axis{fill:var(--muted);font-size:11px}
.chart polyline{fill:none;stroke-width:2.5}.chart polyline.l-approved{stroke:var(--l1)}.chart polyline.l-ci{stroke:var(--l2);stroke-dasharray:6 3}
.chart circle.l-approved{fill:var(--l1)}.chart circle.l-ci{fill:var(--l2)}
.chart figcaption{color:var(--muted);font-size:.9rem;display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:center}
.key{display:inline-block;width:1.2rem;height:.6rem;border-radius:2px}.key.bar{background:var(--bar)}.key.l-approved{background:var(--l1)}.key.l-ci{background:var(--l2)}
form.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.6rem .9rem;align-items:end;padding:1rem;border:1px solid var(--line);border-radius:.5rem;background:var(--panel);margin:1rem 0}
label{display:flex;flex-direction:column;gap:.2rem;font-size:.9rem;font-weight:600}
label.check{flex-direction:row;align-items:center;gap:.4rem}
input,select{font:inherit;padding:.35rem .5rem;border:1px solid var(--muted);border-radius:.35rem;background:var(--bg);color:var(--fg);min-height:2.2rem}
button,.button{font:inherit;font-weight:600;padding:.4rem .9rem;border-radius:.35rem;border:1px solid var(--accent);background:var(--accent);color:var(--bg);cursor:pointer;text-decoration:none;display:inline-block;min-height:2.2rem}
button.secondary{background:transparent;color:var(--accent)}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.pager{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.75rem 0}
.banner{padding:.75rem 1rem;border-radius:.5rem;margin:1rem 0;font-weight:600}
.banner.ok{background:var(--ok-bg);color:var(--ok)}.banner.bad{background:var(--bad-bg);color:var(--bad)}.banner.warn{background:var(--warn-bg);color:var(--warn)}
.card{border:1px solid var(--line);border-radius:.5rem;padding:1.25rem;max-width:34rem;margin:3rem auto;background:var(--panel)}
section{margin-bottom:1rem}
@media (max-width:640px){main{padding:1rem}header.top{padding:.75rem 1rem}dl.facts{grid-template-columns:1fr}dl.facts dt{margin-top:.4rem}h1{font-size:1.35rem}.tile-value{font-size:1.5rem}}
`;
