import { plainToInstance, Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, ValidateBy, ValidationOptions, validateSync } from 'class-validator';
import { join } from 'node:path';
import { CONTRIBUTORS } from '../../dcat-profiles/vocabularies/contributors';
import { addressEntries, isAddressEntry } from '../common/address-list';

/** What CATALOG_CONTRIBUTOR_ID accepts: each contributor's short form and IRI. */
const CONTRIBUTOR_IDS = CONTRIBUTORS.flatMap((c) => [c.code, c.iri]);

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  return value;
};

/** `*`, or origins (scheme://host[:port], no path) separated by commas or spaces. */
const CORS_ORIGIN = '[A-Za-z][A-Za-z0-9+.-]*://[^\\s,/?#]+';
const CORS_ORIGINS_PATTERN = new RegExp(`^\\s*(\\*|${CORS_ORIGIN}([\\s,]+${CORS_ORIGIN})*)\\s*,?\\s*$`);

/** Addresses, ranges (CIDR) and the names loopback, linklocal, uniquelocal, separated by commas or spaces. */
function IsAddressList({ hops, ...opts }: ValidationOptions & { hops?: boolean }): PropertyDecorator {
  return ValidateBy({
    name: 'isAddressList',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && ((hops === true && /^\s*[1-9]\d{0,2}\s*$/.test(v)) || (addressEntries(v).length > 0 && addressEntries(v).every(isAddressEntry))),
    },
  }, opts);
}

/**
 * Every setting the service reads, validated once at start-up. README.md lists them;
 * `.env.example` shows them with their defaults. Code reads the injected AppConfig, never process.env.
 */
