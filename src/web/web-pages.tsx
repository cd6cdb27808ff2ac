import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';
import type { ActionContext, Caller } from '../api/action-context';
import { Dispatcher } from '../api/dispatcher';
import { CkanError, TooManyRequests } from '../api/errors';
import { Authenticator } from '../auth/authenticator';
import { cookieFrom, SESSION_COOKIE, sessionCsrfToken } from '../auth/web-sessions';
import { csrfMatches, sameOrigin } from './csrf';
import type { Logger } from '../common/logger';
import { APP_CONFIG, AppConfig } from '../config/env';
import { getClientBundles } from './client-build';
import { datasetStewardPart } from './dataset-steward';
import type { PackageDict } from './dataset-fields';
import { LANG_COOKIE, pickLang, translator } from './i18n/i18n';
import { DatasetPage, Markdown, ResourcePage } from './pages/dataset';
import { GaugeRow, GaugesPage, LiveStream, MapBox, MapPoint, MapSettings, ObservationRecord, PlacesTable, StreamBlock, TrafficPage, TrafficSite } from './pages/live';
import { Layout, PageEnv, SearchForm } from './pages/layout';
import { ErrorPage, GroupListPage, GroupSummary, HomePage } from './pages/portal';
import { DatasetSearch, FacetItem, SearchResult } from './pages/search';
import { FacetField, parseSearch, searchInput } from './search-params';
import { DatastorePage, DatastorePreview, FilePreview, FilePreviewSection } from './pages/preview';
import { parsePreview, PreviewState, previewSearchInput } from './preview-params';
import { datasetStewardLinks, loaderPart, mayChangeDataset, mayEditDataset, resourceStewardLinks } from './steward-parts';

const HTML_TYPE = 'text/html;charset=utf-8';
const YEAR = 365 * 24 * 3600;

/** A page's answer: status, title and body, or a redirect. */
export interface Page {
  status?: number;
  /** Answer 303 See Other to this address instead of a page (after a form changed something). */
  redirect?: string;
  /** Set-Cookie headers to send along. */
  cookies?: string[];
  /** Seconds until the caller may try again (a 429 page). */
  retryAfter?: number;
  title: string;
  /** Other forms of the same thing (a dataset's RDF), as `<link rel="alternate">` for linked-data clients. */
  alternates?: { type: string; href: string }[];
  /** `Cache-Control: no-store` instead of `private, no-cache` (a page with a secret in it: a new API token). */
  noStore?: boolean;
  /** The client islands the page needs (built by client-build.ts). */
  islands?: ('chart' | 'map' | 'upload' | 'loader')[];
  body?: VNode;
}

/** How many of a stream's latest values its table shows; the chart reads more through the API. */
const TABLE_ROWS = 24;
/** Traffic tags of sensor datasets (sensor-quantities.ts) that put a dataset on the traffic map. */
const TRAFFIC_TAGS = ['Verkehrszählung', 'Verkehrsstärke', 'Geschwindigkeit', 'Belegung'];
/** At most this many sensor datasets on an overview map. */
const OVERVIEW_LIMIT = 500;

/** An error a page turns into its own page: what the status is, and a detail in words (search syntax). */
export class PageError extends Error {
  constructor(readonly status: 400 | 403 | 404 | 429, readonly detail?: string) {
    super(`page error ${status}`);
  }
}

/**
 * An action's "not authorized" as the 403 page. The portal shows a thing the caller may not read as 404; a page that
 * uses this has already read the thing (a dataset, a source, a token list of the caller's), so a refusal of a write or
 * of a steward's read is no secret and says so.
 */
export async function orForbidden<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof CkanError && err.kind === 'not_authorized') throw new PageError(403);
    throw err;
  }
}

/**
 * The citizen pages, server-rendered with Preact. Each request resolves its caller as the API does (Authenticator:
 * the API token headers; anonymous without one) and reads only through actions (`ctx.call`), so what a page shows
 * is exactly what package_search and package_show let that caller see. Bad input never reaches a 500: unknown
 * parameters read as defaults, a missing or unreadable dataset is the 404 page, a query that does not parse a 400 page.
 */
@Injectable()
export class WebPages {
  private readonly map: MapSettings;

  constructor(private readonly dispatcher: Dispatcher, private readonly authenticator: Authenticator, @Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.map = { tiles: config.MAP_STYLE_URL, attribution: config.MAP_ATTRIBUTION };
  }

