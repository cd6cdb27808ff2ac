import type { MessageKey } from '../i18n/de';
import type { Lang } from '../i18n/i18n';
import type { PageEnv } from './layout';

/** A Datastream as sensor_dataset_streams answers it (the sensors part's shape, restated: pages know only actions). */
export interface LiveStream {
  id: number;
  name: string;
  thing: string;
  quantity: string;
  kind: string;
  unit: string | null;
  resource_id: string | null;
  latest: { time: string; result: number | null } | null;
  thresholds: Partial<Record<ThresholdKey, number>>;
  location: [number, number] | null;
  state: GaugeState;
}
export type GaugeState = 'below_mnw' | 'normal' | 'above_mhw' | 'above_hsw' | 'unknown';
export const THRESHOLD_KEYS = ['MNW', 'MW', 'MHW', 'HSW'] as const;
export type ThresholdKey = (typeof THRESHOLD_KEYS)[number];

/** One observation of a stream's DataStore view (datastore_search). */
export interface ObservationRecord {
  phenomenon_time: string;
  result: number | null;
  quality: string | null;
}

/** The base map's tiles and credit (MAP_STYLE_URL, MAP_ATTRIBUTION). */
export interface MapSettings {
  tiles: string;
  attribution: string;
}

/** A place on a map and in its table. */
export interface MapPoint {
  lon: number;
  lat: number;
  name: string;
  href?: string;
  text?: string;
  colour?: string;
}

/** Marker colours by state, each with at least 3:1 contrast against the base map's light background. */
export const STATE_COLOURS: Record<GaugeState, string> = { below_mnw: '#0b4f8a', normal: '#1b6b2f', above_mhw: '#c05600', above_hsw: '#b00020', unknown: '#6e6e6e' };

const locale = (lang: Lang): string => (lang === 'en' ? 'en-GB' : 'de-DE');

export function formatTime(value: string, lang: Lang): string {
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Berlin' }).format(d);
}

export function formatNumber(value: number | null | undefined, lang: Lang): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString(locale(lang), { maximumFractionDigits: 2 }) : '–';
}

/** A value with its unit ("411 cm"); a dash alone when there is no value yet. */
function withUnit(value: number | null | undefined, unit: string | undefined | null, lang: Lang): string {
  const text = formatNumber(value, lang);
  return text === '–' || !unit ? text : `${text} ${unit}`;
}

export const stateLabel = (env: PageEnv, s: GaugeState): string => env.t(`live.state.${s}` as MessageKey);

/** The latest value, large, with its time and (for a gauge) its state. */
function Latest({ env, s }: { env: PageEnv; s: LiveStream }) {
  const { t } = env;
  if (!s.latest) return <p>{t('live.noValue')}</p>;
  return (
    <p class="latest">
      <span class="latest-label">{t('live.latest')}</span>{' '}
      <strong class="latest-value">{formatNumber(s.latest.result, env.lang)} {s.unit ?? ''}</strong>{' '}
      <span class="meta">{t('live.measuredAt', { time: formatTime(s.latest.time, env.lang) })}</span>
      {s.quantity === 'water_level' && s.state !== 'unknown' ? <> <span class={`state state-${s.state}`}>{t('live.state')}: {stateLabel(env, s.state)}</span></> : null}
    </p>
  );
}

/**
 * One live Datastream: its latest value, characteristic values, the chart (drawn by the chart island from the same
 * public API) and, for everyone and without JavaScript, a table of its latest values.
 */
