import { Inject, Injectable } from '@nestjs/common';
import type { Quad, Term } from '@rdfjs/types';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionContext } from '../api/action-context';
import { ValidationError } from '../api/errors';
import { APP_CONFIG, AppConfig } from '../config/env';
import { choicesText, resolveTerm, VOCABULARY_EXTRAS, VocabularyName } from '../../dcat-profiles/vocabularies';
import { HVD_LEGISLATION } from '../../dcat-profiles/vocabularies/hvd-categories';
import { serviceKindOf } from '../../dcat-profiles/vocabularies/service-types';
import { datasetIri, distributionIri, splitMany } from './dcat-graph';
import { DcatService } from './dcat.service';
import { DATA_SERVICE_TYPE, DATASET_SERIES_TYPE, Dict, iri, named, NS, statement } from './profile';
import { Finding, ShaclValidator } from './shacl-validator';
import { vocabularyQuads } from './vocabulary-quads';

export type ValidationMode = 'off' | 'warn' | 'enforce';
export const VALIDATION_MODES: readonly ValidationMode[] = ['off', 'warn', 'enforce'];

/** One finding as a steward reads it: the CKAN field, and what to do, in German and English. */
export interface FieldFinding {
  severity: Finding['severity'];
  /** The CKAN field: a dataset key or extra, or `resources` with `resource` the index. */
  field: string;
  resource?: number;
  message: string;
  message_de?: string;
  message_en?: string;
  path?: string;
  value?: string;
}

/** What a write's check found: the report for the write's answer, and the verdict on the whole dataset (none when validation is off). */
export interface WriteVerdict {
  report?: DcatReport;
  compliance?: { conforms: boolean };
}

export interface DcatReport {
  mode: ValidationMode;
  profile: string;
  conforms: boolean;
  violations: number;
  warnings: number;
  findings: FieldFinding[];
}

/** Dataset-level predicates that no mapping row names, to the CKAN field a steward fills in. */
const DATASET_FIELD: Record<string, string> = {
  [`${NS.dcterms}title`]: 'title',
  [`${NS.dcterms}description`]: 'notes',
  [`${NS.dcterms}publisher`]: 'publisher_name',
  [`${NS.dcat}contactPoint`]: 'contact_email',
  [`${NS.dcat}theme`]: 'groups',
  [`${NS.dcatde}contributorID`]: 'contributorID',
  [`${NS.dcatde}politicalGeocodingLevelURI`]: 'politicalGeocodingLevelURI',
  [`${NS.dcatde}politicalGeocodingURI`]: 'politicalGeocodingURI',
  [`${NS.dcterms}temporal`]: 'temporal_start',
  [`${NS.dcat}distribution`]: 'resources',
  [`${NS.dcterms}issued`]: 'issued',
  [`${NS.dcterms}modified`]: 'modified',
  [`${NS.dcat}keyword`]: 'tags',
  [`${NS.dcat}landingPage`]: 'url',
  [`${NS.dcterms}accrualPeriodicity`]: 'frequency',
  [`${NS.dcat}endpointURL`]: 'endpoint_url',
  [`${NS.dcat}endpointDescription`]: 'endpoint_description',
  [`${NS.dcat}servesDataset`]: 'serves_dataset',
  [`${NS.dcat}inSeries`]: 'in_series',
};
const DISTRIBUTION_FIELD: Record<string, string> = {
  [`${NS.dcat}accessURL`]: 'url',
  [`${NS.dcat}downloadURL`]: 'url',
  [`${NS.dcterms}license`]: 'license',
  [`${NS.dcterms}format`]: 'format',
  [`${NS.dcat}mediaType`]: 'mimetype',
  [`${NS.dcterms}title`]: 'name',
  [`${NS.dcatde}licenseAttributionByText`]: 'licenseAttributionByText',
  [`${NS.dcat}byteSize`]: 'size',
  [`${NS.spdx}checksum`]: 'hash',
  [`${NS.dcat}accessService`]: 'access_services',
};
/** Inside a nested node (contact point, publisher, period): the field by the nested node's property. */
const NESTED_FIELD: Record<string, Record<string, string>> = {
  [`${NS.dcat}contactPoint`]: { [`${NS.vcard}hasEmail`]: 'contact_email', [`${NS.vcard}hasURL`]: 'contact_url', [`${NS.vcard}fn`]: 'contact_name', [`${NS.vcard}hasTelephone`]: 'contact_tel' },
  [`${NS.dcterms}publisher`]: { [`${NS.foaf}name`]: 'publisher_name', [`${NS.foaf}mbox`]: 'publisher_email', [`${NS.foaf}homepage`]: 'publisher_url', [`${NS.dcterms}type`]: 'publisher_type' },
  [`${NS.dcterms}temporal`]: { [`${NS.dcat}startDate`]: 'temporal_start', [`${NS.dcat}endDate`]: 'temporal_end' },
};

