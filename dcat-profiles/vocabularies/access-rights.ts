import type { VocabularyEntry } from './index';

/**
 * The EU access-right table (Publications Office, version 20160920-0): PUBLIC, RESTRICTED, NON_PUBLIC.
 * English labels from the published file; it has no German ones, so the German labels are ours.
 * Our own table; the running service never reads the file.
 */
export const ACCESS_RIGHTS_SCHEME = 'http://publications.europa.eu/resource/authority/access-right';

/** IRI prefix of the access rights: `${ACCESS_RIGHTS_BASE}PUBLIC`. */
export const ACCESS_RIGHTS_BASE = `${ACCESS_RIGHTS_SCHEME}/`;

/** The three access rights. */
export const ACCESS_RIGHTS: readonly VocabularyEntry[] = [
  { code: "PUBLIC", iri: "http://publications.europa.eu/resource/authority/access-right/PUBLIC", labels: { de: "öffentlich", en: "Public" } },
  { code: "RESTRICTED", iri: "http://publications.europa.eu/resource/authority/access-right/RESTRICTED", labels: { de: "eingeschränkt", en: "Restricted" } },
  { code: "NON_PUBLIC", iri: "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC", labels: { de: "nicht öffentlich", en: "Non-public" } },
];

/** Words for the access rights that are not codes (lower case) → code. */
export const ACCESS_RIGHTS_ALIASES: Readonly<Record<string, string>> = {
  öffentlich: 'PUBLIC',
  oeffentlich: 'PUBLIC',
  open: 'PUBLIC',
  eingeschränkt: 'RESTRICTED',
  eingeschraenkt: 'RESTRICTED',
  'non-public': 'NON_PUBLIC',
  'non public': 'NON_PUBLIC',
  'nicht öffentlich': 'NON_PUBLIC',
  'nicht-öffentlich': 'NON_PUBLIC',
  'nicht oeffentlich': 'NON_PUBLIC',
};