export function StreamBlock({ env, s, records, allHref }: { env: PageEnv; s: LiveStream; records: ObservationRecord[]; allHref?: string }) {
  const { t } = env;
  const keys = THRESHOLD_KEYS.filter((k) => s.thresholds[k] !== undefined);
  const chart = s.resource_id ? JSON.stringify({ resource: s.resource_id, label: s.name, unit: s.unit ?? '', thresholds: Object.fromEntries(keys.map((k) => [k, s.thresholds[k]])) }) : undefined;
  return (
    <section class="stream" aria-labelledby={`stream-${s.id}`}>
      <h3 id={`stream-${s.id}`}>{s.name}</h3>
      <Latest env={env} s={s} />
      {keys.length ? (
        <dl class="thresholds" aria-label={t('live.thresholds')}>
          {keys.map((k) => <><dt>{t(`live.threshold.${k}` as MessageKey)}</dt><dd>{formatNumber(s.thresholds[k], env.lang)} {s.unit ?? ''}</dd></>)}
        </dl>
      ) : null}
      <figure class="chart" data-chart={chart}>
        <figcaption>{t('live.chartCaption', { name: s.name })}</figcaption>
        {records.length ? (
          <div class="table-scroll" tabIndex={0} role="region" aria-label={t('live.tableCaption', { name: s.name, count: records.length })}>
            <table class="data">
              <caption>{t('live.tableCaption', { name: s.name, count: records.length })}</caption>
              <thead><tr><th scope="col">{t('live.time')}</th><th scope="col">{t('live.value', { unit: s.unit ?? '' })}</th><th scope="col">{t('live.quality')}</th></tr></thead>
              <tbody>
                {records.map((r) => <tr><td>{formatTime(r.phenomenon_time, env.lang)}</td><td class="num">{formatNumber(r.result, env.lang)}</td><td>{r.quality ?? ''}</td></tr>)}
              </tbody>
            </table>
          </div>
        ) : <p>{t('live.noValue')}</p>}
        {allHref ? <p><a href={allHref}>{t('live.allValues')}</a></p> : null}
      </figure>
    </section>
  );
}

/** A map island: the element the map script draws into, its settings and places as JSON. */
export function MapBox({ env, name, settings, points, geojson }: { env: PageEnv; name: string; settings: MapSettings; points: MapPoint[]; geojson?: unknown }) {
  const config = JSON.stringify({ tiles: settings.tiles, attribution: settings.attribution, points, ...(geojson ? { geojson } : {}) });
  return <div class="map" role="region" aria-label={env.t('live.mapLabel', { name })} data-map={config} />;
}

/** Places as a table: the map's data for everyone (no JavaScript, screen readers). */
export function PlacesTable({ env, caption, points }: { env: PageEnv; caption: string; points: MapPoint[] }) {
  const { t } = env;
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table class="data">
        <caption>{caption}</caption>
        <thead><tr><th scope="col">{t('live.place')}</th><th scope="col">{t('live.longitude')}</th><th scope="col">{t('live.latitude')}</th></tr></thead>
        <tbody>
          {points.map((p) => <tr><th scope="row">{p.href ? <a href={p.href}>{p.name}</a> : p.name}</th><td class="num">{formatNumber(p.lon, env.lang)}</td><td class="num">{formatNumber(p.lat, env.lang)}</td></tr>)}
        </tbody>
      </table>
    </div>
  );
}

/** A gauge in the overview: its dataset, its water-level stream. */
export interface GaugeRow {
  dataset: { name: string; title: string };
  stream: LiveStream;
}

