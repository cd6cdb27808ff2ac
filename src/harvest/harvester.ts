/**
 * The one API a harvester plug-in (`harvesters/<type>/`) sees (a dependency-cruiser rule keeps them to this file).
 * A harvester fetches and transforms; the runner (src/harvest/) owns persistence: it keeps harvest objects, decides
 * created / updated / unchanged / deleted, keeps a dataset offered by two sources once, and writes datasets through
 * the dispatcher (package_create / package_update / package_delete) as the site, so every write passes the same
 * validation, visibility rule and audit trail as a client's.
 *
 * A run, as the runner drives it:
 *   1. `parseConfig` checked the source's `config` when it was saved (and again at the start of each run);
 *   2. `gather(run)` lists the source: it yields the records that changed since `run.since` (all of them on a full
 *      run, `since` null), and, when it can list the whole source, every identity present there (`present`) and at
 *      the end `complete`, from which the runner withdraws what it harvested before and the source no longer has;
 *   3. `fetch(record, run)` completes a record whose content the listing did not bring (may return it unchanged);
 *   4. `toPackage(record, run)` maps it to a CKAN package dict, or says why it cannot be imported.
 * Everything remote goes through `run.fetch` (http(s) only, private addresses refused unless
 * HARVEST_ALLOW_PRIVATE_ADDRESSES, bounded redirects, size and time, retries with back-off) and stops when
 * `run.signal` aborts (harvest_job_abort, the job's timeout).
 */

/** A CKAN dict (a package dict as package_create takes it, or a remote one). */
export type Dict = Record<string, unknown>;

/** The harvest source as a plug-in sees it. */
export interface HarvestSourceInfo {
  /** The source's id (a dataset of type `harvest`). */
  id: string;
  /** The remote endpoint (a CKAN site's base URL, a DCAT catalog's URL). */
  url: string;
  /** `ckan`, `dcat_rdf`. */
  type: string;
  /** The source's `config`, as parseConfig returned it (secrets included, decrypted for this run only). */
  config: Dict;
  /** The organization the source belongs to (name), where its datasets go unless the config maps organizations. */
  organization: string | null;
}

/** A response of `run.fetch`. Status codes other than 2xx are returned, not thrown; refusals and network failures after the retries throw. */
export interface RemoteResponse {
  /** The URL finally answered (after redirects). */
  url: string;
  status: number;
  contentType: string | null;
  body: Buffer;
  /** The body as text (UTF-8, or the charset the content type names). */
  text(): string;
}

/** A GET request's options (harvesting only reads: no plug-in sends a body). */
export interface FetchOptions {
  /** Accept header. */
  accept?: string;
  headers?: Record<string, string>;
}

/** What a remote record is, to the runner. */
export interface RemoteRecord {
  /**
   * The record's identity at this source (CKAN: the remote dataset id; DCAT: the dataset's IRI). Harvest objects are
   * kept per (source, guid); `harvest_object_show` finds them by it.
   */
  guid: string;
  /**
   * The dataset's identity across sources (DCAT `dct:identifier`, CKAN's `identifier` extra, else the guid): the same
   * identifier offered by two sources is kept once, the newest `modified` winning, as GovData does.
   */
  identifier: string;
  /** When the source says the record last changed (ISO 8601), if it says; equal to the stored one: unchanged. */
  modified?: string;
  /** The record's content as fetched (a JSON dict, the dataset's RDF as Turtle): kept as the harvest object's content. */
  content?: string;
  /** What the plug-in keeps between gather and toPackage (a parsed dict, say). Not stored. */
  data?: unknown;
}

/** What gather yields: a changed record, identities present at the source, or the word that the listing was whole. */
export type GatherItem = { record: RemoteRecord } | { present: string[] } | { complete: true };

/** toPackage's answer: the package dict to create or update, or a reason not to import the record. */
export type ImportDecision =
  | {
      action: 'import';
      /** The package dict (name proposed; the runner keeps it unique, sets owner_org and the harvest fields). */
      package: Dict;
      /** The remote organization (CKAN harvester), mapped by the source's config; absent: the source's organization. */
      remoteOrganization?: { name: string; title?: string; description?: string; image_url?: string };
    }
  | { action: 'skip'; reason: string };

/** One run of one source, as the runner hands it to the plug-in. */
export interface HarvestRun {
  source: HarvestSourceInfo;
  /** Start of the last successful run (ISO 8601): gather what changed since; null on a full run. */
  since: string | null;
  fetch(url: string, options?: FetchOptions): Promise<RemoteResponse>;
  /** Aborted by harvest_job_abort or the job's timeout: stop between requests. */
  signal: AbortSignal;
  /** For the job's progress (and the CLI's bar): records done so far, out of `total` when known. */
  progress(done: number, total?: number): void;
  /** Tools of the catalog a plug-in may use (RDF parsing and reading through the DCAT profiles). */
  tools: HarvestTools;
}

/** A parsed RDF document: its dcat:Dataset nodes read back as package dicts, and hydra paging. */
export interface ParsedCatalog {
  /**
   * Each dcat:Dataset as a package dict through the DCAT-AP.de profile (`uri` its IRI), with its own triples as Turtle;
   * `identifier` and `modified` are its dct:identifier and dct:modified as written. `dict` and `turtle` are read when
   * first asked, so a run that needs only identities and dates of unchanged datasets does not pay for them.
   */
  datasets: { uri: string; identifier?: string; modified?: string; readonly dict: Dict; readonly turtle: string }[];
  /** hydra:nextPage (hydra:PagedCollection / PartialCollectionView), absolute. */
  nextPage?: string;
  /** hydra:totalItems, when given. */
  totalItems?: number;
}

export interface HarvestTools {
  /**
   * Parses an RDF document (Turtle, RDF/XML, JSON-LD, N-Triples, by content type or, failing that, by sniffing) and
   * reads its datasets through the catalog's DCAT profiles (DCAT-AP.de 2.0 and 3.0 terms). Throws HarvestError for a
   * document that is not RDF.
   */
  parseCatalog(body: string, contentType: string | null, baseIri: string): Promise<ParsedCatalog>;
}

/** A failure with a message for the report (the remote identifier, when the failure is one record's). */
export class HarvestError extends Error {
  constructor(message: string, readonly guid?: string) {
    super(message);
    this.name = 'HarvestError';
  }
}

/** A source config that cannot be used: messages per config key, shown under `config` in the 409. */
export class HarvestConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'HarvestConfigError';
  }
}

export interface Harvester {
  /** `ckan`, `dcat_rdf` (the source's `source_type`). */
  readonly type: string;
  /**
   * ckanext-harvest's info(): shown by harvest_source_type_list and harvesters_info_show (name, title, description, and
   * form_config_interface 'Text' when the source form offers its config as text).
   */
  readonly info: { name: string; title: string; description: string; form_config_interface?: string };
  /** Config keys whose values are secrets (stored encrypted, never shown back): `api_key`, say. */
  readonly secretKeys: readonly string[];
  /** Checks the source's config (the parsed JSON of its `config` string; {} when empty); throws HarvestConfigError. */
  parseConfig(raw: Dict): Dict;
  gather(run: HarvestRun): AsyncIterable<GatherItem>;
  fetch(record: RemoteRecord, run: HarvestRun): Promise<RemoteRecord>;
  toPackage(record: RemoteRecord, run: HarvestRun): ImportDecision | Promise<ImportDecision>;
}
