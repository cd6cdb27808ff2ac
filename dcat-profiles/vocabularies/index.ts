import { ACCESS_RIGHTS, ACCESS_RIGHTS_ALIASES, ACCESS_RIGHTS_BASE, ACCESS_RIGHTS_SCHEME } from './access-rights';
import { CONTRIBUTORS, CONTRIBUTOR_BASE, CONTRIBUTOR_SCHEME } from './contributors';
import { COMMON_FILE_TYPES, FILE_TYPES, FILE_TYPE_ALIASES, FILE_TYPE_BASE, FILE_TYPE_SCHEME } from './file-types';
import { COMMON_FREQUENCIES, FREQUENCIES, FREQUENCY_ALIASES, FREQUENCY_BASE, FREQUENCY_SCHEME } from './frequencies';
import { HVD_CATEGORIES, HVD_CATEGORY_ALIASES, HVD_CATEGORY_BASE, HVD_CATEGORY_SCHEME } from './hvd-categories';
import { GEOCODING_LEVELS, GEOCODING_LEVEL_ALIASES, GEOCODING_LEVEL_BASE, GEOCODING_LEVEL_SCHEME } from './geocoding';
import { LANGUAGES, LANGUAGE_ALIASES, LANGUAGE_BASE, LANGUAGE_SCHEME } from './languages';
import { DCAT_LICENSES, LICENSE_SCHEME, licenseIri } from './licenses';
import { THEMES, THEME_BASE, THEME_SCHEME } from './themes';

/**
 * The controlled vocabularies of DCAT-AP.de in one shape, with one lookup API for the profiles and for
 * write validation. Every table is our own data (see each file); nothing here reads the published vocabularies.
 */

/** The vocabularies we hold. */
export type VocabularyName = 'license' | 'fileType' | 'theme' | 'frequency' | 'accessRights' | 'language' | 'contributor' | 'geocodingLevel' | 'hvdCategory';

/** One member of a vocabulary: its short code, its IRI and its labels. */
export interface VocabularyEntry {
  code: string;
  iri: string;
  labels: { de?: string; en?: string };
}

/** A vocabulary: its concept scheme, the IRI prefix of its members and its entries. */
export interface Vocabulary {
  name: VocabularyName;
  scheme: string;
  /** IRI prefix of members */
  base: string;
  entries: readonly VocabularyEntry[];
  /** What people write instead of a code (lower-case keys) → code. */
  aliases?: Readonly<Record<string, string>>;
  /** Codes listed first by choicesText (the common ones of a long list). */
  featured?: readonly string[];
}

const LICENSE_ENTRIES: readonly VocabularyEntry[] = DCAT_LICENSES.map((l) => ({ code: l.id, iri: licenseIri(l), labels: { de: l.title } }));

/** All vocabularies by name. */
export const VOCABULARIES: Record<VocabularyName, Vocabulary> = {
  license: { name: 'license', scheme: LICENSE_SCHEME, base: `${LICENSE_SCHEME}/`, entries: LICENSE_ENTRIES, featured: ['dl-zero-de/2.0', 'dl-by-de/2.0', 'cc-by/4.0'] },
  fileType: { name: 'fileType', scheme: FILE_TYPE_SCHEME, base: FILE_TYPE_BASE, entries: FILE_TYPES, aliases: FILE_TYPE_ALIASES, featured: COMMON_FILE_TYPES },
  theme: { name: 'theme', scheme: THEME_SCHEME, base: THEME_BASE, entries: THEMES },
  frequency: { name: 'frequency', scheme: FREQUENCY_SCHEME, base: FREQUENCY_BASE, entries: FREQUENCIES, aliases: FREQUENCY_ALIASES, featured: COMMON_FREQUENCIES },
  accessRights: { name: 'accessRights', scheme: ACCESS_RIGHTS_SCHEME, base: ACCESS_RIGHTS_BASE, entries: ACCESS_RIGHTS, aliases: ACCESS_RIGHTS_ALIASES },
  language: { name: 'language', scheme: LANGUAGE_SCHEME, base: LANGUAGE_BASE, entries: LANGUAGES, aliases: LANGUAGE_ALIASES, featured: ['DEU', 'ENG'] },
  contributor: { name: 'contributor', scheme: CONTRIBUTOR_SCHEME, base: CONTRIBUTOR_BASE, entries: CONTRIBUTORS },
  geocodingLevel: { name: 'geocodingLevel', scheme: GEOCODING_LEVEL_SCHEME, base: GEOCODING_LEVEL_BASE, entries: GEOCODING_LEVELS, aliases: GEOCODING_LEVEL_ALIASES },
  hvdCategory: { name: 'hvdCategory', scheme: HVD_CATEGORY_SCHEME, base: HVD_CATEGORY_BASE, entries: HVD_CATEGORIES, aliases: HVD_CATEGORY_ALIASES, featured: HVD_CATEGORIES.filter((c) => !c.broader).map((c) => c.code) },
};