/**
 * Extras and fields that name a vocabulary term: stored as the client wrote them (short form, IRI, or a JSON list of
 * either, GovData's convention for several values) and resolved only when published or checked.
 */
const DATASET_VOCAB_FIELDS: Record<string, VocabularyName> = { license_id: 'license', ...VOCABULARY_EXTRAS };

/**
 * Deprecated DCAT-AP.de 2.0 terms the profile writes on its own beside their 3.0 successors (dcterms:spatial,
 * geodcatap:originator/custodian), for GovData's importer: the shapes' "deprecated" notes on them are nothing a steward can act on.
 */
const WRITTEN_BESIDE_3_0 = new Set([`${NS.dcatde}politicalGeocodingURI`, `${NS.dcatde}originator`, `${NS.dcatde}maintainer`]);

const SERVES = `${NS.dcat}servesDataset`;
const IN_SERIES = `${NS.dcat}inSeries`;

const causeKey = (f: FieldFinding): string => `${f.field}\u0000${f.resource ?? ''}`;

/**
 * Each cause once. A value that is no term of its vocabulary is one violation that lists the choices; the shapes'
 * findings on that field (not in the list, not an IRI, not exactly one) say the same and go, as do the
 * distributions' licence findings when the dataset's licence is the unknown one. Of the rest, repeats go, and a
 * warning or note on a field, resource and value that also has a violation goes.
 */
