import { Inject, Injectable } from '@nestjs/common';
import type { Quad, Term } from '@rdfjs/types';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionContext } from '../api/action-context';
import { ValidationError } from '../api/errors';
import { APP_CONFIG, AppConfig } from '../config/env';
import { choicesText, resolveTerm, VOCABULARY_EXTRAS, VocabularyName } from '../../dcat-profiles/vocabularies';
import { datasetIri, distributionIri, splitMany } from './dcat-graph';
import { DcatService } from './dcat.service';
import { Dict, NS } from './profile';
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

  /**
   * Validates a dataset dict (stored or not) as the catalog would publish it. `live: false` leaves out what the
   * publisher looks up of a live dataset's data (its observation period): a write's check judges the dict written,
   * which that part does not depend on, and a sensor sync's every write would pay the lookup.
   */
  async report(ctx: ActionContext, dataset: Dict, mode: ValidationMode = 'warn', live = true): Promise<DcatReport> {
    const profile = this.dcat.profile();
    const quads = await this.dcat.quadsFor(ctx, dataset, profile, live);
    const validator = this.shacl();
    const vocabulary = this.vocabularyFindings(dataset);
    const shacl = (await validator.validate(quads, this.vocab)).filter((f) => !(f.severity === 'info' && f.path && WRITTEN_BESIDE_3_0.has(f.path)));
    return summary(mode, profile.id, oneFindingPerCause(vocabulary, shacl.map((f) => this.toField(f, dataset, quads))));
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

  /** Values of vocabulary fields that are no short form or IRI of their list, each with the valid choices. */
  private vocabularyFindings(dataset: Dict): FieldFinding[] {
    const out: FieldFinding[] = [];
    const check = (field: string, vocab: VocabularyName, raw: unknown, resource?: number): void => {
      if (typeof raw !== 'string' || !raw.trim()) return;
      for (const v of splitMany(raw)) {
        if (resolveTerm(vocab, v)) continue;
        const de = `"${v}" ist kein gültiger Wert. ${choicesText(vocab)}`;
        const en = `"${v}" is not a valid value. ${choicesText(vocab)}`;
        out.push({ severity: 'violation', field, ...(resource !== undefined ? { resource } : {}), message: `${de} / ${en}`, message_de: de, message_en: en, value: v });
      }
    };
    check('license_id', 'license', dataset.license_id);
    for (const e of (dataset.extras as { key: string; value: unknown }[] | undefined) ?? []) {
      const vocab = DATASET_VOCAB_FIELDS[e.key];
      if (vocab) check(e.key, vocab, e.value);
    }
    ((dataset.resources as Dict[] | undefined) ?? []).forEach((r, i) => {
      check('format', 'fileType', r.format, i);
      check('license', 'license', r.license, i);
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
