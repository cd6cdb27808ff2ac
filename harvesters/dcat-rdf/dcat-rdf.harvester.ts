import { createHash } from 'node:crypto';
import {
  Dict, GatherItem, HarvestConfigError, HarvestError, Harvester, HarvestRun, ImportDecision, ParsedCatalog, RemoteRecord, RemoteResponse,
} from '../../src/harvest/harvester';

/**
 * The generic DCAT RDF harvester (ckanext-dcat's `dcat_rdf`): reads a catalog document (Turtle, RDF/XML, JSON-LD,
 * N-Triples…) and follows its hydra paging to the end; each dcat:Dataset is a record whose identity is its IRI and
 * whose cross-source identity is its dct:identifier, passed on unchanged. A catalog is always listed whole, so every
 * run lists every dataset (`present`, then `complete`): the runner tells unchanged ones by `modified` and content and
 * withdraws what the catalog no longer lists. Reading RDF is the catalog's (`run.tools.parseCatalog`, DCAT-AP.de 2.0
 * and 3.0 through the profiles); this file fetches, pages and maps.
 */

/** ckanext-dcat's `rdf_format` values (rdflib's parser names, and our endpoints' extensions) → the media type to read. */
const RDF_FORMATS: Record<string, string> = {
  xml: 'application/rdf+xml', 'pretty-xml': 'application/rdf+xml', rdf: 'application/rdf+xml', 'application/rdf+xml': 'application/rdf+xml',
  turtle: 'text/turtle', ttl: 'text/turtle', 'text/turtle': 'text/turtle',
  n3: 'text/n3', 'text/n3': 'text/n3',
  nt: 'application/n-triples', nt11: 'application/n-triples', ntriples: 'application/n-triples', 'application/n-triples': 'application/n-triples',
  nquads: 'application/n-quads', 'application/n-quads': 'application/n-quads', trig: 'application/trig', 'application/trig': 'application/trig',
  'json-ld': 'application/ld+json', jsonld: 'application/ld+json', 'application/ld+json': 'application/ld+json',
};

/** What we ask a catalog for: Turtle first (the fastest to read), RDF/XML (what most DCAT-AP.de endpoints serve), JSON-LD. */
export const DCAT_ACCEPT = 'text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7, text/n3;q=0.6, application/xml;q=0.3, */*;q=0.1';

const CONTRIBUTORS = 'http://dcat-ap.de/def/contributors/';
const DEFAULT_MAX_PAGES = 10_000;
const TAG_CHARS = /[^\p{L}\p{N}_ \-.]+/gu;

/** The source's config, checked (parseConfig's answer). */
export interface DcatRdfConfig {
  /** Read every page as this format, whatever the server says (ckanext-dcat's `rdf_format`): a media type. */
  rdf_format?: string;
  /** Tags added to every harvested dataset. */
  default_tags?: string[];
  /** Extras set on every harvested dataset that does not have them. */
  default_extras?: Record<string, string>;
  /** GovData's dcatde harvester: contributor IDs appended to every dataset that lacks them (IRIs). */
  contributorID?: string[];
  /** GovData's dcatde harvester: skip datasets without distributions. */
  resources_required?: boolean;
  /** Pages read at most before the run is stopped as runaway paging. */
  max_pages?: number;
}

