import { resolveTerm, VocabularyName } from '../../dcat-profiles/vocabularies';
import { regionOf } from '../../dcat-profiles/vocabularies/regions';
import type { MessageKey } from './i18n/de';
import type { Lang } from './i18n/i18n';

/** The parts of package_show's dict the pages read (CKAN's names). */
export interface PackageDict {
  id: string;
  name: string;
  title?: string | null;
  notes?: string | null;
  url?: string | null;
  version?: string | null;
  state?: string;
  private?: boolean;
  access_level?: string;
  license_id?: string | null;
  license_title?: string | null;
  license_url?: string | null;
  author?: string | null;
  author_email?: string | null;
  maintainer?: string | null;
  maintainer_email?: string | null;
  metadata_created?: string;
  metadata_modified?: string;
  num_resources?: number;
  organization?: { id: string; name: string; title?: string | null } | null;
  tags?: { name: string; display_name?: string }[];
  groups?: { name: string; title?: string | null; display_name?: string }[];
  extras?: { key: string; value: string }[];
  resources?: ResourceDict[];
}

export interface ResourceDict {
  id: string;
  name?: string | null;
  description?: string | null;
  format?: string | null;
  url?: string | null;
  url_type?: string | null;
  mimetype?: string | null;
  size?: number | null;
  created?: string | null;
  last_modified?: string | null;
  datastore_active?: boolean;
}

/** One line of the metadata list: a label key and its value(s), plain text or a link. */
export interface FieldRow {
  label: MessageKey;
  values: { text: string; href?: string }[];
}

/** The extras as a map (CKAN keeps them as a list of {key, value}). */
export function extrasOf(d: PackageDict): Map<string, string> {
  return new Map((d.extras ?? []).map((e) => [e.key, String(e.value ?? '')]));
}

/** A stored value that may be one term, a JSON list (GovData's form) or a comma list, as separate terms. */
export function termsOf(value: string | undefined): string[] {
  const v = value?.trim();
  if (!v) return [];
  if (v.startsWith('[')) {
    try {
      const list: unknown = JSON.parse(v);
      if (Array.isArray(list)) return list.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
    } catch {
      // not JSON after all: read as text below
    }
  }
  return v.includes(',') && !/^https?:\/\//.test(v) ? v.split(',').map((x) => x.trim()).filter(Boolean) : [v];
}

/** A vocabulary term's label in the page language (German, English, else the code); the value itself when it is no term. */
export function termText(name: VocabularyName, value: string, lang: Lang): string {
  const e = resolveTerm(name, value);
  if (!e) return value;
  return (lang === 'en' ? e.labels.en ?? e.labels.de : e.labels.de ?? e.labels.en) ?? e.code;
}

const isHttp = (s: string): boolean => /^https?:\/\//i.test(s);

/**
 * A link target a page may write: web and FTP addresses, e-mail, and our own paths. Anything else (`javascript:`,
 * `data:`) would run or carry content in the reader's browser: stored URLs are the client's text, so they pass here.
 */
export function safeHref(url: string | null | undefined): string | undefined {
  const u = url?.trim();
  if (!u) return undefined;
  return /^(https?|ftps?):\/\//i.test(u) || /^mailto:[^\s]/i.test(u) || (u.startsWith('/') && !u.startsWith('//')) ? u : undefined;
}
const linkOrText = (s: string): { text: string; href?: string } => (isHttp(s) ? { text: s, href: s } : { text: s });

/** A date (ISO or CKAN's timestamp without zone) as the page language writes it; the text itself when it is none. */
export function formatDate(value: string | null | undefined, lang: Lang): string {
  if (!value) return '';
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || value.length <= 10 ? value : `${value}Z`);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' }).format(d);
}

/**
 * The DCAT-AP.de metadata of a dataset in plain words: vocabulary terms by their labels, dates as dates, the publisher
 * and contact as DCAT-AP.de derives them (own extras, else maintainer/author, else the organization). Empty fields are left out.
 */
export function datasetFields(d: PackageDict, lang: Lang): FieldRow[] {
  const x = extrasOf(d);
  const rows: FieldRow[] = [];
  const add = (label: MessageKey, values: { text: string; href?: string }[]): void => {
    const kept = values.filter((v) => v.text.trim() !== '');
    if (kept.length) rows.push({ label, values: kept });
  };
  if (d.organization) add('field.organization', [{ text: d.organization.title || d.organization.name, href: `/organization/${encodeURIComponent(d.organization.name)}` }]);
  add('field.license', [d.license_title || d.license_id ? { text: d.license_title || d.license_id || '', href: d.license_url || undefined } : { text: '' }]);
  const publisher = x.get('publisher_name') || d.organization?.title || d.organization?.name || '';
  add('field.publisher', [{ text: publisher, href: x.get('publisher_url') || undefined }]);
  const contactName = x.get('contact_name') || d.maintainer || d.author || '';
  const contactEmail = x.get('contact_email') || d.maintainer_email || d.author_email || '';
  add('field.contact', [
    { text: contactName },
    ...(contactEmail ? [{ text: contactEmail, href: `mailto:${contactEmail}` }] : []),
    ...(x.get('contact_url') ? [linkOrText(x.get('contact_url') as string)] : []),
    { text: x.get('contact_tel') ?? '' },
  ]);
  const start = formatDate(x.get('temporal_start'), lang);
  const end = formatDate(x.get('temporal_end'), lang);
  add('field.temporal', [{ text: start && end ? `${start} – ${end}` : start ? `${start} –` : end ? `– ${end}` : '' }]);
  const spatial: { text: string; href?: string }[] = [];
  for (const iri of termsOf(x.get('politicalGeocodingURI'))) spatial.push({ text: regionOf(iri)?.name ?? iri, href: isHttp(iri) ? iri : undefined });
  if (x.get('spatial_uri')) spatial.push(linkOrText(x.get('spatial_uri') as string));
  add('field.spatial', spatial);
  add('field.frequency', termsOf(x.get('frequency')).map((v) => ({ text: termText('frequency', v, lang) })));
  const themes = new Map<string, string>();
  for (const g of d.groups ?? []) if (resolveTerm('theme', g.name)) themes.set(g.name, termText('theme', g.name, lang));
  for (const v of termsOf(x.get('theme'))) themes.set(v, termText('theme', v, lang));
  add('field.themes', [...themes.values()].map((text) => ({ text })));
  add('field.hvd', termsOf(x.get('hvd_category')).map((v) => ({ text: termText('hvdCategory', v, lang) })));
  add('field.accessRights', termsOf(x.get('access_rights')).map((v) => ({ text: termText('accessRights', v, lang) })));
  add('field.language', termsOf(x.get('language')).map((v) => ({ text: termText('language', v, lang) })));
  add('field.issued', [{ text: formatDate(x.get('issued') || d.metadata_created, lang) }]);
  add('field.modified', [{ text: formatDate(x.get('modified') || d.metadata_modified, lang) }]);
  add('field.version', [{ text: d.version ?? '' }]);
  add('field.identifier', [{ text: x.get('identifier') ?? '' }]);
  add('field.landingPage', d.url ? [linkOrText(d.url)] : []);
  add('field.documentation', termsOf(x.get('documentation')).map(linkOrText));
  add('field.legalBasis', [{ text: x.get('legalbasisText') ?? '' }]);
  return rows;
}