  /**
   * Whether the action's own auth rule lets the caller call it with this input (the dispatcher's check without
   * running it): what a page offers (an edit link, a form) follows exactly what the API would allow.
   */
  async may(ctx: ActionContext, action: string, data: Record<string, unknown>): Promise<boolean> {
    if (!ctx.user) return false;
    try {
      await this.dispatcher.authorize(action, data, ctx);
      return true;
    } catch (err) {
      if (err instanceof CkanError && (err.kind === 'not_authorized' || err.kind === 'not_found')) return false;
      throw err;
    }
  }

  /** The caller of a page request: an API token, else the web login's session cookie (Authenticator decides); null for anonymous. */
  caller(req: FastifyRequest): Promise<Caller | null> {
    return this.authenticator.fromPageHeaders(req.headers);
  }

  /** The action context a page request runs its actions in, for its caller. */
  contextFor(req: FastifyRequest, user: Caller | null, scope: 'read' | 'write', what: string): ActionContext {
    const request = { method: req.method, path: req.url.split('?')[0], requestId: String(req.id), address: req.ip };
    return this.dispatcher.context(user, { log: req.log as unknown as Logger, request, scope, what });
  }

  /** Whether a POST's Origin (when sent) is this site's. */
  sameOrigin(req: FastifyRequest): boolean {
    return sameOrigin(req, this.config.SITE_URL);
  }

  /** Runs a page: language, caller, context; renders the result or the error page. */
  async serve(
    req: FastifyRequest,
    reply: FastifyReply,
    build: (ctx: ActionContext, env: PageEnv, query: Record<string, unknown>, form: URLSearchParams) => Promise<Page>,
    opts: { csrf?: 'session' | 'none' | 'multipart' } = {},
  ): Promise<void> {
    const query = (req.query ?? {}) as Record<string, unknown>;
    const post = req.method === 'POST';
    const form = post ? formBody(req) : new URLSearchParams();
    const { lang, fromQuery } = pickLang(query.lang, req.headers.cookie, req.headers['accept-language']);
    if (fromQuery) void reply.header('set-cookie', `${LANG_COOKIE}=${lang}; Path=/; Max-Age=${YEAR}; HttpOnly; SameSite=Lax`);
    const env: PageEnv = { lang, t: translator(lang), siteTitle: 'Offene Daten', switchHref: switchHref(req.url, lang === 'de' ? 'en' : 'de') };
    let page: Page;
    try {
      // An API token, else the web login's cookie (Authenticator decides); only a cookie login has a CSRF token.
      const user = await this.caller(req);
      const session = cookieFrom(req.headers.cookie, SESSION_COOKIE);
      if (user) env.user = user.name;
      if (user && !user.token && session) env.csrf = sessionCsrfToken(session);
      // Every POST that changes something: from this site (Origin, when sent) and with the session's token. SameSite=Lax alone is not relied on.
      // A multipart form (uploads) carries its token in the body the page streams: the page checks it before storing a file.
      const inBody = opts.csrf === 'multipart' && isMultipart(req);
      if (post && (opts.csrf ?? 'session') !== 'none' && (!this.sameOrigin(req) || (!inBody && !csrfMatches(form.get('_csrf'), env.csrf)))) throw new PageError(403, env.t('error.csrfText'));
      const ctx = this.contextFor(req, user, post ? 'write' : 'read', post ? 'sending a form' : 'reading a page');
      const site = await ctx.call<{ site_title?: string }>('status_show', {});
      if (site.site_title) env.siteTitle = site.site_title;
      page = await build(ctx, env, query, form);
    } catch (err) {
      if (err instanceof TooManyRequests) {
        const minutes = Math.max(1, Math.ceil(err.retryAfterSeconds / 60));
        page = { status: 429, retryAfter: err.retryAfterSeconds, title: env.t('error.tooManyTitle'), body: <ErrorPage env={env} status={429} detail={env.t('error.tooManyText', { minutes })} /> };
      } else {
        const status = err instanceof PageError ? err.status : errorStatus(err);
        if (status === undefined) throw err;
        const title = status === 404 ? 'error.notFoundTitle' : status === 403 ? 'error.forbiddenTitle' : status === 429 ? 'error.tooManyTitle' : 'error.badRequestTitle';
        page = { status, title: env.t(title), body: <ErrorPage env={env} status={status} detail={err instanceof PageError ? err.detail : undefined} /> };
      }
    }
    for (const c of page.cookies ?? []) void reply.header('set-cookie', c);
    // A body left unread (an upload refused before it was read) is not read after the answer either: the connection closes.
    if (post && !req.raw.complete) void reply.header('connection', 'close');
    if (page.redirect) {
      void reply.code(303).header('location', page.redirect).header('cache-control', 'no-store').send();
      return;
    }
    if (page.retryAfter) void reply.header('retry-after', String(page.retryAfter));
    const bundles = page.islands?.length ? getClientBundles().entries : {};
    const assets = (page.islands ?? []).map((name) => bundles[name]).filter((a) => !!a);
    const html = `<!DOCTYPE html>${render(<Layout env={env} title={page.title} alternates={page.alternates} assets={assets}>{page.body ?? null}</Layout>)}`;
    // The page differs by language (cookie, Accept-Language) and by caller (token headers; ResponseHeaders adds those).
    const vary = [reply.getHeader('vary'), 'Accept-Language', 'Cookie'].filter(Boolean).join(', ');
    void reply.code(page.status ?? 200).header('content-type', HTML_TYPE).header('vary', vary).header('cache-control', page.noStore ? 'no-store' : 'private, no-cache').send(html);
  }

