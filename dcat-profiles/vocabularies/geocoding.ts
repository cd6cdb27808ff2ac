import type { VocabularyEntry } from './index';

/**
 * dcat-ap.de political geocoding: the four levels for dcatde:politicalGeocodingLevelURI, and IRIs of
 * German official keys (AGS/ARS) under http://dcat-ap.de/def/politicalGeocoding/<kind>/<key>.
 * No copy of the Level list is in the project's shared files; the codes are those used by GovData's
 * ckanext-dcatde mapping, the labels are ours.
 */
export const GEOCODING_LEVEL_SCHEME = 'http://dcat-ap.de/def/politicalGeocoding/Level';

/** IRI prefix of the levels: `${GEOCODING_LEVEL_BASE}municipality`. */
export const GEOCODING_LEVEL_BASE = `${GEOCODING_LEVEL_SCHEME}/`;

/** The four political geocoding levels, from the widest to the narrowest. */
export const GEOCODING_LEVELS: readonly VocabularyEntry[] = [
  { code: "federal", iri: "http://dcat-ap.de/def/politicalGeocoding/Level/federal", labels: { de: "Bund", en: "Federal" } },
  { code: "state", iri: "http://dcat-ap.de/def/politicalGeocoding/Level/state", labels: { de: "Land", en: "State" } },
  { code: "administrativeDistrict", iri: "http://dcat-ap.de/def/politicalGeocoding/Level/administrativeDistrict", labels: { de: "Landkreis/Kreis", en: "Administrative district" } },
  { code: "municipality", iri: "http://dcat-ap.de/def/politicalGeocoding/Level/municipality", labels: { de: "Kommune", en: "Municipality" } },
];

/** German words for the levels (lower case) → code. */
export const GEOCODING_LEVEL_ALIASES: Readonly<Record<string, string>> = {
  bund: 'federal',
  land: 'state',
  bundesland: 'state',
  landkreis: 'administrativeDistrict',
  kreis: 'administrativeDistrict',
  'landkreis/kreis': 'administrativeDistrict',
  kommune: 'municipality',
  gemeinde: 'municipality',
};

/** Namespace of the key IRIs: `${POLITICAL_GEOCODING_BASE}municipalityKey/07111000`. */
export const POLITICAL_GEOCODING_BASE = 'http://dcat-ap.de/def/politicalGeocoding/';

/** Number of digits of each kind of official key (AGS = municipalityKey, ARS = regionalKey). */
export const GEOCODING_KEY_DIGITS = {
  stateKey: 2,
  governmentDistrictKey: 3,
  districtKey: 5,
  municipalityKey: 8,
  municipalAssociationKey: 9,
  regionalKey: 12,
} as const;

/** A kind of official key in a politicalGeocoding IRI. */
export type GeocodingKeyKind = keyof typeof GEOCODING_KEY_DIGITS;

/** IRI of an official key, e.g. ('municipalityKey', '07111000'); undefined if the kind is unknown or the key has not exactly its digits. */
export function regionalKeyIri(kind: GeocodingKeyKind, key: string): string | undefined {
  const digits: number | undefined = Object.prototype.hasOwnProperty.call(GEOCODING_KEY_DIGITS, kind) ? GEOCODING_KEY_DIGITS[kind] : undefined;
  if (digits === undefined || typeof key !== 'string') return undefined;
  const k = key.trim();
  return new RegExp(`^\\d{${digits}}$`).test(k) ? `${POLITICAL_GEOCODING_BASE}${kind}/${k}` : undefined;
}
