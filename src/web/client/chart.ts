import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * The chart island: every `<figure data-chart>` on a page gets a uPlot line chart of its Datastream, read as the page's
 * table is (datastore_search on the stream's DataStore resource, with the page's caller, through `/web/series/{id}`),
 * with the gauge's characteristic values (MNW, MW, MHW, HSW) as horizontal lines. Without JavaScript the figure's table
 * stays the way to read the data.
 */
interface ChartConfig {
  resource: string;
  label: string;
  unit: string;
  thresholds: Record<string, number>;
}

const LINE_COLOURS: Record<string, string> = { MNW: '#6b5300', MW: '#1b6b2f', MHW: '#b35900', HSW: '#b00020' };

async function draw(figure: HTMLElement): Promise<void> {
  const cfg = JSON.parse(figure.dataset.chart ?? '{}') as ChartConfig;
  // This site's own address, read with the page's login (the API is token-only): a steward sees a private gauge's curve.
  const res = await fetch(`/web/series/${encodeURIComponent(cfg.resource)}`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!res.ok) return;
  const body = (await res.json()) as { records?: { phenomenon_time: string; result: number | null }[] };
  const records = (body.records ?? []).filter((r) => r.result !== null).reverse();
  if (!records.length) return;
  const xs = records.map((r) => Date.parse(r.phenomenon_time.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(r.phenomenon_time) ? r.phenomenon_time : `${r.phenomenon_time}Z`) / 1000);
  const ys = records.map((r) => Number(r.result));
  const keys = Object.keys(cfg.thresholds);
  const data: uPlot.AlignedData = [xs, ys, ...keys.map((k) => xs.map(() => cfg.thresholds[k]))];
  const host = document.createElement('div');
  host.className = 'chart-canvas';
  figure.insertBefore(host, figure.firstChild);
  const width = (): number => Math.max(280, Math.min(figure.clientWidth || 800, 1100));
  const plot = new uPlot({
    width: width(), height: 320, tzDate: (ts) => new Date(ts * 1000),
    series: [
      {},
      { label: `${cfg.label} (${cfg.unit})`, stroke: '#00506e', width: 2 },
      ...keys.map((k) => ({ label: k, stroke: LINE_COLOURS[k] ?? '#4a4a4a', width: 1, dash: [6, 4] })),
    ],
    axes: [{}, { label: cfg.unit }],
  }, data, host);
  figure.classList.add('chart-ready');
  window.addEventListener('resize', () => plot.setSize({ width: width(), height: 320 }));
}

for (const figure of Array.from(document.querySelectorAll<HTMLElement>('[data-chart]'))) void draw(figure);