  /** The 404 page for an address no route has (the HTTP error filter asks for it when a browser is calling). */
  notFound(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.serve(req, reply, () => Promise.reject(new PageError(404)));
  }

  home = (ctx: ActionContext, env: PageEnv): Promise<Page> => this.homePage(ctx, env);

  private async homePage(ctx: ActionContext, env: PageEnv): Promise<Page> {
    const [search, orgs, groups] = await Promise.all([
      ctx.call<SearchResult>('package_search', { rows: 5, sort: 'metadata_modified desc', include_private: true, 'facet.field': JSON.stringify(['organization', 'groups']), 'facet.limit': -1 }),
      ctx.call<string[]>('organization_list', {}),
      ctx.call<string[]>('group_list', {}),
    ]);
    const top = (field: FacetField): FacetItem[] => [...(search.search_facets[field]?.items ?? [])].sort((a, b) => b.count - a.count).slice(0, 8);
    return {
      title: env.siteTitle,
      body: <HomePage env={env} counts={{ datasets: search.count, organizations: orgs.length, groups: groups.length }} newest={search.results} organizations={top('organization')} groups={top('groups')} />,
    };
  }

  search = async (ctx: ActionContext, env: PageEnv, query: Record<string, unknown>): Promise<Page> => {
    const state = parseSearch(query);
    const { result, error } = await this.runSearch(ctx, env, searchInput(state));
    return {
      status: error ? 400 : 200,
      title: env.t('search.title'),
      body: (
        <>
          <h1>{env.t('search.title')}</h1>
          <SearchForm env={env} action="/dataset" q={state.q} hidden={state.filters.map(([f, v]) => [f, v])} />
          <DatasetSearch env={env} base="/dataset" state={state} result={result} error={error} />
        </>
      ),
    };
  };

  dataset = async (ctx: ActionContext, env: PageEnv, id: string): Promise<Page> => {
    const d = await ctx.call<PackageDict>('package_show', { id });
    const rdf = (ext: string): string => `/dataset/${encodeURIComponent(d.id)}.${ext}`;
    const alternates = [{ type: 'text/turtle', href: rdf('ttl') }, { type: 'application/rdf+xml', href: rdf('rdf') }, { type: 'application/ld+json', href: rdf('jsonld') }];
    const [live, mayEdit, mayChange] = await Promise.all([this.liveParts(ctx, env, d), mayEditDataset(ctx, d), mayChangeDataset(this, ctx, d)]);
    const steward = env.user ? await datasetStewardPart(ctx, env, d, mayEdit) : null;
    return {
      title: d.title || d.name, alternates, islands: live.islands,
      body: <DatasetPage env={env} d={d} steward={steward} actions={datasetStewardLinks(env, d, mayChange)}>{live.body}</DatasetPage>,
    };
  };

