import { VOCABULARIES, VocabularyName } from '../../dcat-profiles/vocabularies';
import { POLITICAL_GEOCODING_BASE } from '../../dcat-profiles/vocabularies/geocoding';
import { LAENDER } from '../../dcat-profiles/vocabularies/regions';
import { extrasOf, PackageDict, termsOf } from './dataset-fields';
import type { MessageKey } from './i18n/de';
import type { Lang } from './i18n/i18n';
import { typedText } from './form-text';
import { localMessage } from './validation-messages';

/** How a form field is entered and stored. */
/** `regions`: political geocoding keys, one input each with the Länder as suggestions (any other key may be typed). */
export type FieldKind = 'text' | 'email' | 'url' | 'date' | 'textarea' | 'lines' | 'regions' | { vocab: VocabularyName; many: boolean };

/** A DCAT-AP.de field the form edits as a CKAN extra (the names the profiles map). */
export interface ExtraField {
  key: string;
  label: MessageKey;
  kind: FieldKind;
  hint?: MessageKey;
}

/** The extras the form edits, in the order it shows them; every other extra of a dataset is kept as it is. */
export const EXTRA_FIELDS: readonly ExtraField[] = [
  { key: 'contact_name', label: 'form.contactName', kind: 'text' },
  { key: 'contact_email', label: 'form.contactEmail', kind: 'email' },
  { key: 'contact_url', label: 'form.contactUrl', kind: 'url' },
  { key: 'publisher_name', label: 'form.publisherName', kind: 'text' },
  { key: 'publisher_url', label: 'form.publisherUrl', kind: 'url' },
  { key: 'temporal_start', label: 'form.temporalStart', kind: 'date' },
  { key: 'temporal_end', label: 'form.temporalEnd', kind: 'date' },
  { key: 'frequency', label: 'field.frequency', kind: { vocab: 'frequency', many: false } },
  { key: 'theme', label: 'field.themes', kind: { vocab: 'theme', many: true } },
  { key: 'language', label: 'field.language', kind: { vocab: 'language', many: true } },
  { key: 'access_rights', label: 'field.accessRights', kind: { vocab: 'accessRights', many: false } },
  { key: 'politicalGeocodingLevelURI', label: 'form.geocodingLevel', kind: { vocab: 'geocodingLevel', many: false } },
  { key: 'politicalGeocodingURI', label: 'form.geocodingKey', kind: 'regions', hint: 'form.geocodingKeyHint' },
  { key: 'spatial', label: 'form.spatial', kind: 'textarea', hint: 'form.spatialHint' },
  { key: 'hvd_category', label: 'field.hvd', kind: { vocab: 'hvdCategory', many: true } },
  { key: 'applicable_legislation', label: 'form.legislation', kind: 'lines', hint: 'form.linesHint' },
  { key: 'conforms_to', label: 'form.conformsTo', kind: 'lines', hint: 'form.linesHint' },
  { key: 'documentation', label: 'field.documentation', kind: 'lines', hint: 'form.linesHint' },
  { key: 'legalbasisText', label: 'field.legalBasis', kind: 'text' },
  { key: 'contributorID', label: 'form.contributor', kind: { vocab: 'contributor', many: false } },
];
const EXTRA_KEYS = new Set(EXTRA_FIELDS.map((f) => f.key));

/** One resource row of the form (a link: address, name, format); `id` for a row that is a stored resource. */
export interface ResourceRow {
  id?: string;
  url: string;
  name: string;
  format: string;
}

/** What the form holds: the values as typed (lists for multi-valued fields) and the resource rows. */
export interface FormState {
  values: Record<string, string[]>;
  resources: ResourceRow[];
}

const first = (s: FormState, k: string): string => s.values[k]?.[0] ?? '';
const isMany = (f: ExtraField): boolean => f.kind === 'lines' || f.kind === 'regions' || (typeof f.kind === 'object' && f.kind.many);

/** A vocabulary's choices for a picker: value (IRI), label in the page language, the featured ones first. */
export function choices(name: VocabularyName, lang: Lang): { value: string; label: string }[] {
  const v = VOCABULARIES[name];
  const featured = new Set(v.featured ?? []);
  const label = (e: (typeof v.entries)[number]): string => (lang === 'en' ? e.labels.en ?? e.labels.de : e.labels.de ?? e.labels.en) ?? e.code;
  const entries = [...v.entries].sort((a, b) => Number(featured.has(b.code)) - Number(featured.has(a.code)));
  return entries.map((e) => ({ value: e.iri, label: label(e) }));
}

/** The regional-key picker's suggestions: the 16 Länder by name and key (`…/stateKey/07`); districts and municipalities are typed. */
export function regionChoices(): { value: string; label: string }[] {
  return LAENDER.map((r) => ({ value: `${POLITICAL_GEOCODING_BASE}stateKey/${r.key}`, label: `${r.name} (${r.key})` }));
}

/** The form's state from a POSTed form: text as typed (trimmed only at the ends of lines fields), rows with any value. */
export function stateFromForm(form: URLSearchParams): FormState {
  const values: Record<string, string[]> = {};
  const text = (k: string): string => typedText(form.get(k) ?? '');
  for (const k of ['title', 'name', 'notes', 'owner_org', 'private', 'license_id', 'tags', 'url', 'version']) values[k] = [text(k)];
  for (const f of EXTRA_FIELDS) {
    if (f.kind === 'lines') values[f.key] = (form.get(f.key) ?? '').split(/\r?\n/).map((x) => x.trim()).filter(Boolean);
    else if (f.kind === 'regions') values[f.key] = form.getAll(f.key).map((x) => x.trim()).filter(Boolean);
    else if (isMany(f)) values[f.key] = form.getAll(f.key).filter(Boolean);
    else values[f.key] = [text(f.key)];
  }
  const resources: ResourceRow[] = [];
  const rows = Math.min(Number(form.get('resource_rows')) || 0, 100);
  for (let i = 0; i < rows; i++) {
    const row = { id: form.get(`resources-${i}-id`) || undefined, url: form.get(`resources-${i}-url`) ?? '', name: form.get(`resources-${i}-name`) ?? '', format: form.get(`resources-${i}-format`) ?? '' };
    if (row.id || row.url.trim() || row.name.trim() || row.format.trim()) resources.push(row);
  }
  return { values, resources };
}

