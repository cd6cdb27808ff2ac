import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/env';
import type { Datex2Config } from '../catalog/sensor-source-config';
import type { PollContext, PolledSource, PollResult, SensorPoller } from '../catalog/sensor-poller';
import { parseDatexMeasuredData } from '../ingest/datex2';
import { datexStations, parseMeasurementSiteTableXml, parseSiteIndexMap, type DatexSiteTable } from '../ingest/datex2-site-table';
import type { FetchText } from '../ingest/http-fetch';
import { IngestError, type IngestWarning } from '../readings';
import { pollFetch } from './poll-fetch';
import { PollWriter } from './poll-writer';

/** The formats' names as the adapter reports them. */
const VERSION_OF: Record<Datex2Config['format'], string> = { 'v3-xml': 'v3-xml', 'v3-json': 'v3-json', 'v2-xml': 'v2' };
/** A site table is fetched again at the latest after this long, even when every measurement names a known site. */
const TABLE_MAX_AGE_MS = 24 * 3600_000;

/** Warnings that mean the site table may be out of date: a site or an index it does not know. */
const isUnknown = (w: IngestWarning): boolean => w.code === 'unknown_station' || w.code === 'unknown_stream';

/**
 * Polls a DATEX II MeasuredDataPublication (v3 XML or JSON, v2 XML) through its MeasurementSiteTable: the table's
 * sites become sensor datasets (one Datastream per lane and quantity), the measurements readings (`dataError` as
 * `invalid`). A measurement naming a site or an index the table does not know is skipped with a structured warning
 * and makes the poller fetch the table again (once per run); sensors are never made from measurements alone.
 */
@Injectable()
export class Datex2Poller implements SensorPoller {
  readonly type = 'datex2' as const;
  /** Tests replace the fetch; production uses the guarded one with the source's credentials. */
  fetchFor: (cfg: Datex2Config) => FetchText;
  /** Site tables by source, with the url they came from and when. */
  private readonly tables = new Map<string, { url: string; at: number; table: DatexSiteTable }>();

  constructor(
    private readonly writes: PollWriter,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.fetchFor = (cfg) => pollFetch(config, cfg.format === 'v3-json' ? 'application/json' : 'application/xml', cfg);
  }

  async poll(source: PolledSource, pc: PollContext): Promise<PollResult> {
    const cfg = source.config as Datex2Config;
    if (!cfg.site_table_url) {
      throw new IngestError('invalid', 'Eine DATEX-II-Quelle braucht die Messstellentabelle (site_table_url): ohne sie bleibt unklar, was ein Index misst.', 'config.site_table_url');
    }
    const fetchText = this.fetchFor(cfg);
    const counts: Record<string, number> = { site_table_fetches: 0 };
    const loadTable = async (): Promise<DatexSiteTable> => {
      const body = await fetchText(cfg.site_table_url!);
      const table = body.trimStart().startsWith('{') ? parseSiteIndexMap(body) : parseMeasurementSiteTableXml(body);
      const stations = datexStations(table);
      await this.writes.syncStations(pc.ctx, source, stations);
      this.tables.set(source.id, { url: cfg.site_table_url!, at: Date.now(), table });
      counts.site_table_fetches++;
      counts.stations = stations.length;
      return table;
    };

    const cached = this.tables.get(source.id);
    const fromCache = cached && cached.url === cfg.site_table_url && Date.now() - cached.at < TABLE_MAX_AGE_MS;
    let table = fromCache ? cached.table : await loadTable();
    const body = await fetchText(cfg.url);
    let parsed = parseDatexMeasuredData(body, table);
    if (parsed.version !== VERSION_OF[cfg.format]) {
      throw new IngestError('invalid', `Die Quelle ist als ${cfg.format} eingerichtet, geliefert wurde ${parsed.version}.`, 'format');
    }
    const refresh: IngestWarning[] = [];
    if (parsed.warnings.some(isUnknown)) {
      // The issue: unknown site or index → refresh the site table; never make sensors from the measurements.
      // A table fetched in this run is as new as it gets: no second fetch.
      if (fromCache) {
        table = await loadTable();
        parsed = parseDatexMeasuredData(body, table);
      }
      if (fromCache && parsed.warnings.some(isUnknown)) {
        refresh.push({ code: 'site_table_refreshed', message: `Messstellentabelle ${table.id ?? cfg.site_table_url} (Version ${table.version ?? '?'}) neu geladen; unbekannte Messstellen oder Indizes bleiben übersprungen.` });
      }
    }
    await pc.report(0.5, `${parsed.readings.length} Messwerte`);
    const result = await this.writes.store(pc.ctx, source, { readings: parsed.readings, warnings: parsed.warnings });
    return {
      counts: { ...counts, ...result.counts },
      cursor: {
        ...source.cursor,
        site_table: { id: table.id ?? null, version: table.version ?? null },
        ...(parsed.publicationTime ? { publication_time: parsed.publicationTime.toISOString() } : {}),
      },
      warnings: [...result.warnings, ...refresh],
    };
  }
}