  /**
   * A dataset's live data and map: each Datastream of a sensor dataset with its latest value, thresholds, chart and
   * table (sensor_dataset_streams, datastore_search); a map of its `spatial` extent and sensor locations.
   */
  private async liveParts(ctx: ActionContext, env: PageEnv, d: PackageDict): Promise<{ islands: ('chart' | 'map')[]; body: VNode | null }> {
    const isSensor = (d.resources ?? []).some((r) => (r as { resource_type?: string }).resource_type === 'sensor_datastream');
    const streams = isSensor ? await ctx.call<LiveStream[]>('sensor_dataset_streams', { id: d.id }) : [];
    const records = await Promise.all(streams.map((s) => this.recent(ctx, s)));
    const spatialText = (d.extras ?? []).find((e) => e.key === 'spatial')?.value;
    let geojson: unknown;
    try {
      geojson = spatialText ? JSON.parse(spatialText) : undefined;
    } catch {
      geojson = undefined;
    }
    const points: MapPoint[] = [];
    for (const s of streams) if (s.location && !points.some((p) => p.name === s.thing)) points.push({ lon: s.location[0], lat: s.location[1], name: s.thing });
    const hasMap = !!geojson || points.length > 0;
    if (!streams.length && !hasMap) return { islands: [], body: null };
    const resourceHref = (rid: string): string => `/dataset/${encodeURIComponent(d.name)}/resource/${encodeURIComponent(rid)}`;
    return {
      islands: [...(streams.length ? ['chart' as const] : []), ...(hasMap ? ['map' as const] : [])],
      body: (
        <>
          {streams.length ? (
            <section class="live" aria-labelledby="live-title">
              <h2 id="live-title">{env.t('live.title')}</h2>
              {streams.map((s, i) => <StreamBlock env={env} s={s} records={records[i]} allHref={s.resource_id ? resourceHref(s.resource_id) : undefined} />)}
            </section>
          ) : null}
          {hasMap ? (
            <section aria-labelledby="map-title">
              <h2 id="map-title">{env.t('live.mapTitle')}</h2>
              <MapBox env={env} name={d.title || d.name} settings={this.map} points={points} geojson={geojson} />
              {points.length ? <PlacesTable env={env} caption={env.t('live.mapAlternative')} points={points} /> : null}
              {geojson && spatialText ? <details><summary>{env.t('live.spatialText')}</summary><pre class="geojson">{spatialText}</pre></details> : null}
            </section>
          ) : null}
        </>
      ),
    };
  }

  /** The resource of a Datastream (its DataStore view): the stream's latest value, thresholds, chart and table. */
  private async streamOfResource(ctx: ActionContext, env: PageEnv, d: PackageDict, r: { id: string }): Promise<VNode | null> {
    if ((r as { resource_type?: string }).resource_type !== 'sensor_datastream') return null;
    const s = (await ctx.call<LiveStream[]>('sensor_dataset_streams', { id: d.id })).find((x) => x.resource_id === r.id);
    if (!s) return null;
    return (
      <section class="live" aria-labelledby="live-title">
        <h2 id="live-title">{env.t('live.title')}</h2>
        <StreamBlock env={env} s={s} records={await this.recent(ctx, s)} />
      </section>
    );
  }

  /** A stream's latest values for its table, newest first; none when its DataStore view cannot be read. */
  private async recent(ctx: ActionContext, s: LiveStream): Promise<ObservationRecord[]> {
    if (!s.resource_id) return [];
    try {
      const r = await ctx.call<{ records: ObservationRecord[] }>('datastore_search', {
        resource_id: s.resource_id, sort: 'phenomenon_time desc', limit: TABLE_ROWS, fields: ['phenomenon_time', 'result', 'quality'],
      });
      return r.records;
    } catch (err) {
      if (err instanceof CkanError && (err.kind === 'not_found' || err.kind === 'not_authorized')) return [];
      throw err;
    }
  }

  /** The sensor datasets with one of these tags the caller may read, each with its Datastreams (package_search, then sensor_datasets_streams). */
  private async sensorDatasets(ctx: ActionContext, tags: string[]): Promise<{ dataset: { name: string; title: string }; streams: LiveStream[] }[]> {
    const fq = tags.map((tag) => `tags:"${tag}"`).join(' OR ');
    // Only the fields the page shows (fl): 500 whole dataset dicts cost more to build than the rest of the page.
    const search = await ctx.call<SearchResult>('package_search', { fq, rows: OVERVIEW_LIMIT, include_private: true, sort: 'title_string asc', fl: 'id,name,title' });
    const datasets = search.results as { id: string; name: string; title?: string }[];
    // One call for all of them (not one per dataset): the page costs two actions however many gauges there are.
    const streams = datasets.length ? await ctx.call<Record<string, LiveStream[]>>('sensor_datasets_streams', { ids: datasets.map((d) => d.id) }) : {};
    return datasets.map((d) => ({ dataset: { name: d.name, title: d.title || d.name }, streams: streams[d.id] ?? [] }));
  }