function oneFindingPerCause(vocabulary: FieldFinding[], shacl: FieldFinding[]): FieldFinding[] {
  const covered = new Set(vocabulary.map(causeKey));
  const datasetLicence = vocabulary.some((f) => f.field === 'license_id' && f.resource === undefined);
  const seen = new Set<string>();
  const kept = shacl.filter((f) => {
    if (covered.has(causeKey(f)) || (datasetLicence && f.field === 'license_id')) return false;
    const key = `${causeKey(f)}\u0000${f.severity}\u0000${f.value ?? ''}\u0000${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const violated = new Set(kept.filter((f) => f.severity === 'violation' && f.value !== undefined).map((f) => `${causeKey(f)}\u0000${f.value}`));
  return [...vocabulary, ...kept.filter((f) => f.severity === 'violation' || f.value === undefined || !violated.has(`${causeKey(f)}\u0000${f.value}`))];
}

/**
 * DCAT-AP.de validation of datasets: the graph the catalog would publish is checked with our SHACL
 * shapes (dcat-profiles/dcat-ap-de-3/shapes.ttl, held equivalent to the official ones by tests), and
 * each finding is named by the CKAN field to fix. On write: `off`, `warn` (store, return findings) or
 * `enforce` (refuse with a Validation Error), chosen by the request, else the organization's
 * `dcat_validation` extra, else DCAT_VALIDATION.
 */
@Injectable()
export class DcatValidation {
  private validator?: ShaclValidator;
  /** Our HVD shapes (dcat-profiles/hvd/shapes.ttl), run on high-value datasets only. */
  private hvdValidator?: ShaclValidator;
  /** Vocabulary membership, the data the shapes' code-list checks look up (built once, with the validator). */
  private vocab: Quad[] = [];

  constructor(private readonly dcat: DcatService, @Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private shacl(): ShaclValidator {
    if (!this.validator) {
      const shapes = readFileSync(join(__dirname, '../../dcat-profiles/dcat-ap-de-3/shapes.ttl'), 'utf8');
      this.validator = ShaclValidator.fromTurtle([shapes]);
      this.vocab = vocabularyQuads();
    }
    return this.validator;
  }

  private hvdShacl(): ShaclValidator {
    this.hvdValidator ??= ShaclValidator.fromTurtle([readFileSync(join(__dirname, '../../dcat-profiles/hvd/shapes.ttl'), 'utf8')]);
    return this.hvdValidator;
  }

  /**
   * Validates a dataset dict (stored or not) as the catalog would publish it. `live: false` leaves out what the
   * publisher looks up of a live dataset's data (its observation period): a write's check judges the dict written,
   * which that part does not depend on, and a sensor sync's every write would pay the lookup.
   */
  async report(ctx: ActionContext, dataset: Dict, mode: ValidationMode = 'warn', live = true): Promise<DcatReport> {
    const profile = this.dcat.profile();
    const quads = await this.dcat.quadsFor(ctx, dataset, profile, live);
    const validator = this.shacl();
    const vocabulary = [...this.vocabularyFindings(dataset), ...(await this.referenceFindings(ctx, dataset))];
    // The catalog around the dataset, as far as the shapes look: what its services serve (and its series) are datasets
    // (found as the caller, see referenceFindings); those datasets' own findings are theirs, not this write's.
    const own = datasetIri(this.config.SITE_URL, String(dataset.id ?? 'new'));
    const around = new Set(quads.filter((q) => (q.predicate.value === SERVES || q.predicate.value === IN_SERIES) && q.object.value !== own).map((q) => q.object.value));
    const context = [...around].map((node) => statement(named(node), iri('rdf', 'type'), iri('dcat', 'Dataset')));
    const shacl = (await validator.validate([...quads, ...context], this.vocab))
      .filter((f) => !(f.severity === 'info' && f.path && WRITTEN_BESIDE_3_0.has(f.path)) && !around.has(f.focusNode));
    // A high-value dataset is also held to our HVD shapes and must offer an API and a bulk download.
    const hvd = isHighValue(dataset);
    if (hvd) shacl.push(...(await this.hvdShacl().validate(quads, this.vocab)));
    const fields = shacl.map((f) => this.toField(f, dataset, quads));
    return summary(mode, profile.id, oneFindingPerCause([...vocabulary, ...(hvd ? hvdAccessFindings(dataset) : [])], fields));
  }

  /** The mode for a write: the request's, else the organization's extra, else the configured default. */
  async modeFor(ctx: ActionContext, dataset: Dict, requested?: string): Promise<ValidationMode> {
    if (requested && (VALIDATION_MODES as readonly string[]).includes(requested)) return requested as ValidationMode;
    const orgId = dataset.owner_org as string | undefined;
    if (orgId) {
      const org = (await this.dcat.organizations(ctx.withIgnoreAuth(), [orgId])).get(orgId);
      const own = org?.extras.dcat_validation;
      if (own && (VALIDATION_MODES as readonly string[]).includes(own)) return own as ValidationMode;
    }
    return this.config.DCAT_VALIDATION;
  }

  /**
   * After a dataset write, inside its transaction: `enforce` with violations throws (the write is
   * rolled back), `warn` returns the report for the result, `off` returns nothing.
   */
  async checkWrite(ctx: ActionContext, dataset: Dict, requested?: string): Promise<WriteVerdict> {
    const mode = await this.modeFor(ctx, dataset, requested);
    if (mode === 'off') return {};
    const report = await this.report(ctx, dataset, mode, false);
    if (mode === 'enforce' && !report.conforms) throw new ValidationError(errorFields(report));
    return { report, compliance: { conforms: report.conforms } };
  }

  /**
   * After a resource write (resource_create/update/patch), inside its transaction: only the findings about that
   * resource's distribution, which this call can fix, with its own field names (a missing licence is its `license`).
   * The dataset's own findings belong to package_* answers and `dcat_validate`; `enforce` refuses on the resource's violations.
   */
  async checkResourceWrite(ctx: ActionContext, dataset: Dict, resourceId: string, requested?: string): Promise<WriteVerdict> {
    const mode = await this.modeFor(ctx, dataset, requested);
    if (mode === 'off') return {};
    const full = await this.report(ctx, dataset, mode, false);
    const index = ((dataset.resources as Dict[] | undefined) ?? []).findIndex((r) => r.id === resourceId);
    const findings = full.findings.filter((f) => f.resource === index && index >= 0).map((f) => (f.field === 'license_id' ? { ...f, field: 'license' } : f));
    const report = summary(mode, full.profile, findings);
    if (mode === 'enforce' && !report.conforms) {
      const fields: Record<string, string[]> = {};
      for (const f of findings) if (f.severity === 'violation' && !(fields[f.field] ??= []).includes(f.message)) fields[f.field].push(f.message);
      throw new ValidationError(fields);
    }
    return { report, compliance: { conforms: full.conforms } };
  }

  /**
   * References to other datasets that name nothing the caller can read: a member's `in_series` must name a dataset
   * series of this catalog (id, name or identifier) or be a series' IRI; a data service's `serves_dataset` (its own, or an
   * access_services entry's) a dataset or an IRI. A resource's `access_services` must be a list of dicts.
   */
  private async referenceFindings(ctx: ActionContext, dataset: Dict): Promise<FieldFinding[]> {
    const out: FieldFinding[] = [];
    const push = (field: string, de: string, en: string, value?: string, resource?: number): void =>
      void out.push({ severity: 'violation', field, ...(resource !== undefined ? { resource } : {}), message: `${de} / ${en}`, message_de: de, message_en: en, ...(value !== undefined ? { value } : {}) });
    const extras = new Map(((dataset.extras as { key: string; value: unknown }[] | undefined) ?? []).map((e) => [e.key, e.value]));
    const field = (k: string): unknown => (dataset[k] !== undefined && dataset[k] !== '' ? dataset[k] : extras.get(k));
    const isIri = (v: string): boolean => /^https?:\/\//.test(v);
    const resources = (dataset.resources as Dict[] | undefined) ?? [];
    const servedRefs: [string, number | undefined][] = splitMany(field('serves_dataset')).map((r) => [r, undefined]);
    resources.forEach((r, i) => {
      const v = r.access_services;
      if (v === undefined || v === null || v === '') return;
      let list: unknown = v;
      if (typeof v === 'string') {
        try {
          list = JSON.parse(v) as unknown;
        } catch {
          list = undefined;
        }
      }
      if (!Array.isArray(list) || list.some((e) => !e || typeof e !== 'object' || Array.isArray(e))) {
        push('access_services', 'access_services muss eine Liste von Objekten sein (je Datendienst: endpoint_url, endpoint_description, conforms_to …).', 'access_services must be a list of objects (one per data service: endpoint_url, endpoint_description, conforms_to …).', undefined, i);
        return;
      }
      for (const e of list as Dict[]) {
        if (!splitMany(e.endpoint_url).length) push('access_services', 'Jeder Eintrag in access_services braucht endpoint_url, die Adresse der Schnittstelle.', 'Every access_services entry needs endpoint_url, the address of the interface.', undefined, i);
        for (const ref of splitMany(e.serves_dataset)) servedRefs.push([ref, i]);
      }
    });
    const series = splitMany(field('in_series'));
    if (!series.length && !servedRefs.length) return out;
    const found = await this.dcat.relatedDatasets(ctx, dataset);
    for (const ref of series) {
      if (isIri(ref)) continue;
      const d = found.get(ref);
      if (!d) push('in_series', `"${ref}" nennt keine Datensatzreihe dieses Katalogs (Kennung, Name oder identifier einer Reihe vom Typ dataset_series).`, `"${ref}" names no dataset series of this catalog (id, name or identifier of a dataset of type dataset_series).`, ref);
      else if (d.type !== DATASET_SERIES_TYPE) push('in_series', `"${ref}" ist keine Datensatzreihe (Typ "${d.type}", erwartet "dataset_series").`, `"${ref}" is not a dataset series (type "${d.type}", expected "dataset_series").`, ref);
    }
    if (dataset.type === DATASET_SERIES_TYPE && series.length) push('in_series', 'Eine Datensatzreihe kann nicht selbst Teil einer Reihe sein.', 'A dataset series cannot itself be in a series.');
    for (const [ref, resource] of servedRefs) {
      if (isIri(ref)) continue;
      const d = found.get(ref);
      const field = resource === undefined ? 'serves_dataset' : 'access_services';
      if (!d) push(field, `serves_dataset: "${ref}" nennt keinen Datensatz dieses Katalogs (Kennung, Name oder identifier) und ist keine IRI.`, `serves_dataset: "${ref}" names no dataset of this catalog (id, name or identifier) and is no IRI.`, ref, resource);
      else if (d.type === DATA_SERVICE_TYPE) push(field, `serves_dataset: "${ref}" ist selbst ein Datendienst, kein Datensatz.`, `serves_dataset: "${ref}" is a data service itself, not a dataset.`, ref, resource);
    }
    return out;
  }

  /** Values of vocabulary fields that are no short form or IRI of their list, each with the valid choices. */
  private vocabularyFindings(dataset: Dict): FieldFinding[] {
    const out: FieldFinding[] = [];
    const check = (field: string, vocab: VocabularyName, raw: unknown, resource?: number): void => {
      if (!Array.isArray(raw) && (typeof raw !== 'string' || !raw.trim())) return;
      for (const v of splitMany(raw)) {
        if (resolveTerm(vocab, v)) continue;
        const de = `"${v}" ist kein gültiger Wert. ${choicesText(vocab)}`;
        const en = `"${v}" is not a valid value. ${choicesText(vocab)}`;
        out.push({ severity: 'violation', field, ...(resource !== undefined ? { resource } : {}), message: `${de} / ${en}`, message_de: de, message_en: en, value: v });
      }
    };
    // Applicable legislation is open (any ELI), but must be an IRI: text would be dropped from the published graph.
    const legislation = (field: string, raw: unknown, resource?: number): void => {
      for (const v of splitMany(raw)) {
        if (/^https?:\/\/\S+$/i.test(v.trim())) continue;
        const de = `"${v}" ist keine IRI. Nennen Sie die Rechtsvorschrift mit ihrer ELI, z. B. ${HVD_LEGISLATION} für die HVD-Verordnung.`;
        const en = `"${v}" is not an IRI. Name the legislation by its ELI, e.g. ${HVD_LEGISLATION} for the HVD regulation.`;
        out.push({ severity: 'violation', field, ...(resource !== undefined ? { resource } : {}), message: `${de} / ${en}`, message_de: de, message_en: en, value: v });
      }
    };
    legislation('applicable_legislation', dataset.applicable_legislation);
    for (const e of (dataset.extras as { key: string; value: unknown }[] | undefined) ?? []) if (e.key === 'applicable_legislation') legislation('applicable_legislation', e.value);
    ((dataset.resources as Dict[] | undefined) ?? []).forEach((r, i) => {
      legislation('applicable_legislation', r.applicable_legislation, i);
      for (const service of Array.isArray(r.access_services) ? (r.access_services as unknown[]) : []) {
        if (service && typeof service === 'object') legislation('access_services', (service as Dict).applicable_legislation, i);
      }
    });
    check('license_id', 'license', dataset.license_id);
    for (const e of (dataset.extras as { key: string; value: unknown }[] | undefined) ?? []) {
      const vocab = DATASET_VOCAB_FIELDS[e.key];
      if (vocab) check(e.key, vocab, e.value);
    }
    ((dataset.resources as Dict[] | undefined) ?? []).forEach((r, i) => {
      // A service format ("WMS", "OGC API Features") is published as its EU code, or as its DataService's standard.
      if (!serviceKindOf(r.format)) check('format', 'fileType', r.format, i);
      check('license', 'license', r.license, i);
      check('hvd_category', 'hvdCategory', r.hvd_category, i);
      for (const service of Array.isArray(r.access_services) ? (r.access_services as unknown[]) : []) {
        if (service && typeof service === 'object') check('access_services', 'hvdCategory', (service as Dict).hvd_category, i);
      }
    });
    return out;
  }

  /** A SHACL finding named by the CKAN field it concerns. */
  private toField(f: Finding, dataset: Dict, quads: Quad[]): FieldFinding {
    const site = this.config.SITE_URL;
    const id = String(dataset.id ?? 'new');
    const resources = (dataset.resources as Dict[] | undefined) ?? [];
    const resourceIndex = (node: string): number => resources.findIndex((r) => distributionIri(site, id, String(r.id)) === node);
    const path = f.path ?? '';
    let field: string;
    let resource: number | undefined;
    if (f.focusNode === datasetIri(site, id)) {
      field = this.datasetField(path);
    } else if (resourceIndex(f.focusNode) >= 0) {
      resource = resourceIndex(f.focusNode);
      field = this.distributionField(path, resources[resource]);
    } else {
      // A nested node: find what points to it.
      const parent = quads.find((q) => q.object.value === f.focusNode && (q.object as Term).termType !== 'Literal');
      const link = parent?.predicate.value ?? '';
      field = NESTED_FIELD[link]?.[path] ?? DATASET_FIELD[link] ?? this.datasetField(link);
      if (parent && resourceIndex(parent.subject.value) >= 0) {
        resource = resourceIndex(parent.subject.value);
        field = DISTRIBUTION_FIELD[link] ?? field;
      }
    }
    const de = f.message.de;
    const en = f.message.en;
    const message = [de, en].filter(Boolean).join(' / ') || `${path || 'value'}: ${f.constraint ?? 'constraint violated'}`;
    return { severity: f.severity, field, ...(resource !== undefined ? { resource } : {}), message, message_de: de, message_en: en, path: f.path, value: f.value };
  }

  private datasetField(path: string): string {
    if (DATASET_FIELD[path]) return DATASET_FIELD[path];
    const rule = this.dcat.profile().dataset.find((r) => r.predicate.value === path);
    return rule?.field ?? (path.split(/[#/]/).pop() || 'notes');
  }

  private distributionField(path: string, resource: Dict): string {
    // A distribution without its own licence takes the dataset's: that is where to fix it.
    if (path === `${NS.dcterms}license` && !resource.license) return 'license_id';
    if (DISTRIBUTION_FIELD[path]) return DISTRIBUTION_FIELD[path];
    const rule = this.dcat.profile().distribution.find((r) => r.predicate.value === path);
    return rule?.field ?? (path.split(/[#/]/).pop() || 'url');
  }
}

/** Whether a dataset's applicable legislation names the HVD regulation (an extra or a top-level list, one or several IRIs). */
export function isHighValue(dataset: Dict): boolean {
  const extra = ((dataset.extras as { key: string; value: unknown }[] | undefined) ?? []).find((e) => e.key === 'applicable_legislation');
  return [...splitMany(dataset.applicable_legislation), ...splitMany(extra?.value)].some((v) => v.trim().replace(/^https:/, 'http:').replace(/\/+$/, '') === HVD_LEGISLATION);
}

/** Resource formats that name a service rather than a file: the OGC services DCAT describes (serviceKindOf), and APIs in general. */
const OTHER_API_FORMATS = new Set(['api', 'sparql', 'rest', 'json api']);
const isServiceFormat = (format: unknown): boolean => !!serviceKindOf(format) || (typeof format === 'string' && OTHER_API_FORMATS.has(format.trim().toLowerCase()));

/**
 * The HVD regulation's access rule: a high-value dataset is offered through an API (a DataStore-active resource, a
 * sensor dataset's SensorThings API, or a resource described as a data service: `access_services` or a service
 * format) and as a bulk download (a resource whose URL is a file: an upload, a `download_url`, or a link of a file
 * format). Each missing half is one violation naming what to add.
 */
export function hvdAccessFindings(dataset: Dict): FieldFinding[] {
  const resources = ((dataset.resources as Dict[] | undefined) ?? []).filter((r) => r.state !== 'deleted');
  const services = (r: Dict): boolean => Array.isArray(r.access_services) && r.access_services.length > 0;
  const api = dataset.type === 'sensor' || resources.some((r) => r.datastore_active === true || services(r) || isServiceFormat(r.format));
  const download = resources.some((r) => {
    if (services(r) || isServiceFormat(r.format) || !(typeof r.url === 'string' && r.url.trim())) return typeof r.download_url === 'string' && !!r.download_url.trim();
    return r.url_type === 'upload' || (typeof r.download_url === 'string' && !!r.download_url.trim()) || (typeof r.format === 'string' && !!resolveTerm('fileType', r.format));
  });
  const out: FieldFinding[] = [];
  const add = (field: string, de: string, en: string): void => void out.push({ severity: 'violation', field, message: `${de} / ${en}`, message_de: de, message_en: en });
  if (!api) {
    add('hvd_api',
      'Ein hochwertiger Datensatz muss über eine API bereitstehen: eine Ressource in der DataStore-API, die SensorThings-API eines Sensor-Datensatzes oder eine Ressource mit beschriebenem Datendienst (access_services oder ein Dienstformat wie WFS, WMS, OGC API Features).',
      'A high-value dataset must be offered through an API: a resource in the DataStore API, a sensor dataset\'s SensorThings API, or a resource with a described data service (access_services or a service format such as WFS, WMS, OGC API Features).');
  }
  if (!download) {
    add('hvd_bulk_download',
      'Ein hochwertiger Datensatz muss als Gesamtdownload bereitstehen: eine Ressource mit einer herunterladbaren Datei (Upload, download_url oder ein Link auf eine Datei eines Dateiformats wie CSV oder GeoJSON).',
      'A high-value dataset must be offered as a bulk download: a resource with a downloadable file (an upload, a download_url, or a link to a file of a file format such as CSV or GeoJSON).');
  }
  return out;
}

function summary(mode: ValidationMode, profile: string, findings: FieldFinding[]): DcatReport {
  const violations = findings.filter((f) => f.severity === 'violation').length;
  return { mode, profile, conforms: violations === 0, violations, warnings: findings.filter((f) => f.severity === 'warning').length, findings };
}

/** Violations as CKAN's Validation Error fields: dataset keys, and `resources` as a list of per-resource field maps. */
export function errorFields(report: DcatReport): Record<string, unknown> {
  const fields: Record<string, string[]> = {};
  const resources: Record<string, string[]>[] = [];
  for (const f of report.findings) {
    if (f.severity !== 'violation') continue;
    if (f.resource !== undefined && f.field !== 'license_id') {
      while (resources.length <= f.resource) resources.push({});
      (resources[f.resource][f.field] ??= []).push(f.message);
    } else if (!(fields[f.field] ??= []).includes(f.message)) fields[f.field].push(f.message);
  }
  return { ...fields, ...(resources.length ? { resources } : {}) };
}