interface Index {
  byIri: Map<string, VocabularyEntry>;
  byCode: Map<string, VocabularyEntry>;
  byLowerCode: Map<string, VocabularyEntry>;
  byAlias: Map<string, VocabularyEntry>;
}

function buildIndex(v: Vocabulary): Index {
  const ix: Index = { byIri: new Map(), byCode: new Map(), byLowerCode: new Map(), byAlias: new Map() };
  for (const e of v.entries) {
    ix.byIri.set(e.iri, e);
    ix.byCode.set(e.code, e);
    if (!ix.byLowerCode.has(e.code.toLowerCase())) ix.byLowerCode.set(e.code.toLowerCase(), e);
  }
  for (const [alias, code] of Object.entries(v.aliases ?? {})) {
    const e = ix.byCode.get(code);
    if (!e) throw new Error(`vocabulary ${v.name}: alias '${alias}' names unknown code '${code}'`);
    ix.byAlias.set(aliasKey(alias), e);
  }
  for (const code of v.featured ?? []) {
    if (!ix.byCode.has(code)) throw new Error(`vocabulary ${v.name}: featured code '${code}' is not in the table`);
  }
  return ix;
}

const INDEX = Object.fromEntries(Object.values(VOCABULARIES).map((v) => [v.name, buildIndex(v)])) as Record<VocabularyName, Index>;

/** Lower case, single spaces, mime-type parameters dropped ('Text/CSV; charset=utf-8' → 'text/csv'). */
function aliasKey(s: string): string {
  return s.split(';')[0].trim().replace(/\s+/g, ' ').toLowerCase();
}

/** http:// for https://, dcat-ap.de for www.dcat-ap.de, no trailing slash. */
function normalizeIri(s: string): string {
  return s
    .replace(/^https:\/\//i, 'http://')
    .replace(/^http:\/\//i, 'http://')
    .replace(/^http:\/\/www\.dcat-ap\.de\//i, 'http://dcat-ap.de/')
    .replace(/\/+$/, '');
}

function byCode(ix: Index, code: string): VocabularyEntry | undefined {
  return ix.byCode.get(code) ?? ix.byLowerCode.get(code.toLowerCase());
}

/** Accepts the code (any case), the IRI (also https:// instead of http://, and a trailing slash), or an alias; undefined if unknown. */
export function resolveTerm(name: VocabularyName, input: string): VocabularyEntry | undefined {
  if (typeof input !== 'string') return undefined;
  const s = input.normalize('NFC').trim();
  if (!s) return undefined;
  const ix = INDEX[name];
  if (/^https?:\/\//i.test(s)) {
    const iri = normalizeIri(s);
    const hit = ix.byIri.get(iri);
    if (hit) return hit;
    const base = VOCABULARIES[name].base;
    // The code part of a member IRI in another case, e.g. …/file-type/csv.
    return iri.startsWith(base) ? byCode(ix, iri.slice(base.length)) : undefined;
  }
  return byCode(ix, s) ?? ix.byAlias.get(aliasKey(s));
}

/** A short text listing valid choices for an error message: up to `max` codes (default 20) then "… (N in all, see <scheme>)". */
export function choicesText(name: VocabularyName, max = 20): string {
  const v = VOCABULARIES[name];
  const codes = [...new Set([...(v.featured ?? []), ...v.entries.map((e) => e.code)])];
  const shown = codes.slice(0, Math.max(0, max));
  if (shown.length < codes.length) shown.push('…');
  return `${shown.join(', ')} (${codes.length} in all, see ${v.scheme})`;
}

/** Entry by exact IRI (fast map lookup). */
export function entryByIri(name: VocabularyName, iri: string): VocabularyEntry | undefined {
  return INDEX[name].byIri.get(iri);
}

/** Extras (by key) whose values are terms of a vocabulary: short forms, IRIs, or JSON lists of either. */
export const VOCABULARY_EXTRAS: Readonly<Record<string, VocabularyName>> = {
  language: 'language', frequency: 'frequency', access_rights: 'accessRights', contributorID: 'contributor',
  politicalGeocodingLevelURI: 'geocodingLevel', theme: 'theme', hvd_category: 'hvdCategory',
};

/** A term's label for people (German, else English), for a short form or IRI; undefined when the value is no term of the list. */
export function termLabel(name: VocabularyName, value: string): string | undefined {
  const e = resolveTerm(name, value);
  return e ? e.labels.de ?? e.labels.en ?? e.code : undefined;
}
