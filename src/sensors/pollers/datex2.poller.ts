import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/env';
import type { Datex2Config } from '../catalog/sensor-source-config';
import type { PollContext, PolledSource, PollResult, SensorPoller } from '../catalog/sensor-poller';
import { parseDatexMeasuredData } from '../ingest/datex2';
import { datexStations, parseMeasurementSiteTableXml, parseSiteIndexMap, type DatexSiteTable } from '../ingest/datex2-site-table';
import type { FetchIfChanged, FetchText } from '../ingest/http-fetch';
import { IngestError, type IngestWarning } from '../readings';
import { pollFetch, pollFetchIfChanged } from './poll-fetch';
import { PollWriter } from './poll-writer';

/** The formats' names as the adapter reports them. */
const VERSION_OF: Record<Datex2Config['format'], string> = { 'v3-xml': 'v3-xml', 'v3-json': 'v3-json', 'v2-xml': 'v2' };

/** Warnings that mean the site table may not know what a measurement names: a site or an index. */
const isUnknown = (w: IngestWarning): boolean => w.code === 'unknown_station' || w.code === 'unknown_stream';

/**
 * What the source's cursor keeps of the site table its datasets were made from: where it came from, its digest, and the
 * validators for a conditional request. In the database, so every instance knows which table is current.
 */
interface SiteTableState {
  url: string;
  id: string | null;
  version: string | null;
  digest: string;
  etag?: string;
  last_modified?: string;
  /** A site of the table had no dataset at the last poll (deleted since): the next poll makes the datasets again. */
  resync?: boolean;
}

const stateOf = (cursor: Record<string, unknown>, url: string): SiteTableState | undefined => {
  const s = cursor.site_table as Partial<SiteTableState> | undefined;
  return s && s.url === url && typeof s.digest === 'string' ? (s as SiteTableState) : undefined;
};

/**
 * Polls a DATEX II MeasuredDataPublication (v3 XML or JSON, v2 XML) through its MeasurementSiteTable: the table's
 * sites become sensor datasets (one Datastream per lane and quantity), the measurements readings (`dataError` as
 * `invalid`). The table is asked for at every poll, conditionally (If-None-Match / If-Modified-Since with the validators
 * the source's cursor keeps): an unchanged table costs a 304, a changed one is read and its sites' datasets updated,
 * whichever instance polls (each process keeps the parsed table only as long as its digest is the one in the cursor).
 * A measurement naming a site or an index the table does not know is skipped with a structured warning; sensors are
 * never made from measurements alone.
 */
@Injectable()
export class Datex2Poller implements SensorPoller {
  readonly type = 'datex2' as const;
  /** Tests replace the fetches; production uses the guarded one with the source's credentials. */
  fetchFor: (cfg: Datex2Config) => FetchText;
  tableFetchFor: (cfg: Datex2Config) => FetchIfChanged;
  /** Parsed site tables by source, with the url and digest they came from. */
  private readonly tables = new Map<string, { url: string; digest: string; table: DatexSiteTable }>();

  constructor(
    private readonly writes: PollWriter,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.fetchFor = (cfg) => pollFetch(config, cfg.format === 'v3-json' ? 'application/json' : 'application/xml', cfg);
    this.tableFetchFor = (cfg) => pollFetchIfChanged(config, 'application/xml, application/json', cfg);
  }

  async poll(source: PolledSource, pc: PollContext): Promise<PollResult> {
    const cfg = source.config as Datex2Config;
    const url = cfg.site_table_url;
    if (!url) {
      throw new IngestError('invalid', 'Eine DATEX-II-Quelle braucht die Messstellentabelle (site_table_url): ohne sie bleibt unklar, was ein Index misst.', 'config.site_table_url');
    }
    const counts: Record<string, number> = { site_table_fetches: 0 };
    const known = stateOf(source.cursor, url);
    const { table, state } = await this.siteTable(source, pc, url, known, counts);
    const body = await this.fetchFor(cfg)(cfg.url);
    const parsed = parseDatexMeasuredData(body, table);
    if (parsed.version !== VERSION_OF[cfg.format]) {
      throw new IngestError('invalid', `Die Quelle ist als ${cfg.format} eingerichtet, geliefert wurde ${parsed.version}.`, 'format');
    }
    const checked: IngestWarning[] = [];
    if (known && parsed.warnings.some(isUnknown)) {
      // The table was asked for again in this run and still does not know them; never make sensors from the measurements.
      checked.push({ code: 'site_table_refreshed', message: `Messstellentabelle ${table.id ?? url} (Version ${table.version ?? '?'}) neu geprüft; unbekannte Messstellen oder Indizes bleiben übersprungen.` });
    }
    await pc.report(0.5, `${parsed.readings.length} Messwerte`);
    const result = await this.writes.store(pc.ctx, source, { readings: parsed.readings, warnings: parsed.warnings });
    // A site the table knows whose dataset is gone (deleted by a steward): made anew at the next poll, as for other pollers.
    const gone = result.warnings.some((w) => w.code === 'unknown_station' && w.station !== undefined && table.sites.has(w.station));
    return {
      counts: { ...counts, ...result.counts },
      cursor: { ...source.cursor, site_table: gone ? { ...state, resync: true } : state, ...(parsed.publicationTime ? { publication_time: parsed.publicationTime.toISOString() } : {}) },
      warnings: [...result.warnings, ...checked],
    };
  }

  /**
   * The current site table: the parsed copy this process holds when the server says it is unchanged (304) or sends the
   * same bytes, else the new one. Its sites' datasets are made or updated when the table is not the one the cursor
   * names (another run, of any instance, did so for that one) or when the last poll found a site's dataset gone.
   */
  private async siteTable(
    source: PolledSource, pc: PollContext, url: string, known: SiteTableState | undefined, counts: Record<string, number>,
  ): Promise<{ table: DatexSiteTable; state: SiteTableState }> {
    const cached = this.tables.get(source.id);
    const holdsKnown = cached && known && cached.url === url && cached.digest === known.digest ? cached : undefined;
    const answer = await this.tableFetchFor(source.config as Datex2Config)(url, holdsKnown ? { etag: known!.etag, lastModified: known!.last_modified } : undefined);
    let table: DatexSiteTable;
    let state: SiteTableState;
    if (answer.notModified) {
      // Only asked conditionally while holding the table the validators are of.
      table = holdsKnown!.table;
      state = { ...known! };
    } else {
      counts.site_table_fetches++;
      const digest = createHash('sha256').update(answer.body).digest('hex');
      table = cached && cached.url === url && cached.digest === digest
        ? cached.table
        : answer.body.trimStart().startsWith('{') ? parseSiteIndexMap(answer.body) : parseMeasurementSiteTableXml(answer.body);
      this.tables.set(source.id, { url, digest, table });
      state = { url, id: table.id ?? null, version: table.version ?? null, digest, resync: known?.resync || known?.digest !== digest };
      if (answer.etag) state.etag = answer.etag;
      if (answer.lastModified) state.last_modified = answer.lastModified;
    }
    if (state.resync) {
      const stations = datexStations(table);
      await this.writes.syncStations(pc.ctx, source, stations);
      counts.stations = stations.length;
    }
    delete state.resync;
    return { table, state };
  }
}