const extrasOf = (d: Dict): { key: string; value: string }[] => ((d.extras as { key: string; value: string }[] | undefined) ?? []).map((e) => ({ ...e }));
const isSkolem = (uri: string): boolean => uri.includes('/.well-known/genid/');
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class DcatRdfHarvester implements Harvester {
  readonly type = 'dcat_rdf';
  readonly info = {
    name: 'dcat_rdf',
    title: 'Generic DCAT RDF Harvester',
    description: 'Harvester for DCAT datasets from an RDF graph (DCAT-AP.de 2.0 and 3.0; Turtle, RDF/XML, JSON-LD, N-Triples; hydra paging)',
  };
  readonly secretKeys: readonly string[] = [];

  parseConfig(raw: Dict): Dict {
    const problems: string[] = [];
    const out: DcatRdfConfig = {};
    if (raw.rdf_format !== undefined) {
      const f = typeof raw.rdf_format === 'string' ? RDF_FORMATS[raw.rdf_format.trim().toLowerCase()] : undefined;
      if (f) out.rdf_format = f;
      else problems.push(`rdf_format must be one of: ${Object.keys(RDF_FORMATS).filter((k) => !k.includes('/')).join(', ')} (or a media type)`);
    }
    if (raw.default_tags !== undefined) {
      const list = Array.isArray(raw.default_tags) ? raw.default_tags.map((t) => (typeof t === 'string' ? t : t && typeof t === 'object' ? (t as Dict).name : undefined)) : undefined;
      if (list && list.every((t): t is string => typeof t === 'string' && cleanTag(t) !== undefined)) out.default_tags = list.map((t) => cleanTag(t)!);
      else problems.push('default_tags must be a list of tags (strings or {"name": …}), each at least 2 characters');
    }
    if (raw.default_extras !== undefined) {
      const o = raw.default_extras;
      if (o && typeof o === 'object' && !Array.isArray(o)) out.default_extras = Object.fromEntries(Object.entries(o as Dict).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
      else problems.push('default_extras must be an object of extra keys and values');
    }
    if (raw.contributorID !== undefined) {
      const list = (Array.isArray(raw.contributorID) ? raw.contributorID : [raw.contributorID]) as unknown[];
      if (list.length && list.every((x) => typeof x === 'string' && x.trim())) out.contributorID = list.map((x) => (/^https?:\/\//.test(String(x)) ? String(x).trim() : CONTRIBUTORS + String(x).trim()));
      else problems.push('contributorID must be a contributor ID (IRI or short form) or a list of them');
    }
    if (raw.resources_required !== undefined) {
      if (typeof raw.resources_required === 'boolean') out.resources_required = raw.resources_required;
      else problems.push('resources_required must be true or false');
    }
    if (raw.max_pages !== undefined) {
      if (Number.isInteger(raw.max_pages) && (raw.max_pages as number) > 0) out.max_pages = raw.max_pages as number;
      else problems.push('max_pages must be a positive integer');
    }
    if (problems.length) throw new HarvestConfigError(problems);
    // Keys of other harvesters' configs are kept as they came (ckanext-harvest never refuses them).
    return { ...raw, ...out };
  }

  async *gather(run: HarvestRun): AsyncIterable<GatherItem> {
    const config = run.source.config as DcatRdfConfig;
    const maxPages = config.max_pages ?? DEFAULT_MAX_PAGES;
    const pagesSeen = new Set<string>();
    const listed = new Set<string>();
    let url: string | undefined = run.source.url;
    let pages = 0;
    let total: number | undefined;
    let previousBody: string | undefined;
    const accept = config.rdf_format ?? DCAT_ACCEPT;
    // The next page, asked for while this one is read (the source builds it meanwhile): see glanceAtNext.
    let ahead: { url: string; response: Promise<RemoteResponse> } | undefined;
    while (url) {
      run.signal.throwIfAborted();
      if (pagesSeen.has(url)) throw new HarvestError(`the catalog's paging runs in a circle: ${url} was read before (after ${pages} pages); nothing withdrawn this run`);
      if (pages >= maxPages) throw new HarvestError(`the catalog has more than ${maxPages} pages (config max_pages); nothing withdrawn this run`);
      pagesSeen.add(url);
      pages++;
      let res: RemoteResponse;
      try {
        res = await (ahead?.url === url ? ahead.response : run.fetch(url, { accept }));
      } catch (e) {
        run.signal.throwIfAborted();
        // Refused addresses, timeouts and network failures after the fetch's retries: the report names the page.
        throw new HarvestError(`page ${pages} (${url}): ${message(e)}; nothing withdrawn this run`);
      }
      if (res.status < 200 || res.status > 299) throw new HarvestError(`page ${pages} (${url}) answered HTTP ${res.status}; nothing withdrawn this run`);
      pagesSeen.add(res.url);
      const text = res.text();
      ahead = undefined;
      const guess = pages < maxPages ? glanceAtNext(text, res.url) : undefined;
      if (guess && !pagesSeen.has(guess) && !run.signal.aborted) {
        const response = run.fetch(guess, { accept });
        response.catch(() => undefined); // a guess that is not used (or fails) is no one's error
        ahead = { url: guess, response };
      }
      // The same text as the page before (compared as strings: they differ early, or in length, when pages differ).
      if (text === previousBody) throw new HarvestError(`page ${pages} (${url}) is the same as the page before it: the source ignores its own paging; nothing withdrawn this run`);
      previousBody = text;
      let parsed: ParsedCatalog;
      try {
        parsed = await run.tools.parseCatalog(text, config.rdf_format ?? res.contentType, res.url);
      } catch (e) {
        throw new HarvestError(`page ${pages} (${url}): ${message(e)}`);
      }
      if (parsed.totalItems !== undefined) total = parsed.totalItems;
      const present: string[] = [];
      for (const d of parsed.datasets) {
        if (listed.has(d.uri)) continue; // listed again on a later page (the catalog changed while we paged)
        listed.add(d.uri);
        present.push(d.uri);
        yield { record: this.record(d) };
      }
      yield { present };
      run.progress(listed.size, total);
      url = parsed.nextPage;
    }
    // Offset paging over a catalog that changes meanwhile skips datasets; withdrawing those would be wrong.
    if (total !== undefined && listed.size < total) {
      throw new HarvestError(`the catalog says it holds ${total} datasets but its pages listed ${listed.size} (it changed while it was read?); nothing withdrawn this run`);
    }
    yield { complete: true };
  }

  /** A listed dataset: identity and date now; its dict and Turtle (the costly part) when the runner fetches it. */
  private record(d: ParsedCatalog['datasets'][number]): RemoteRecord {
    return { guid: d.uri, identifier: d.identifier || d.uri, ...(d.modified ? { modified: d.modified } : {}), data: new Listed(d) };
  }

  /** The listing brought everything: the dataset's own statements become the content, its dict what toPackage maps. */
  fetch(record: RemoteRecord, _run?: HarvestRun): Promise<RemoteRecord> {
    if (!(record.data instanceof Listed)) return Promise.resolve(record);
    const d = record.data.dataset;
    return Promise.resolve({ ...record, content: d.turtle, data: d.dict });
  }

  async toPackage(record: RemoteRecord, run: HarvestRun): Promise<ImportDecision> {
    const config = run.source.config as DcatRdfConfig;
    const listed = record.data instanceof Listed ? record.data.dataset.dict : (record.data as Dict | undefined);
    const dict = listed ?? (await this.fromContent(record, run));
    if (!dict) return { action: 'skip', reason: `no RDF description of ${record.guid} to import` };
    const title = typeof dict.title === 'string' ? dict.title.trim() : '';
    if (!title) return { action: 'skip', reason: `${record.guid} has no dct:title` };
    const resources = ((dict.resources as Dict[] | undefined) ?? []).map(toResource);
    // A series and a data service have no distributions of their own: the config's rule is about datasets.
    const kind = dict.type === 'dataset_series' || dict.type === 'data_service' ? dict.type : undefined;
    if (config.resources_required && !resources.length && !kind) return { action: 'skip', reason: `${record.guid} has no distribution (config resources_required)` };

    const extras = extrasOf(dict).filter((e) => e.key !== 'uri');
    const set = (key: string, value: string): void => {
      const i = extras.findIndex((e) => e.key === key);
      if (i >= 0) extras[i].value = value;
      else extras.push({ key, value });
    };
    // ckanext-dcat keeps the dataset's IRI as the `uri` extra (none for a blank-node dataset).
    if (!isSkolem(record.guid)) set('uri', record.guid);
    for (const [k, v] of Object.entries(config.default_extras ?? {})) if (!extras.some((e) => e.key === k)) extras.push({ key: k, value: v });
    if (config.contributorID?.length) {
      const own = listValue(extras.find((e) => e.key === 'contributorID')?.value);
      const all = [...new Set([...own, ...config.contributorID])];
      if (all.length !== own.length) set('contributorID', all.length === 1 ? all[0] : JSON.stringify(all));
    }
    const tags = new Map<string, string>();
    for (const t of [...((dict.tags as { name: string }[] | undefined) ?? []).map((x) => x.name), ...(config.default_tags ?? [])]) {
      const clean = cleanTag(t);
      if (clean && !tags.has(clean.toLowerCase())) tags.set(clean.toLowerCase(), clean);
    }
    const pkg: Dict = {
      name: slug(title),
      title,
      notes: typeof dict.notes === 'string' ? dict.notes : '',
      tags: [...tags.values()].map((name) => ({ name })),
      extras,
      resources,
    };
    for (const key of ['url', 'version', 'license_id', 'author', 'author_email', 'maintainer', 'maintainer_email'] as const) if (typeof dict[key] === 'string' && dict[key]) pkg[key] = dict[key];
    // DCAT-AP 3's dataset series and standalone data services keep their CKAN type (in_series, serves_dataset and the
    // service's endpoint are extras; references name the remote dataset's dct:identifier, which the harvested copy keeps).
    if (kind) pkg.type = kind;
    return { action: 'import', package: pkg };
  }

  /** A record the runner kept (content, no parsed dict): read its Turtle again. */
  private async fromContent(record: RemoteRecord, run: HarvestRun): Promise<Dict | undefined> {
    if (!record.content) return undefined;
    try {
      return (await run.tools.parseCatalog(record.content, 'text/turtle', record.guid)).datasets.find((d) => d.uri === record.guid)?.dict;
    } catch (e) {
      throw new HarvestError(`the stored description of ${record.guid} cannot be read: ${message(e)}`, record.guid);
    }
  }
}

/**
 * The next page's URL as a glance at the text finds it (the first hydra:next / hydra:nextPage link, in any syntax),
 * before the page is parsed: its request then runs while this page is read. Only a guess: the link the parse finds
 * is the one followed, and a wrong guess costs one unused request.
 */
export function glanceAtNext(text: string, base: string): string | undefined {
  // The object right after the property: <IRI> (Turtle, N-Triples), rdf:resource="IRI" or >IRI< (RDF/XML),
  // "IRI" or {"@id": "IRI"} (JSON-LD). A mention without one (a comment, a blank node) is passed over.
  const object = /^>?\s*(?:<([^>\s]+)>|rdf:resource\s*=\s*"([^"]+)"|(?<=>\s*)(https?:\/\/[^<\s]+)<|"?\s*:\s*(?:\{\s*"@id"\s*:\s*)?"([^"]+)")/;
  for (const m of text.matchAll(/(?:hydra:|\/hydra\/core#)next(?:Page)?\b/g)) {
    const o = object.exec(text.slice(m.index + m[0].length, m.index + m[0].length + 300));
    const link = o?.[1] ?? o?.[2] ?? o?.[3] ?? o?.[4];
    if (!link) continue;
    try {
      return new URL(link.replace(/&amp;/g, '&'), base).href;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A dataset as the listing found it (`record.data` until fetched). */
class Listed {
  constructor(readonly dataset: ParsedCatalog['datasets'][number]) {}
}

/** A distribution as a link resource: what the profile read, with values our resource schema would refuse left out. */
function toResource(r: Dict): Dict {
  const out: Dict = {};
  for (const [k, v] of Object.entries(r)) if (typeof v === 'string' && v.trim()) out[k] = v.trim();
  if (Array.isArray(r.access_services) && r.access_services.length) out.access_services = r.access_services;
  if (typeof out.mimetype === 'string' && !/^[\w.+-]+\/[\w.+-]+$/.test(out.mimetype)) delete out.mimetype;
  if (typeof out.size === 'string') {
    if (/^\d+$/.test(out.size)) out.size = Number(out.size);
    else delete out.size;
  }
  out.url ??= '';
  return out;
}

/** A keyword as a CKAN tag (letters, digits, space, - _ .; 2 to 100 characters), or nothing. */
export function cleanTag(raw: string): string | undefined {
  const t = raw.replace(TAG_CHARS, ' ').replace(/\s+/g, ' ').trim().slice(0, 100).trim();
  return t.length >= 2 ? t : undefined;
}

function listValue(v: string | undefined): string[] {
  if (!v) return [];
  if (v.trim().startsWith('[')) {
    try {
      const list = JSON.parse(v) as unknown;
      if (Array.isArray(list)) return list.map(String);
    } catch {
      /* a single value */
    }
  }
  return [v];
}

const UMLAUTS: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss', Ä: 'ae', Ö: 'oe', Ü: 'ue' };

/** A dataset name proposed from the title (the runner keeps names unique): lower case, umlauts spelled out, dashes. */
export function slug(title: string): string {
  const s = title
    .replace(/[äöüßÄÖÜ]/g, (c) => UMLAUTS[c])
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 90)
    .replace(/-$/, '');
  return s.length >= 2 ? s : `dataset-${createHash('sha256').update(title).digest('hex').slice(0, 8)}`;
}
