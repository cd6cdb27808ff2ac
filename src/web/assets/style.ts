import { createHash } from 'node:crypto';

/**
 * The portal's one stylesheet, hand-written: system fonts, no framework, colours with at least 4.5:1 contrast on their
 * background (WCAG 2.1 AA), a visible focus ring on everything focusable. Kept as a string in the source so the
 * service needs no build step and no asset copying; served under a content hash (`/web/style.<hash>.css`) with a
 * year-long immutable cache.
 */
export const STYLE_CSS = `
:root { --ink: #1b1b1b; --muted: #4a4a4a; --line: #c8c8c8; --bg: #fff; --soft: #f3f5f7; --brand: #00506e; --brand-ink: #fff; --link: #0b4f8a; --focus: #ffbf47; }
*, *::before, *::after { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; line-height: 1.5; color: var(--ink); background: var(--bg); }
body { margin: 0; }
a { color: var(--link); text-underline-offset: 0.15em; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; box-shadow: 0 0 0 5px var(--ink); }
.skip { position: absolute; left: -10000px; top: 0; }
.skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: 0.5rem 1rem; z-index: 10; }
.wrap { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
header.site { background: var(--brand); color: var(--brand-ink); }
header.site .wrap { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 2rem; padding-top: 0.75rem; padding-bottom: 0.75rem; }
header.site a { color: var(--brand-ink); }
.brand { font-size: 1.25rem; font-weight: 700; text-decoration: none; }
header.site nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; margin: 0; padding: 0; }
.lang { margin-left: auto; }
main { padding: 1.5rem 0 3rem; }
h1 { font-size: 1.9rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 0.75rem; }
h3 { font-size: 1.1rem; margin: 0 0 0.25rem; }
.search { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: flex-end; margin: 0 0 1.5rem; }
.search .field { flex: 1 1 20rem; display: flex; flex-direction: column; }
label { font-weight: 600; }
input[type=search], input[type=text], input[type=password], input[type=email], input[type=url], input[type=date], input[type=number], select, textarea { font: inherit; padding: 0.5rem 0.6rem; border: 2px solid var(--muted); border-radius: 4px; background: var(--bg); color: var(--ink); }
button { font: inherit; font-weight: 600; padding: 0.55rem 1.2rem; border: 2px solid var(--brand); border-radius: 4px; background: var(--brand); color: var(--brand-ink); cursor: pointer; }
button.secondary { background: var(--bg); color: var(--brand); }
.counts { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; margin: 0; }
.counts li { background: var(--soft); border-radius: 6px; padding: 0.75rem 1.25rem; }
.counts strong { display: block; font-size: 1.6rem; }
.layout { display: grid; grid-template-columns: 17rem 1fr; gap: 2rem; }
@media (max-width: 48rem) { .layout { grid-template-columns: 1fr; } }
.facets h2 { font-size: 1.05rem; margin: 1.25rem 0 0.4rem; }
.facets ul { list-style: none; margin: 0; padding: 0; }
.facets li { margin: 0.15rem 0; }
.facets a[aria-current] { font-weight: 700; }
.count { color: var(--muted); }
.results { list-style: none; margin: 0; padding: 0; }
.results > li { border-bottom: 1px solid var(--line); padding: 1rem 0; }
.results p { margin: 0.25rem 0; }
.meta { color: var(--muted); font-size: 0.95rem; }
.badges { display: flex; flex-wrap: wrap; gap: 0.35rem; list-style: none; margin: 0.35rem 0 0; padding: 0; }
.badges li { border: 1px solid var(--muted); border-radius: 3px; padding: 0 0.4rem; font-size: 0.85rem; }
.badge-warn { background: #fff4ce; border: 1px solid #6b5300; color: #3d2f00; border-radius: 3px; padding: 0 0.4rem; }
.toolbar { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.5rem; align-items: flex-end; margin-bottom: 0.5rem; }
.toolbar form { display: flex; gap: 0.5rem; align-items: flex-end; }
.active-filters { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem; }
.active-filters a { display: inline-block; background: var(--soft); border: 1px solid var(--line); border-radius: 999px; padding: 0.1rem 0.75rem; }
nav.paging ul { list-style: none; display: flex; gap: 1rem; padding: 0; align-items: center; }
dl.fields { display: grid; grid-template-columns: minmax(10rem, 16rem) 1fr; gap: 0.4rem 1.5rem; margin: 0; }
dl.fields dt { font-weight: 600; }
dl.fields dd { margin: 0; overflow-wrap: anywhere; }
@media (max-width: 40rem) { dl.fields { grid-template-columns: 1fr; } dl.fields dd { margin-bottom: 0.5rem; } }
.resources { list-style: none; padding: 0; margin: 0; }
.resources li { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: baseline; border-bottom: 1px solid var(--line); padding: 0.75rem 0; }
.resources .format { font-weight: 700; min-width: 4rem; }
.notes p { max-width: 48rem; }
.cards { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 1rem; }
.cards li { border: 1px solid var(--line); border-radius: 6px; padding: 1rem; }
.cards .card-title { margin: 0; font-size: 1.1rem; }
a.button { display: inline-block; font-weight: 600; padding: 0.55rem 1.2rem; border-radius: 4px; background: var(--brand); color: var(--brand-ink); text-decoration: none; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: 0.6rem 0.8rem; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.9rem; }
.api-toc > ul { columns: 18rem; column-gap: 2rem; padding-left: 1.25rem; }
.api-toc li { overflow-wrap: anywhere; }
.api-toc-actions { font-size: 0.9rem; padding-left: 1rem; }
.api-action { border-top: 1px solid var(--line); padding: 1rem 0; }
.api-action h3 { margin-bottom: 0.5rem; }
.api-params { border-collapse: collapse; width: 100%; margin: 0.75rem 0; font-size: 0.95rem; }
.api-params caption { text-align: left; font-weight: 600; padding-bottom: 0.25rem; }
.api-params th, .api-params td { border: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.api-params thead th { background: var(--soft); }
.api-example-label { font-weight: 600; margin: 0.5rem 0 0.25rem; }
.account { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; align-items: center; }
.account form { margin: 0; }
button.link { background: none; border: none; padding: 0; color: inherit; text-decoration: underline; font-weight: 400; }
form.stack { display: flex; flex-direction: column; gap: 1rem; max-width: 28rem; }
form.stack .field { display: flex; flex-direction: column; gap: 0.25rem; }
.error-summary, .field-error { color: #a4000f; font-weight: 600; }
.error-summary { border: 2px solid #a4000f; border-radius: 4px; padding: 0.75rem 1rem; }
table.data { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
table.data th, table.data td { text-align: left; border-bottom: 1px solid var(--line); padding: 0.4rem 0.5rem; vertical-align: top; }
.state-ok { color: #0b6b2b; font-weight: 600; }
.state-bad { color: #a4000f; font-weight: 600; }
form.wide { max-width: 48rem; }
fieldset { border: 1px solid var(--line); border-radius: 6px; padding: 1rem; display: flex; flex-direction: column; gap: 1rem; }
legend { font-weight: 700; padding: 0 0.25rem; }
textarea { width: 100%; }
footer.site { border-top: 1px solid var(--line); background: var(--soft); padding: 1.5rem 0; color: var(--muted); }
footer.site a { color: var(--link); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.preview-form { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: flex-end; margin: 0 0 1rem; }
.preview-form .field { display: flex; flex-direction: column; }
.notice { background: #fff4ce; border: 1px solid #6b5300; color: #3d2f00; border-radius: 4px; padding: 0.5rem 0.75rem; }
.table-scroll { overflow-x: auto; max-width: 100%; }
table.preview { border-collapse: collapse; font-size: 0.95rem; }
table.preview caption { text-align: left; font-weight: 600; padding: 0.25rem 0 0.5rem; }
table.preview th, table.preview td { border: 1px solid var(--line); padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
table.preview th { background: var(--soft); }
table.preview .col-type { display: block; font-weight: 400; font-size: 0.8rem; color: var(--muted); }
pre.preview-text { background: var(--soft); border: 1px solid var(--line); padding: 0.75rem; overflow: auto; max-height: 40rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.stream { border-top: 1px solid var(--line); padding-top: 1rem; margin-top: 1rem; }
.latest-value { font-size: 2rem; display: inline-block; margin-right: 0.5rem; }
.latest-label { display: block; font-weight: 600; }
.state { display: inline-block; border-radius: 3px; padding: 0 0.4rem; border: 1px solid var(--ink); background: var(--soft); }
.state-above_hsw { background: #b00020; color: #fff; }
.state-above_mhw { background: #c05600; color: #fff; }
.state-normal { background: #1b6b2f; color: #fff; }
.state-below_mnw { background: #0b4f8a; color: #fff; }
dl.thresholds { display: flex; flex-wrap: wrap; gap: 0.25rem 1.5rem; }
dl.thresholds dt { font-weight: 600; }
dl.thresholds dd { margin: 0 1rem 0 0.25rem; }
figure.chart { margin: 1rem 0; }
figure.chart figcaption { font-weight: 600; }
.chart-canvas { margin: 0.5rem 0; }
.table-scroll { overflow-x: auto; max-height: 24rem; }
table.data { border-collapse: collapse; margin: 0.5rem 0; }
table.data caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 0.25rem 0.75rem; text-align: left; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
.map { height: 28rem; border: 1px solid var(--line); margin: 0.5rem 0 1rem; background: var(--soft); }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; padding: 0; }
.swatch { display: inline-block; width: 1rem; height: 1rem; border-radius: 50%; border: 2px solid var(--ink); margin-right: 0.35rem; vertical-align: -0.15rem; }
.map .leaflet-control-attribution a { color: var(--link); text-decoration: underline; }
pre.geojson { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 12rem; overflow: auto; }
/* Members and roles, API tokens (web-members) */
dl.roles { margin: 0.25rem 0 0; display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 0.75rem; }
dl.roles dt { font-weight: 600; }
dl.roles dd { margin: 0; }
td.actions a + a { margin-left: 1rem; }
.new-token { border: 2px solid #0b6b2b; border-radius: 6px; padding: 0.75rem 1rem; margin: 1rem 0; }
.new-token input { width: 100%; font-family: ui-monospace, monospace; }
.new-token h2 { margin-top: 0; }
input[readonly] { background: var(--soft); }
.notice { border-left: 4px solid #0b6b2b; padding: 0.5rem 0.75rem; background: var(--soft); }
/* Harvest and sensor sources (src/web/pages/sources.tsx) */
form.inline { display: inline; margin: 0; }
ul.inline-links { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; }
div.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin: 1rem 0; }
a.button.secondary { background: var(--bg); color: var(--brand); border: 2px solid var(--brand); }
.field.check { flex-direction: row; align-items: center; gap: 0.5rem; }
textarea.code, dl.fields code { font-family: ui-monospace, monospace; font-size: 0.9rem; overflow-wrap: anywhere; }
td.url, span.url { overflow-wrap: anywhere; }
/* Steward workspace: resource uploads, the loader's state, edit links (web-uploads). */
.steward-links ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.5rem; padding: 0; margin: 0.5rem 0 1rem; }
.upload-progress { margin: 1rem 0; }
.upload-progress label { display: block; font-weight: 600; }
.upload-progress progress { width: 100%; max-width: 32rem; height: 1.25rem; accent-color: var(--brand); }
.form-actions { display: flex; gap: 1rem; align-items: center; }
.danger-zone { border-top: 1px solid var(--line); margin-top: 2rem; padding-top: 1rem; }
button.danger { background: #a4000f; border-color: #a4000f; color: #fff; }
button:disabled { opacity: 0.6; cursor: not-allowed; }
.loader { border: 1px solid var(--line); border-radius: 4px; padding: 0 1rem 1rem; margin: 1rem 0; }
.loader-state { display: inline-block; border-radius: 3px; padding: 0 0.4rem; border: 1px solid var(--ink); }
.loader-complete { background: #1b6b2f; color: #fff; }
.loader-error { background: #a4000f; color: #fff; }
.loader-pending, .loader-running { background: #fff4ce; color: #3d2f00; }
.loader-log { max-height: 16rem; overflow: auto; font-size: 0.9rem; }
.markdown h3, .markdown h4, .markdown h5, .markdown h6 { margin: 1rem 0 0.5rem; }
.markdown blockquote { border-left: 4px solid var(--line); margin: 0.5rem 0; padding-left: 1rem; }
.markdown code { background: var(--soft); padding: 0 0.2rem; }
/* access levels, shares, approval queue (web-access) */
.choice { display: grid; grid-template-columns: auto 1fr; gap: 0 0.5rem; align-items: baseline; }
.choice .hint { grid-column: 2; margin: 0; }
.hint { color: var(--muted); font-size: 0.95rem; margin: 0; }
.workflow { border-left: 4px solid #6b5300; padding: 0.25rem 0 0.25rem 0.75rem; margin: 0.5rem 0 1rem; }
.wf-note-label { font-weight: 600; margin: 0.5rem 0 0.25rem; }
.wf-note blockquote { margin: 0 0 0.5rem; padding: 0.5rem 0.75rem; background: var(--soft); border: 1px solid var(--line); }
.queue > li { border-top: 1px solid var(--line); padding-top: 0.75rem; }
.queue-forms { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-start; }
.queue-forms form.stack { flex: 1 1 18rem; }
`;

/** The first 10 hex digits of the stylesheet's SHA-256: its address changes whenever its content does. */
export const STYLE_HASH = createHash('sha256').update(STYLE_CSS).digest('hex').slice(0, 10);
export const STYLE_PATH = `/web/style.${STYLE_HASH}.css`;