export class Env {
  /** TCP port of the HTTP server. */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) PORT = 5000;

  /** Interface to bind; 0.0.0.0 in containers. */
  @IsString() HOST = '127.0.0.1';

  /** Public base URL used in every link the API returns (help URLs, download URLs, RDF IRIs). Default http://localhost:$PORT. */
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }) SITE_URL?: string;

  /** Title and description shown by status_show and in the DCAT catalog. */
  @IsString() SITE_TITLE = 'Offene Daten';
  @IsString() SITE_DESCRIPTION = 'Open-Data-Katalog';

  /**
   * The portal maps' base map: a raster tile URL template ({z}/{x}/{y}, Leaflet's). Default Germany's official
   * basemap.de (BKG, CC BY 4.0). MAP_ATTRIBUTION is the credit shown on the map.
   */
  @IsString() @MinLength(1) MAP_STYLE_URL = 'https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_farbe/default/GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png';
  @IsString() MAP_ATTRIBUTION = `© GeoBasis-DE / BKG (${new Date().getUTCFullYear()}) CC BY 4.0`;

  /** Default locale reported by status_show. */
  @IsString() LOCALE_DEFAULT = 'de';

  /** PostgreSQL connection URL. Unset: start the embedded PostgreSQL under $DATA_DIR/pg. */
  @IsOptional() @IsString() @MinLength(1) DATABASE_URL?: string;

  /** Where local state lives: the embedded database (pg/) and, by default, uploaded files (uploads/). */
  @IsString() DATA_DIR = './data';

  /** Fixed port for the embedded PostgreSQL; unset: a free port is chosen at every start. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(65535) EMBEDDED_PG_PORT?: number;

  /**
   * The embedded PostgreSQL's shared_buffers in MB; unset: a quarter of the machine's memory, at least 128 and at most
   * 4096 (PostgreSQL's own default of 128 MB keeps too little of a sensor history hot: a day of one datastream lies on
   * ~300 pages).
   */
  @IsOptional() @Type(() => Number) @IsInt() @Min(16) @Max(1_048_576) EMBEDDED_PG_SHARED_BUFFERS_MB?: number;

  /** Maximum connections in the database pool. */
  @Type(() => Number) @IsInt() @Min(1) @Max(500) DATABASE_POOL_SIZE = 10;

  /** Creates (or promotes) this sysadmin at start-up when both are set. */
  @IsOptional() @IsString() SYSADMIN_NAME?: string;
  @IsOptional() @IsString() SYSADMIN_PASSWORD?: string;
  @IsOptional() @IsString() SYSADMIN_EMAIL?: string;

  /** CKAN's ckan.auth.user_create_organizations: may any logged-in user create organizations? */
  @Transform(toBool) @IsBoolean() AUTH_USER_CREATE_ORGANIZATIONS = false;

  /** CKAN's ckan.auth.user_create_groups: may any logged-in user create groups? */
  @Transform(toBool) @IsBoolean() AUTH_USER_CREATE_GROUPS = true;

  /** CKAN's ckan.auth.public_user_details: may anonymous callers read user_show/user_list? */
  @Transform(toBool) @IsBoolean() AUTH_PUBLIC_USER_DETAILS = true;

  /** Longest lifetime of a new API token in days, and the lifetime of one created without expires_in/expires. */
  @Type(() => Number) @IsInt() @Min(1) @Max(36500) API_TOKEN_MAX_DAYS = 180;

  /** Days an expired API token stays listed in api_token_list (refused all the while) before the nightly sweep deletes it. */
  @Type(() => Number) @IsInt() @Min(0) @Max(36500) API_TOKEN_KEEP_EXPIRED_DAYS = 30;

  /**
   * CKAN's ckan.auth.allow_dataset_collaborators: users named on a dataset (package_collaborator_create) read it, and
   * as editor edit it. CKAN compat: on by default here (CKAN: off), as the platform's datasets are shared per person.
   */
  @Transform(toBool) @IsBoolean() AUTH_ALLOW_DATASET_COLLABORATORS = true;

  /** CKAN's ckan.auth.allow_admin_collaborators: may a collaborator be "admin" (manage the dataset's collaborators)? */
  @Transform(toBool) @IsBoolean() AUTH_ALLOW_ADMIN_COLLABORATORS = false;

  /** CKAN's ckan.auth.allow_collaborators_to_change_owner_org: may editor collaborators move a dataset to another organization? */
  @Transform(toBool) @IsBoolean() AUTH_ALLOW_COLLABORATORS_TO_CHANGE_OWNER_ORG = false;

  /**
   * CKAN's ckan.auth.roles_that_cascade_to_sub_groups: roles (admin, editor, member, separated by commas or spaces, or
   * "none") that, held in an organization, also apply in all its sub-organizations, for organizations whose own
   * cascade_roles is unset.
   */
  @Matches(/^\s*(none|(admin|editor|member)([\s,]+(admin|editor|member))*)\s*,?\s*$/, {
    message: 'AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS must be roles among admin, editor, member separated by commas or spaces, or none',
  })
  AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS = 'admin';

  /**
   * CORS as CKAN's ckan.cors.* settings: unset → no CORS headers; `*` → every origin (origin_allow_all);
   * origins separated by commas or spaces → those origins (origin_whitelist).
   */
  @IsOptional() @Matches(CORS_ORIGINS_PATTERN, { message: 'CORS_ORIGINS must be *, or origins like https://dashboard.example.org separated by commas or spaces' })
  CORS_ORIGINS?: string;

  /**
   * The reverse proxies whose X-Forwarded-For is believed: their addresses or ranges (loopback, 10.0.0.0/8, ...), or the
   * number of proxies in front of the service. Unset: none, the caller's address is the socket's (a client cannot claim another).
   */
  @IsOptional() @IsAddressList({ hops: true, message: 'TRUST_PROXY must be addresses or ranges (127.0.0.1, 10.0.0.0/8, loopback, uniquelocal) separated by commas, or a number of proxies' })
  TRUST_PROXY?: string;

  /** Requests an address without a valid API token may make per RATE_LIMIT_WINDOW_SECONDS; 0: no limit. */
  @Type(() => Number) @IsInt() @Min(0) RATE_LIMIT_ANONYMOUS = 600;
  /** Requests one API token may make per RATE_LIMIT_WINDOW_SECONDS, wherever they come from; 0: no limit. Sysadmins' tokens have none. */
  @Type(() => Number) @IsInt() @Min(0) RATE_LIMIT_TOKEN = 3000;
  /** The window both request limits count in, in seconds. */
  @Type(() => Number) @IsInt() @Min(1) @Max(86400) RATE_LIMIT_WINDOW_SECONDS = 60;
  /** Addresses and ranges never limited (a portal front end, monitoring), separated by commas or spaces. */
  @IsOptional() @IsAddressList({ message: 'RATE_LIMIT_EXEMPT_ADDRESSES must be addresses or ranges (127.0.0.1, 10.0.0.0/8, loopback) separated by commas' })
  RATE_LIMIT_EXEMPT_ADDRESSES?: string;
  /** Failed password checks one account may have per RATE_LIMIT_LOGIN_WINDOW_SECONDS before every check is refused until the window ends; 0: no limit. */
  @Type(() => Number) @IsInt() @Min(0) RATE_LIMIT_LOGIN_PER_ACCOUNT = 10;
  /** Failed password checks one address may cause per RATE_LIMIT_LOGIN_WINDOW_SECONDS, over all accounts; 0: no limit. */
  @Type(() => Number) @IsInt() @Min(0) RATE_LIMIT_LOGIN_PER_ADDRESS = 30;
  /** The window failed password checks count in, in seconds (ckanext-security's lock_timeout: 15 minutes). */
  @Type(() => Number) @IsInt() @Min(1) @Max(86400) RATE_LIMIT_LOGIN_WINDOW_SECONDS = 900;

  /** How long a web login (the portal's session cookie) lasts from the login, in minutes; then the steward logs in again. */
  @Type(() => Number) @IsInt() @Min(5) @Max(43200) WEB_SESSION_MINUTES = 480;

  /** Largest accepted action request body (JSON or form), in bytes. */
  @Type(() => Number) @IsInt() @Min(1024) MAX_BODY_BYTES = 10 * 1024 * 1024;

  /** pino log level. */
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';

  /** Log lines as JSON for machines (`json`), readable for a person (`pretty`), or `auto`: readable when stdout is a terminal. */
  @IsIn(['auto', 'json', 'pretty']) LOG_FORMAT: 'auto' | 'json' | 'pretty' = 'auto';

  /** Run background jobs in this process; false: it only enqueues and schedules them (a web-only replica; the CLI). */
  @Transform(toBool) @IsBoolean() JOBS_WORKER = true;
  /** Jobs of one kind this process runs at the same time. */
  @Type(() => Number) @IsInt() @Min(1) @Max(50) JOBS_CONCURRENCY = 2;
  /** How often an idle worker looks for new jobs, in milliseconds (a job enqueued here wakes it at once). */
  @Type(() => Number) @IsInt() @Min(500) JOBS_POLL_INTERVAL_MS = 2000;
  /** At shutdown, how long running jobs may take to finish, in milliseconds; the rest are handed back to be retried. */
  @Type(() => Number) @IsInt() @Min(1000) JOBS_SHUTDOWN_TIMEOUT_MS = 8000;

  /** Meilisearch URL: set, text search runs on Meilisearch (PostgreSQL keeps answering structured queries). */
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }) MEILI_URL?: string;
  /** Meilisearch API key (the master key, or a key with index and search rights). */
  @IsOptional() @IsString() MEILI_API_KEY?: string;
  /** Meilisearch index holding the datasets. */
  @IsString() MEILI_INDEX = 'datasets';

  /** Hold every dataset's search fields and words in memory and answer package_search there; false: SQL only. */
  @Transform(toBool) @IsBoolean() SEARCH_IN_MEMORY = true;

  /** Memory for rendered package_show dicts, in MiB (0 disables the cache). */
  @Type(() => Number) @IsInt() @Min(0) PACKAGE_CACHE_MB = 256;

  /** datastore_search's default `limit` (CKAN's ckan.datastore.search.rows_default). */
  @Type(() => Number) @IsInt() @Min(1) DATASTORE_SEARCH_ROWS_DEFAULT = 100;
  /** The largest `limit` datastore_search answers; larger ones are cut to it (ckan.datastore.search.rows_max). */
  @Type(() => Number) @IsInt() @Min(1) DATASTORE_SEARCH_ROWS_MAX = 32000;
  /** PostgreSQL text search configuration of DataStore full text (`_full_text`, `q`) unless a search names `language` (ckan.datastore.default_fts_lang). */
  @Matches(/^[a-z_][a-z0-9_]*$/, { message: 'DATASTORE_FTS_LANG must be the name of a text search configuration, e.g. english or german' }) DATASTORE_FTS_LANG = 'english';
  /**
   * Index method of DataStore full-text indexes (ckan.datastore.default_fts_index_method, whose default is gist): GIN answers
   * text queries exactly and takes bulk writes about twice as fast as GiST (200,000 rows with three full-text indexes: 4.3 s against 9.6 s).
   */
  @IsIn(['gin', 'gist'], { message: 'DATASTORE_FTS_INDEX_METHOD must be gin or gist' }) DATASTORE_FTS_INDEX_METHOD: 'gin' | 'gist' = 'gin';
  /**
   * Column types that get a full-text index of their own, for `q` as a dict (ckan.datastore.default_fts_index_field_types),
   * separated by spaces or commas, from text and tsvector; `none`: only the whole-row `_full_text` index. CKAN compat: CKAN
   * 2.12's default, none: each such index costs every insert a to_tsvector and a GIN entry (about a quarter of a batch
   * insert), and `q` by field still works without it, only slower on large tables.
   */
  @Matches(/^(none|\s*(text|tsvector)\s*([\s,]+(text|tsvector)\s*)*)$/i, { message: 'DATASTORE_FTS_INDEX_FIELD_TYPES must list types from text, tsvector, or be none' })
  DATASTORE_FTS_INDEX_FIELD_TYPES = 'none';

  /** The loader may fetch links to private, loopback and link-local addresses (only for a catalog inside a closed network, and tests). */
  @Transform(toBool) @IsBoolean() LOADER_ALLOW_PRIVATE_ADDRESSES = false;
  /** Largest file the loader reads (a link's download or an upload), in bytes (ckanext.xloader.max_content_length). */
  @Type(() => Number) @IsInt() @Min(1) LOADER_MAX_BYTES = 1_000_000_000;
  /** How long the download of a link may take in all, in seconds. */
  @Type(() => Number) @IsInt() @Min(1) LOADER_FETCH_TIMEOUT_SECONDS = 120;
  /**
   * Formats loaded on their own when a resource is created or its file changes (ckanext.xloader.formats), comma-separated
   * from csv, tsv, xlsx; `none`: only on xloader_submit (an empty setting means the default, like every setting here).
   */
  @Matches(/^(none|\s*(csv|tsv|xlsx)\s*(,\s*(csv|tsv|xlsx)\s*)*)$/i, { message: 'LOADER_FORMATS must list formats from csv, tsv, xlsx, separated by commas, or be none' }) LOADER_FORMATS = 'csv,tsv,xlsx';
  /** datastore_search_sql: off unless true (CKAN's ckan.datastore.sqlsearch.enabled); off, the action does not exist. */
  @Transform(toBool) @IsBoolean() DATASTORE_SQL_ENABLED = false;
  /** statement_timeout of a datastore_search_sql query, in milliseconds (CKAN's fixed 60 s for DataStore queries). */
  @Type(() => Number) @IsInt() @Min(100) DATASTORE_SQL_TIMEOUT_MS = 60000;
  /** SensorThings API (/sta/v1.1): `$top` when a request gives none (FROST's default 100). */
  @Type(() => Number) @IsInt() @Min(1) STA_DEFAULT_TOP = 100;
  /** SensorThings API: the largest `$top` answered; larger ones are lowered to it and @iot.nextLink pages on (FROST's maxTop). */
  @Type(() => Number) @IsInt() @Min(1) STA_MAX_TOP = 10000;

  /** DCAT catalog metadata (the /catalog endpoints); title and description default to SITE_TITLE / SITE_DESCRIPTION. */
  @IsOptional() @IsString() CATALOG_TITLE?: string;
  @IsOptional() @IsString() CATALOG_DESCRIPTION?: string;
  /** The catalog's publisher (foaf:Agent): name (default SITE_TITLE), homepage, e-mail, ADMS publisher type (e.g. LocalAuthority). */
  @IsOptional() @IsString() CATALOG_PUBLISHER_NAME?: string;
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true }) CATALOG_PUBLISHER_URL?: string;
  @IsOptional() @IsString() CATALOG_PUBLISHER_EMAIL?: string;
  @IsOptional() @IsString() CATALOG_PUBLISHER_TYPE?: string;
  /** The catalog's language (a short form like de, or an EU language IRI). */
  @IsString() CATALOG_LANGUAGE = 'de';
  /** The catalog's own licence (short form like dl-zero-de/2.0, or IRI); unset: none stated. */
  @IsOptional() @IsString() CATALOG_LICENSE?: string;
  /**
   * The platform's GovData contributor ID (dcat-ap.de contributor list, short form or IRI): published as
   * dcatde:contributorID for datasets whose organization has none. Unset: only organizations' and datasets' own IDs.
   */
  @IsOptional() @IsIn(CONTRIBUTOR_IDS, { message: 'CATALOG_CONTRIBUTOR_ID must be an ID of http://dcat-ap.de/def/contributors (e.g. openNRW or its IRI)' })
  CATALOG_CONTRIBUTOR_ID?: string;
  /** Datasets per page of /catalog.{ttl,rdf,…} (hydra paging). */
  @Type(() => Number) @IsInt() @Min(1) @Max(1000) DCAT_PAGE_SIZE = 100;
  /** Memory for catalog pages' Turtle of each dataset, reused while the dataset is unchanged (0: written anew each time). */
  @Type(() => Number) @IsInt() @Min(0) DCAT_CACHE_MB = 128;
  /** DCAT-AP.de validation of every dataset write, unless its organization (extra dcat_validation) or the request says otherwise. */
  @IsIn(['off', 'warn', 'enforce']) DCAT_VALIDATION: 'off' | 'warn' | 'enforce' = 'warn';

  /** Harvest sources may reach private, loopback and link-local addresses (only for a platform inside a closed network). */
  @Transform(toBool) @IsBoolean() HARVEST_ALLOW_PRIVATE_ADDRESSES = false;
  /** Time limit of one request to a harvest source, in milliseconds (each retry gets it anew). */
  @Type(() => Number) @IsInt() @Min(1) HARVEST_TIMEOUT_MS = 30_000;
  /** Largest answer of a harvest source, in bytes. */
  @Type(() => Number) @IsInt() @Min(1) HARVEST_MAX_BYTES = 50_000_000;
  /** Retries of a harvest request after a network error, 5xx or 429 (exponential back-off, Retry-After honoured). */
  @Type(() => Number) @IsInt() @Min(0) @Max(10) HARVEST_RETRIES = 3;
  /** First back-off of those retries, in milliseconds (doubled each time). */
  @Type(() => Number) @IsInt() @Min(0) HARVEST_RETRY_DELAY_MS = 1000;
  /** Records of one harvest job fetched and written at the same time (each in its own transaction). */
  @Type(() => Number) @IsInt() @Min(1) @Max(32) HARVEST_CONCURRENCY = 4;
  /** A harvest job running longer is aborted (and one whose worker died is finished by the sweep after this time); fractions allowed. */
  @Type(() => Number) @IsNumber() @Min(0.001) HARVEST_JOB_TIMEOUT_MINUTES = 120;
  /**
   * Key for the secrets of harvest sources (AES-256-GCM), base64 of 32 bytes. Unset: a key file generated once
   * (mode 0600) at $DATA_DIR/secrets.key.
   */
  @IsOptional() @IsString() SECRETS_KEY?: string;

  /** Largest resource upload, in bytes (CKAN's ckan.max_resource_size); larger ones are refused before they are read. */
  @Type(() => Number) @IsInt() @Min(1) UPLOAD_MAX_BYTES = 2 * 1024 * 1024 * 1024;

  /** Folder of uploaded files on the local filesystem. Default $DATA_DIR/uploads. */
  @IsOptional() @IsString() @MinLength(1) STORAGE_PATH?: string;

  /** S3-compatible storage for uploads: set the bucket to use it instead of the local folder. */
  @IsOptional() @IsString() @MinLength(1) STORAGE_S3_BUCKET?: string;
  /** The S3 endpoint (MinIO, Ceph, a provider's URL); unset: AWS. */
  @IsOptional() @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }) STORAGE_S3_ENDPOINT?: string;
  @IsString() STORAGE_S3_REGION = 'us-east-1';
  /** Credentials; unset: the AWS SDK's default chain (environment, instance role). */
  @IsOptional() @IsString() STORAGE_S3_ACCESS_KEY_ID?: string;
  @IsOptional() @IsString() STORAGE_S3_SECRET_ACCESS_KEY?: string;
  /** Path-style URLs (endpoint/bucket/key), which most S3-compatible servers need. */
  @Transform(toBool) @IsBoolean() STORAGE_S3_FORCE_PATH_STYLE = true;
  /** A key prefix inside the bucket, so one bucket can hold several catalogs. */
  @IsString() STORAGE_S3_PREFIX = '';

  /**
   * The MQTT broker the service ingests from and publishes SensorThings updates on (mqtt://, mqtts://, ws://, wss://).
   * Unset: the service runs its own broker (aedes) on HOST:MQTT_PORT, as FROST-Server does; `off`: no MQTT at all.
   */
  @IsOptional() @Matches(/^(off|(mqtts?|wss?|tcp|ssl):\/\/\S+)$/i, { message: 'MQTT_URL must be a broker URL (mqtt://host:1883, mqtts://, ws://, wss://) or off' })
  MQTT_URL?: string;
  /** Port of the service's own broker (MQTT_URL unset); 0: a free port. Not 1883, where a system Mosquitto usually listens. */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) MQTT_PORT = 1884;
  /** Client id at MQTT_URL, the key of the persistent session there (one per instance); default catalog-<host name>. */
  @IsOptional() @Matches(/^[\x21-\x7e]{1,128}$/, { message: 'MQTT_CLIENT_ID must be 1 to 128 printable ASCII characters without spaces' }) MQTT_CLIENT_ID?: string;
  /** Credentials at MQTT_URL; with the own broker, what clients must present to publish (unset: anyone who reaches it may). */
  @IsOptional() @IsString() MQTT_USERNAME?: string;
  @IsOptional() @IsString() MQTT_PASSWORD?: string;
  /** MQTT version spoken to MQTT_URL: 5 (No Local, shared subscriptions, session expiry) or 4 (3.1.1, for brokers without 5). */
  @Type(() => Number) @IsIn([4, 5], { message: 'MQTT_PROTOCOL_VERSION must be 4 (MQTT 3.1.1) or 5' }) MQTT_PROTOCOL_VERSION: 4 | 5 = 5;
  /** Shared subscription group at MQTT_URL ($share/<group>/<topic>): instances in one group split the messages between them. */
  @IsOptional() @Matches(/^[^/+#\s]+$/, { message: 'MQTT_SHARED_GROUP must be a name without /, +, # or spaces' }) MQTT_SHARED_GROUP?: string;
}

export interface AppConfig extends Omit<Env, 'SITE_URL' | 'STORAGE_PATH'> {
  SITE_URL: string;
  STORAGE_PATH: string;
}

export class ConfigError extends Error {}

/** Validates raw variables; throws ConfigError naming every bad key. */
export function loadConfig(raw: Record<string, string | undefined> = process.env): AppConfig {
  const known = Object.keys(new Env());
  const picked: Record<string, string> = {};
  const optional = ['SITE_URL', 'TRUST_PROXY', 'RATE_LIMIT_EXEMPT_ADDRESSES', 'DATABASE_URL', 'EMBEDDED_PG_PORT', 'EMBEDDED_PG_SHARED_BUFFERS_MB', 'SYSADMIN_NAME', 'SYSADMIN_PASSWORD', 'SYSADMIN_EMAIL', 'MEILI_URL', 'MEILI_API_KEY', 'CORS_ORIGINS',
    'CATALOG_TITLE', 'CATALOG_DESCRIPTION', 'CATALOG_PUBLISHER_NAME', 'CATALOG_PUBLISHER_URL', 'CATALOG_PUBLISHER_EMAIL', 'CATALOG_PUBLISHER_TYPE', 'CATALOG_LICENSE', 'CATALOG_CONTRIBUTOR_ID',
    'STORAGE_PATH', 'STORAGE_S3_BUCKET', 'STORAGE_S3_ENDPOINT', 'STORAGE_S3_ACCESS_KEY_ID', 'STORAGE_S3_SECRET_ACCESS_KEY',
    'MQTT_URL', 'MQTT_CLIENT_ID', 'MQTT_USERNAME', 'MQTT_PASSWORD', 'MQTT_SHARED_GROUP', 'SECRETS_KEY'];
  for (const key of [...known, ...optional]) {
    const v = raw[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const env = plainToInstance(Env, picked, { exposeDefaultValues: true });
  const errors = validateSync(env, { forbidUnknownValues: false });
  if (errors.length) {
    const lines = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const siteUrl = (env.SITE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  return { ...env, SITE_URL: siteUrl, STORAGE_PATH: env.STORAGE_PATH ?? join(env.DATA_DIR, 'uploads') };
}

/** Nest injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