/** /sensors/gauges: the map of all gauges by state, and the same as a table. */
export function GaugesPage({ env, rows, settings }: { env: PageEnv; rows: GaugeRow[]; settings: MapSettings }) {
  const { t } = env;
  const points: MapPoint[] = rows.filter((r) => r.stream.location).map((r) => ({
    lon: r.stream.location![0], lat: r.stream.location![1], name: r.dataset.title, href: `/dataset/${encodeURIComponent(r.dataset.name)}`,
    text: `${withUnit(r.stream.latest?.result, r.stream.unit, env.lang)} – ${stateLabel(env, r.stream.state)}`, colour: STATE_COLOURS[r.stream.state],
  }));
  return (
    <>
      <h1>{t('live.gaugesTitle')}</h1>
      <p>{t('live.gaugesIntro')}</p>
      {points.length ? <MapBox env={env} name={t('live.gaugesTitle')} settings={settings} points={points} /> : null}
      <ul class="legend" aria-hidden="true">
        {(Object.keys(STATE_COLOURS) as GaugeState[]).map((s) => <li><span class="swatch" style={`background:${STATE_COLOURS[s]}`} />{stateLabel(env, s)}</li>)}
      </ul>
      {rows.length ? (
        <div class="table-scroll" tabIndex={0} role="region" aria-label={t('live.gaugesTitle')}>
          <table class="data" id="gauges">
            <caption>{t('live.gaugesTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('live.place')}</th><th scope="col">{t('live.latest')}</th><th scope="col">{t('live.time')}</th>
                {THRESHOLD_KEYS.map((k) => <th scope="col"><abbr title={t(`live.threshold.${k}` as MessageKey)}>{k}</abbr></th>)}
                <th scope="col">{t('live.state')}</th><th scope="col">{t('live.longitude')}</th><th scope="col">{t('live.latitude')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ dataset, stream: s }) => (
                <tr data-state={s.state}>
                  <th scope="row"><a href={`/dataset/${encodeURIComponent(dataset.name)}`}>{dataset.title}</a></th>
                  <td class="num">{withUnit(s.latest?.result, s.unit, env.lang)}</td>
                  <td>{s.latest ? formatTime(s.latest.time, env.lang) : '–'}</td>
                  {THRESHOLD_KEYS.map((k) => <td class="num">{formatNumber(s.thresholds[k], env.lang)}</td>)}
                  <td><span class={`state state-${s.state}`}>{stateLabel(env, s.state)}</span></td>
                  <td class="num">{formatNumber(s.location?.[0], env.lang)}</td>
                  <td class="num">{formatNumber(s.location?.[1], env.lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <p>{t('live.none')}</p>}
    </>
  );
}

/** A traffic site in the overview: its dataset and its streams (lanes, quantities). */
export interface TrafficSite {
  dataset: { name: string; title: string };
  streams: LiveStream[];
}

/** /sensors/traffic: the map of all traffic sites, and their latest values per lane as a table. */
export function TrafficPage({ env, sites, settings }: { env: PageEnv; sites: TrafficSite[]; settings: MapSettings }) {
  const { t } = env;
  const points: MapPoint[] = sites.flatMap(({ dataset, streams }) => {
    const at = streams.find((s) => s.location)?.location;
    return at ? [{ lon: at[0], lat: at[1], name: dataset.title, href: `/dataset/${encodeURIComponent(dataset.name)}` }] : [];
  });
  return (
    <>
      <h1>{t('live.trafficTitle')}</h1>
      <p>{t('live.trafficIntro')}</p>
      {points.length ? <MapBox env={env} name={t('live.trafficTitle')} settings={settings} points={points} /> : null}
      {sites.length ? (
        <div class="table-scroll" tabIndex={0} role="region" aria-label={t('live.trafficTitle')}>
          <table class="data" id="traffic">
            <caption>{t('live.trafficTitle')}</caption>
            <thead>
              <tr><th scope="col">{t('live.place')}</th><th scope="col">{t('live.stream')}</th><th scope="col">{t('live.latest')}</th><th scope="col">{t('live.time')}</th></tr>
            </thead>
            <tbody>
              {sites.flatMap(({ dataset, streams }) => streams.map((s) => (
                <tr>
                  <th scope="row"><a href={`/dataset/${encodeURIComponent(dataset.name)}`}>{dataset.title}</a></th>
                  <td>{s.name}</td>
                  <td class="num">{withUnit(s.latest?.result, s.unit, env.lang)}</td>
                  <td>{s.latest ? formatTime(s.latest.time, env.lang) : '–'}</td>
                </tr>
              )))}
            </tbody>
          </table>
        </div>
      ) : <p>{t('live.none')}</p>}
      {points.length ? <PlacesTable env={env} caption={t('live.mapAlternative')} points={points} /> : null}
    </>
  );
}