  gauges = async (ctx: ActionContext, env: PageEnv): Promise<Page> => {
    const rows: GaugeRow[] = (await this.sensorDatasets(ctx, ['Wasserstand'])).flatMap(({ dataset, streams }) =>
      streams.filter((s) => s.quantity === 'water_level').map((stream) => ({ dataset, stream })));
    return { title: env.t('live.gaugesTitle'), islands: ['map'], body: <GaugesPage env={env} rows={rows} settings={this.map} /> };
  };

  traffic = async (ctx: ActionContext, env: PageEnv): Promise<Page> => {
    const sites: TrafficSite[] = (await this.sensorDatasets(ctx, TRAFFIC_TAGS)).map(({ dataset, streams }) => ({ dataset, streams: streams.filter((s) => s.kind === 'traffic') }));
    return { title: env.t('live.trafficTitle'), islands: ['map'], body: <TrafficPage env={env} sites={sites} settings={this.map} /> };
  };

  resource = async (ctx: ActionContext, env: PageEnv, id: string, resourceId: string, query: Record<string, unknown> = {}): Promise<Page> => {
    const d = await ctx.call<PackageDict>('package_show', { id });
    const r = (d.resources ?? []).find((x) => x.id === resourceId);
    if (!r) throw new PageError(404);
    const name = r.name || env.t('resource.unnamed');
    const base = `/dataset/${encodeURIComponent(d.name)}/resource/${encodeURIComponent(r.id)}`;
    let preview: VNode | null = null;
    let status = 200;
    if (r.datastore_active) {
      const state = parsePreview(query);
      const { data, badParams } = await this.datastorePage(ctx, r.id, state);
      if (badParams) status = 400;
      if (data) preview = <DatastorePreview env={env} base={base} name={name} resourceId={r.id} state={state} data={data} badParams={badParams} />;
    } else if (r.url_type === 'upload') {
      // Only uploads: a link resource's address is never fetched by the server for a preview.
      const file = await ctx.call<FilePreview>('resource_preview', { id: r.id }).catch((err: unknown) => {
        if (err instanceof CkanError) return null;
        throw err;
      });
      if (file) preview = <FilePreviewSection env={env} name={name} preview={file} />;
    }
    const [live, links, loader] = await Promise.all([this.streamOfResource(ctx, env, d, r), resourceStewardLinks(this, ctx, env, d, r), loaderPart(ctx, env, d, r)]);
    const islands: Page['islands'] = [...(live ? ['chart' as const] : []), ...(loader.busy ? ['loader' as const] : [])];
    return { status, title: name, islands, body: <><ResourcePage env={env} d={d} r={r} actions={links}>{loader.body}{preview}</ResourcePage>{live}</> };
  };

  /**
   * One page of a DataStore table through datastore_search with the caller. A sort or filter the table refuses (409:
   * an unknown column, a bad value) shows the table without them and says so; a table gone meanwhile shows no preview.
   */
  private async datastorePage(ctx: ActionContext, resourceId: string, state: PreviewState): Promise<{ data?: DatastorePage; badParams: boolean }> {
    const search = (withQuery: boolean): Promise<DatastorePage> => ctx.call<DatastorePage>('datastore_search', previewSearchInput(resourceId, state, withQuery));
    try {
      return { data: await search(true), badParams: false };
    } catch (err) {
      if (!(err instanceof CkanError)) throw err;
      if (err.kind !== 'validation') return { badParams: false };
    }
    try {
      return { data: await search(false), badParams: true };
    } catch (err) {
      if (err instanceof CkanError) return { badParams: true };
      throw err;
    }
  }

