import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/env';
import { durationSeconds, PEGELONLINE_BASE_URL, type PegelonlineConfig } from '../catalog/sensor-source-config';
import type { PollContext, PolledSource, PollResult, SensorPoller } from '../catalog/sensor-poller';
import type { FetchText } from '../ingest/http-fetch';
import { PegelonlineClient } from '../ingest/pegelonline';
import { ObservationRepository, streamKey } from '../observations/observation.repository';
import type { IngestWarning, Reading, StationInfo } from '../readings';
import { pollFetch } from './poll-fetch';
import { PollWriter } from './poll-writer';

/** PEGELONLINE keeps raw measurements for 31 days: no poll asks for more. */
const MAX_WINDOW_SECONDS = 31 * 86_400;
const DEFAULT_FIRST_WINDOW = 'P1D';

/** The cursor a PEGELONLINE source keeps: the newest stored time per `station uuid/timeseries`. */
interface PegelonlineCursor {
  series?: Record<string, string>;
}

/**
 * Polls PEGELONLINE REST API v2, or a state's gauges served in the same shape (another `base_url`): the stations the
 * source names (by uuid, number or name, and/or by water) with their time series and characteristic values become
 * sensor datasets (SensorCatalog.syncStation); each wanted series' measurements since its last stored time (the
 * datastream's latest value, else the cursor unless the station's dataset was made anew, else `first_window` back) go to the observations writer in one
 * transaction. A failed fetch fails the run before anything is written, so the next run asks from the same place.
 */
@Injectable()
export class PegelonlinePoller implements SensorPoller {
  readonly type = 'pegelonline' as const;
  /** Tests replace the fetch; production uses the guarded one. */
  fetchText: FetchText;
  /** The clock (epoch ms): where a first poll starts. */
  now = (): number => Date.now();

  constructor(
    private readonly writes: PollWriter,
    private readonly observations: ObservationRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.fetchText = pollFetch(config, 'application/json');
  }

  async poll(source: PolledSource, pc: PollContext): Promise<PollResult> {
    const cfg = source.config as PegelonlineConfig;
    const client = new PegelonlineClient(this.fetchText, cfg.base_url ?? PEGELONLINE_BASE_URL);
    const listed = await client.stations({ ids: cfg.stations, waters: cfg.waters, includeTimeseries: true, includeCharacteristicValues: true });
    const wanted = cfg.timeseries?.length ? new Set(cfg.timeseries) : null;
    const warnings: IngestWarning[] = [...listed.warnings];
    const stations: StationInfo[] = [];
    for (const s of listed.stations) {
      const streams = s.streams.filter((ts) => !wanted || wanted.has(ts.key));
      // A gauge without any of the series asked for would be a dataset without data.
      if (streams.length) stations.push({ ...s, streams });
      else warnings.push({ code: 'unknown_stream', message: `${s.name} hat keine der Zeitreihen ${[...(wanted ?? [])].join(', ')}; übersprungen.`, station: s.key });
    }
    await pc.report(0.1, `${stations.length} Pegel`);
    const synced = await this.writes.syncStations(pc.ctx, source, stations);
    // A station whose dataset was made anew (its old one deleted) starts again: its cursor is of the data deleted with it.
    const remade = new Set(stations.filter((_, i) => synced[i].created).map((s) => s.key));

    const cursor = ((source.cursor as PegelonlineCursor).series ?? {}) as Record<string, string>;
    const stored = await this.observations.latestBySourceKey(pc.ctx.db, source.id);
    const firstWindow = Math.min(durationSeconds(cfg.first_window ?? DEFAULT_FIRST_WINDOW), MAX_WINDOW_SECONDS);
    const now = this.now();
    const readings: Reading[] = [];
    let done = 0;
    const total = stations.reduce((n, s) => n + s.streams.length, 0);
    for (const station of stations) {
      for (const stream of station.streams) {
        const key = `${station.key}/${stream.key}`;
        const last = stored.get(streamKey(station.key, stream.key))?.getTime() ?? (cursor[key] && !remade.has(station.key) ? Date.parse(cursor[key]) : undefined);
        // The last stored reading comes again (start is inclusive): a no-op for the writer, and proof nothing was skipped.
        const start = new Date(Math.max(last ?? now - firstWindow * 1000, now - MAX_WINDOW_SECONDS * 1000));
        const got = await client.measurements(station.key, stream, start);
        readings.push(...got.readings);
        warnings.push(...got.warnings);
        await pc.report(0.1 + (0.8 * ++done) / Math.max(total, 1), `${station.name} ${stream.key}: ${got.readings.length} Werte`);
      }
    }
    const result = await this.writes.store(pc.ctx, source, { readings, warnings });
    const series = { ...cursor };
    for (const key of Object.keys(series)) if (remade.has(key.slice(0, key.lastIndexOf('/')))) delete series[key];
    for (const [key, ms] of result.newest) if (!series[key] || Date.parse(series[key]) < ms) series[key] = new Date(ms).toISOString();
    return { counts: { stations: stations.length, ...result.counts }, cursor: { ...source.cursor, series }, warnings: result.warnings };
  }
}