/** The form's state for a stored dataset (package_show's dict). */
export function stateFromDict(d: PackageDict & { owner_org?: string | null }): FormState {
  const x = extrasOf(d);
  const values: Record<string, string[]> = {
    title: [d.title ?? ''], name: [d.name], notes: [d.notes ?? ''], owner_org: [d.owner_org ?? d.organization?.id ?? ''], private: [d.private ? 'true' : 'false'],
    license_id: [d.license_id ?? ''], tags: [(d.tags ?? []).map((t) => t.name).join(', ')], url: [d.url ?? ''], version: [d.version ?? ''],
  };
  for (const f of EXTRA_FIELDS) values[f.key] = isMany(f) ? termsOf(x.get(f.key)) : [x.get(f.key) ?? ''];
  const resources = (d.resources ?? []).map((r) => ({ id: r.id, url: r.url ?? '', name: r.name ?? '', format: r.format ?? '' }));
  return { values, resources };
}

/**
 * The package dict a form sends: CKAN's fields, the DCAT-AP.de extras (a list field as a JSON list, GovData's form),
 * and the resources. For an edit, `stored` keeps what the form does not show: other extras, other resource fields.
 */
export function dictFromState(s: FormState, stored?: PackageDict & { owner_org?: string | null }): Record<string, unknown> {
  const extras: { key: string; value: string }[] = (stored?.extras ?? []).filter((e) => !EXTRA_KEYS.has(e.key));
  for (const f of EXTRA_FIELDS) {
    const v = s.values[f.key] ?? [];
    if (isMany(f)) {
      if (v.length) extras.push({ key: f.key, value: JSON.stringify(v) });
    } else if ((v[0] ?? '').trim()) extras.push({ key: f.key, value: v[0] });
  }
  const storedResources = new Map((stored?.resources ?? []).map((r) => [r.id, r]));
  const resources = s.resources.map((r) => {
    const old = r.id ? storedResources.get(r.id) : undefined;
    return { ...(old ?? {}), ...(old ? { id: old.id } : {}), url: r.url, name: r.name, format: r.format };
  });
  const tags = first(s, 'tags').split(',').map((t) => t.trim()).filter(Boolean).map((name) => ({ name }));
  const dict: Record<string, unknown> = {
    title: first(s, 'title'), name: first(s, 'name').trim(), notes: first(s, 'notes'), owner_org: first(s, 'owner_org'), private: first(s, 'private') === 'true',
    license_id: first(s, 'license_id'), url: first(s, 'url'), version: first(s, 'version'), tags, extras, resources,
  };
  if (stored) {
    // An edit sends the organization and the visibility only when the steward changed them: package_patch keeps them
    // otherwise, so a shared dataset keeps its access level, and an editor by share (who may not move or reveal the
    // dataset) can save its content.
    const org = first(s, 'owner_org');
    if (!org || org === stored.owner_org || org === stored.organization?.id || org === stored.organization?.name) delete dict.owner_org;
    const priv = first(s, 'private');
    if (!priv || (priv === 'true') === Boolean(stored.private)) delete dict.private;
  }
  return dict;
}

/** Error messages by form field: a dict key, an extra's key, `resources-<i>-<key>` for a resource row; `_` for the rest. */
export type FieldMessages = Map<string, string[]>;

/** A 409's field errors (or a DCAT report's findings, as errorFields writes them) by the form field they concern. */
export function messagesByField(fields: Record<string, unknown>, lang: Lang): FieldMessages {
  const out: FieldMessages = new Map();
  const add = (k: string, msgs: unknown): void => {
    const list = (Array.isArray(msgs) ? msgs : [msgs]).map((m) => localMessage(typeof m === 'string' ? m : JSON.stringify(m), lang));
    out.set(k, [...(out.get(k) ?? []), ...list]);
  };
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'resources' && Array.isArray(v)) {
      v.forEach((row, i) => {
        if (row && typeof row === 'object') for (const [rk, rv] of Object.entries(row as Record<string, unknown>)) add(['url', 'name', 'format'].includes(rk) ? `resources-${i}-${rk}` : `resources-${i}-url`, rv);
      });
    } else if (k === 'extras' && Array.isArray(v)) {
      v.forEach((row) => row && typeof row === 'object' && add('_', Object.values(row as Record<string, unknown>).flat()));
    } else if (k === 'groups') add('theme', v);
    else if (k === 'license_title' || k === 'license_url') add('license_id', v);
    else if (k === 'maintainer_email' || k === 'author_email') add('contact_email', v);
    else if (k === 'maintainer' || k === 'author') add('contact_name', v);
    else if (k === 'message' || k === '__type') add('_', v);
    else add(k, v);
  }
  return out;
}

/** Form fields the page shows: messages for any other key go into the summary at the top. */
export const FORM_FIELDS = new Set(['title', 'name', 'notes', 'owner_org', 'private', 'license_id', 'tags', 'url', 'version', ...EXTRA_KEYS]);