  groupList = (kind: 'organization' | 'group') => async (ctx: ActionContext, env: PageEnv): Promise<Page> => {
    const [groups, search] = await Promise.all([
      ctx.call<{ name: string; title?: string; description?: string }[]>(`${kind}_list`, { all_fields: true, limit: 1000 }),
      // Counts from the search facets: only datasets this caller may read count.
      ctx.call<SearchResult>('package_search', { rows: 0, include_private: true, 'facet.field': JSON.stringify([kind === 'organization' ? 'organization' : 'groups']), 'facet.limit': -1 }),
    ]);
    const counts = new Map((search.search_facets[kind === 'organization' ? 'organization' : 'groups']?.items ?? []).map((i) => [i.name, i.count]));
    const summaries: GroupSummary[] = groups.map((g) => ({ name: g.name, title: g.title, description: g.description, count: counts.get(g.name) ?? 0 }));
    return { title: env.t(kind === 'organization' ? 'org.title' : 'group.title'), body: <GroupListPage env={env} kind={kind} groups={summaries} /> };
  };

  group = (kind: 'organization' | 'group', id: string) => async (ctx: ActionContext, env: PageEnv, query: Record<string, unknown>): Promise<Page> => {
    // Only what the page shows: the count comes from the search below, so no second search for package_count, and no members, tags or followers.
    const g = await ctx.call<{ id: string; name: string; title?: string; description?: string; type?: string }>(`${kind}_show`, {
      id, include_datasets: false, include_dataset_count: false, include_users: false, include_groups: false, include_tags: false, include_followers: false, include_extras: false,
    });
    const fixed: FacetField = kind === 'organization' ? 'organization' : 'groups';
    const state = parseSearch(query, [fixed]);
    const fq = kind === 'organization' ? `owner_org:"${g.id}"` : `groups:"${g.name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    const { result, error } = await this.runSearch(ctx, env, searchInput(state, [fq]));
    const base = `/${kind}/${encodeURIComponent(g.name)}`;
    return {
      status: error ? 400 : 200,
      title: g.title || g.name,
      body: (
        <>
          <h1>{g.title || g.name}</h1>
          {g.description?.trim() ? <Markdown text={g.description} /> : null}
          <p class="meta"><a href={`/${kind}/members/${encodeURIComponent(g.name)}`}>{env.t('members.link')}</a></p>
          <SearchForm env={env} action={base} q={state.q} hidden={state.filters.map(([f, v]) => [f, v])} />
          <DatasetSearch env={env} base={base} state={state} result={result} hideFacets={[fixed]} error={error} />
        </>
      ),
    };
  };

  /** package_search; a query that does not parse is a message on the page (400), not an error page. */
  private async runSearch(ctx: ActionContext, env: PageEnv, input: Record<string, unknown>): Promise<{ result: SearchResult; error?: string }> {
    try {
      return { result: await ctx.call<SearchResult>('package_search', input) };
    } catch (err) {
      if (err instanceof CkanError && (err.kind === 'search_query' || err.kind === 'search' || err.kind === 'validation')) {
        return { result: { count: 0, results: [], search_facets: {} }, error: env.t('search.badQuery') };
      }
      throw err;
    }
  }
}

/** The status of an action's error as a page shows it; a dataset the caller may not read is "not found" (no leak of its existence). */
function errorStatus(err: unknown): 400 | 403 | 404 | undefined {
  if (!(err instanceof CkanError)) return undefined;
  switch (err.kind) {
    case 'not_found':
      return 404;
    case 'not_authorized':
      return 404;
    case 'validation':
    case 'data':
    case 'search_query':
    case 'search':
    case 'bad_request':
      return 400;
    case 'rate_limited':
      return undefined;
  }
}

/** The current address with `lang` set to the other language (other parameters kept). */
function switchHref(url: string, lang: string): string {
  const [path, qs] = url.split('?', 2);
  const p = new URLSearchParams(qs ?? '');
  p.set('lang', lang);
  return `${path}?${p.toString()}`;
}

/** Whether the request's body is multipart (a form with a file), which the HTTP layer leaves unread as a stream. */
export function isMultipart(req: FastifyRequest): boolean {
  return /^multipart\/form-data/i.test(String(req.headers['content-type'] ?? ''));
}

/** A POSTed form (application/x-www-form-urlencoded; the HTTP layer hands every body over raw). */
function formBody(req: FastifyRequest): URLSearchParams {
  const type = String(req.headers['content-type'] ?? '');
  const body = req.body;
  if (!/^application\/x-www-form-urlencoded/i.test(type)) return new URLSearchParams();
  return new URLSearchParams(Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '');
}
