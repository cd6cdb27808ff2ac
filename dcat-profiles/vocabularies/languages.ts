import type { VocabularyEntry } from './index';

/**
 * Part of the EU language authority table (Publications Office): the 24 official EU languages, the languages
 * most often published in German municipalities (Arabic, Russian, Turkish, Ukrainian), and the minority languages
 * of Germany that the table holds (Lower and Upper Sorbian, Romani). Danish is an EU language anyway.
 * North Frisian and Low German are left out: we could not confirm their codes in the EU table.
 * No copy of the table is in the project's shared files; codes were checked against published copies, labels are ours.
 */
export const LANGUAGE_SCHEME = 'http://publications.europa.eu/resource/authority/language';

/** IRI prefix of the languages: `${LANGUAGE_BASE}DEU`. */
export const LANGUAGE_BASE = `${LANGUAGE_SCHEME}/`;

/** The languages, German and English first, then by code. */
export const LANGUAGES: readonly VocabularyEntry[] = [
  { code: "DEU", iri: "http://publications.europa.eu/resource/authority/language/DEU", labels: { de: "Deutsch", en: "German" } },
  { code: "ENG", iri: "http://publications.europa.eu/resource/authority/language/ENG", labels: { de: "Englisch", en: "English" } },
  { code: "ARA", iri: "http://publications.europa.eu/resource/authority/language/ARA", labels: { de: "Arabisch", en: "Arabic" } },
  { code: "BUL", iri: "http://publications.europa.eu/resource/authority/language/BUL", labels: { de: "Bulgarisch", en: "Bulgarian" } },
  { code: "CES", iri: "http://publications.europa.eu/resource/authority/language/CES", labels: { de: "Tschechisch", en: "Czech" } },
  { code: "DAN", iri: "http://publications.europa.eu/resource/authority/language/DAN", labels: { de: "Dänisch", en: "Danish" } },
  { code: "DSB", iri: "http://publications.europa.eu/resource/authority/language/DSB", labels: { de: "Niedersorbisch", en: "Lower Sorbian" } },
  { code: "ELL", iri: "http://publications.europa.eu/resource/authority/language/ELL", labels: { de: "Griechisch", en: "Greek" } },
  { code: "EST", iri: "http://publications.europa.eu/resource/authority/language/EST", labels: { de: "Estnisch", en: "Estonian" } },
  { code: "FIN", iri: "http://publications.europa.eu/resource/authority/language/FIN", labels: { de: "Finnisch", en: "Finnish" } },
  { code: "FRA", iri: "http://publications.europa.eu/resource/authority/language/FRA", labels: { de: "Französisch", en: "French" } },
  { code: "GLE", iri: "http://publications.europa.eu/resource/authority/language/GLE", labels: { de: "Irisch", en: "Irish" } },
  { code: "HRV", iri: "http://publications.europa.eu/resource/authority/language/HRV", labels: { de: "Kroatisch", en: "Croatian" } },
  { code: "HSB", iri: "http://publications.europa.eu/resource/authority/language/HSB", labels: { de: "Obersorbisch", en: "Upper Sorbian" } },
  { code: "HUN", iri: "http://publications.europa.eu/resource/authority/language/HUN", labels: { de: "Ungarisch", en: "Hungarian" } },
  { code: "ITA", iri: "http://publications.europa.eu/resource/authority/language/ITA", labels: { de: "Italienisch", en: "Italian" } },
  { code: "LAV", iri: "http://publications.europa.eu/resource/authority/language/LAV", labels: { de: "Lettisch", en: "Latvian" } },
  { code: "LIT", iri: "http://publications.europa.eu/resource/authority/language/LIT", labels: { de: "Litauisch", en: "Lithuanian" } },
  { code: "MLT", iri: "http://publications.europa.eu/resource/authority/language/MLT", labels: { de: "Maltesisch", en: "Maltese" } },
  { code: "NLD", iri: "http://publications.europa.eu/resource/authority/language/NLD", labels: { de: "Niederländisch", en: "Dutch" } },
  { code: "POL", iri: "http://publications.europa.eu/resource/authority/language/POL", labels: { de: "Polnisch", en: "Polish" } },
  { code: "POR", iri: "http://publications.europa.eu/resource/authority/language/POR", labels: { de: "Portugiesisch", en: "Portuguese" } },
  { code: "ROM", iri: "http://publications.europa.eu/resource/authority/language/ROM", labels: { de: "Romanes", en: "Romani" } },
  { code: "RON", iri: "http://publications.europa.eu/resource/authority/language/RON", labels: { de: "Rumänisch", en: "Romanian" } },
  { code: "RUS", iri: "http://publications.europa.eu/resource/authority/language/RUS", labels: { de: "Russisch", en: "Russian" } },
  { code: "SLK", iri: "http://publications.europa.eu/resource/authority/language/SLK", labels: { de: "Slowakisch", en: "Slovak" } },
  { code: "SLV", iri: "http://publications.europa.eu/resource/authority/language/SLV", labels: { de: "Slowenisch", en: "Slovenian" } },
  { code: "SPA", iri: "http://publications.europa.eu/resource/authority/language/SPA", labels: { de: "Spanisch", en: "Spanish" } },
  { code: "SWE", iri: "http://publications.europa.eu/resource/authority/language/SWE", labels: { de: "Schwedisch", en: "Swedish" } },
  { code: "TUR", iri: "http://publications.europa.eu/resource/authority/language/TUR", labels: { de: "Türkisch", en: "Turkish" } },
  { code: "UKR", iri: "http://publications.europa.eu/resource/authority/language/UKR", labels: { de: "Ukrainisch", en: "Ukrainian" } },
];

/** The 24 official languages of the EU (all in LANGUAGES). */
export const EU_OFFICIAL_LANGUAGES: readonly string[] = ['BUL', 'CES', 'DAN', 'DEU', 'ELL', 'ENG', 'EST', 'FIN', 'FRA', 'GLE', 'HRV', 'HUN', 'ITA', 'LAV', 'LIT', 'MLT', 'NLD', 'POL', 'POR', 'RON', 'SLK', 'SLV', 'SPA', 'SWE'];

/**
 * ISO 639-1 codes ('de') and ISO 639-2/B codes ('ger') → code. ISO 639-2/T codes ('deu') are the codes
 * themselves in lower case and match without an alias. Sorbian and Romani have no ISO 639-1 code.
 */
export const LANGUAGE_ALIASES: Readonly<Record<string, string>> = {
  ar: 'ARA',
  bg: 'BUL',
  cs: 'CES',
  cze: 'CES',
  da: 'DAN',
  de: 'DEU',
  ger: 'DEU',
  el: 'ELL',
  gre: 'ELL',
  en: 'ENG',
  et: 'EST',
  fi: 'FIN',
  fr: 'FRA',
  fre: 'FRA',
  ga: 'GLE',
  hr: 'HRV',
  hu: 'HUN',
  it: 'ITA',
  lv: 'LAV',
  lt: 'LIT',
  mt: 'MLT',
  nl: 'NLD',
  dut: 'NLD',
  pl: 'POL',
  pt: 'POR',
  ro: 'RON',
  rum: 'RON',
  ru: 'RUS',
  sk: 'SLK',
  slo: 'SLK',
  sl: 'SLV',
  es: 'SPA',
  sv: 'SWE',
  tr: 'TUR',
  uk: 'UKR',
};
