import type { VocabularyEntry } from './index';

/**
 * The EU frequency table. Codes and labels come from the Publications Office file of 2018 (version 20181212-0);
 * the codes added to the table since then (minutes, hours, multi-year, AS_NEEDED, NOT_PLANNED) are marked
 * "not in the 2018 file": they are members of the current list, but their labels here are ours.
 * Our own table; the running service never reads the file. Ordered from most to least frequent.
 */
export const FREQUENCY_SCHEME = 'http://publications.europa.eu/resource/authority/frequency';

/** IRI prefix of the frequencies: `${FREQUENCY_BASE}MONTHLY`. */
export const FREQUENCY_BASE = `${FREQUENCY_SCHEME}/`;

/** The frequencies, from most to least frequent, then the special ones. */
export const FREQUENCIES: readonly VocabularyEntry[] = [
  { code: "1MIN", iri: "http://publications.europa.eu/resource/authority/frequency/1MIN", labels: { de: "minütlich", en: "every minute" } }, // not in the 2018 file; labels ours
  { code: "5MIN", iri: "http://publications.europa.eu/resource/authority/frequency/5MIN", labels: { de: "alle fünf Minuten", en: "every five minutes" } }, // not in the 2018 file; labels ours
  { code: "10MIN", iri: "http://publications.europa.eu/resource/authority/frequency/10MIN", labels: { de: "alle zehn Minuten", en: "every ten minutes" } }, // not in the 2018 file; labels ours
  { code: "15MIN", iri: "http://publications.europa.eu/resource/authority/frequency/15MIN", labels: { de: "viertelstündlich", en: "every fifteen minutes" } }, // not in the 2018 file; labels ours
  { code: "30MIN", iri: "http://publications.europa.eu/resource/authority/frequency/30MIN", labels: { de: "halbstündlich", en: "every thirty minutes" } }, // not in the 2018 file; labels ours
  { code: "HOURLY", iri: "http://publications.europa.eu/resource/authority/frequency/HOURLY", labels: { de: "stündlich", en: "hourly" } }, // not in the 2018 file; labels ours
  { code: "BIHOURLY", iri: "http://publications.europa.eu/resource/authority/frequency/BIHOURLY", labels: { de: "zweistündlich", en: "bihourly" } }, // not in the 2018 file; labels ours
  { code: "TRIHOURLY", iri: "http://publications.europa.eu/resource/authority/frequency/TRIHOURLY", labels: { de: "dreistündlich", en: "trihourly" } }, // not in the 2018 file; labels ours
  { code: "12HRS", iri: "http://publications.europa.eu/resource/authority/frequency/12HRS", labels: { de: "alle zwölf Stunden", en: "every twelve hours" } }, // not in the 2018 file; labels ours
  { code: "CONT", iri: "http://publications.europa.eu/resource/authority/frequency/CONT", labels: { de: "kontinuierlich", en: "continuous" } },
  { code: "UPDATE_CONT", iri: "http://publications.europa.eu/resource/authority/frequency/UPDATE_CONT", labels: { de: "laufend aktualisiert", en: "continuously updated" } }, // in the file without labels; labels ours
  { code: "DAILY_2", iri: "http://publications.europa.eu/resource/authority/frequency/DAILY_2", labels: { de: "zweimal täglich", en: "twice a day" } },
  { code: "DAILY", iri: "http://publications.europa.eu/resource/authority/frequency/DAILY", labels: { de: "täglich", en: "daily" } },
  { code: "WEEKLY_3", iri: "http://publications.europa.eu/resource/authority/frequency/WEEKLY_3", labels: { de: "dreimal in Woche", en: "three times a week" } },
  { code: "WEEKLY_2", iri: "http://publications.europa.eu/resource/authority/frequency/WEEKLY_2", labels: { de: "zweimal in Woche", en: "semiweekly" } },
  { code: "WEEKLY", iri: "http://publications.europa.eu/resource/authority/frequency/WEEKLY", labels: { de: "wöchentlich", en: "weekly" } },
  { code: "BIWEEKLY", iri: "http://publications.europa.eu/resource/authority/frequency/BIWEEKLY", labels: { de: "zweiwöchentlich", en: "biweekly" } },
  { code: "MONTHLY_3", iri: "http://publications.europa.eu/resource/authority/frequency/MONTHLY_3", labels: { de: "dreimal im Monat", en: "three times a month" } },
  { code: "MONTHLY_2", iri: "http://publications.europa.eu/resource/authority/frequency/MONTHLY_2", labels: { de: "zweimal im Monat", en: "semimonthly" } },
  { code: "MONTHLY", iri: "http://publications.europa.eu/resource/authority/frequency/MONTHLY", labels: { de: "monatlich", en: "monthly" } },
  { code: "BIMONTHLY", iri: "http://publications.europa.eu/resource/authority/frequency/BIMONTHLY", labels: { de: "zweimonatlich", en: "bimonthly" } },
  { code: "QUARTERLY", iri: "http://publications.europa.eu/resource/authority/frequency/QUARTERLY", labels: { de: "vierteljährlich", en: "quarterly" } },
  { code: "ANNUAL_3", iri: "http://publications.europa.eu/resource/authority/frequency/ANNUAL_3", labels: { de: "dreimal im Jahr", en: "three times a year" } },
  { code: "ANNUAL_2", iri: "http://publications.europa.eu/resource/authority/frequency/ANNUAL_2", labels: { de: "halbjährlich", en: "semiannual" } },
  { code: "ANNUAL", iri: "http://publications.europa.eu/resource/authority/frequency/ANNUAL", labels: { de: "jährlich", en: "annual" } },
  { code: "BIENNIAL", iri: "http://publications.europa.eu/resource/authority/frequency/BIENNIAL", labels: { de: "zweijährlich", en: "biennial" } },
  { code: "TRIENNIAL", iri: "http://publications.europa.eu/resource/authority/frequency/TRIENNIAL", labels: { de: "dreijährlich", en: "triennial" } },
  { code: "QUADRENNIAL", iri: "http://publications.europa.eu/resource/authority/frequency/QUADRENNIAL", labels: { de: "vierjährlich", en: "quadrennial" } }, // not in the 2018 file; labels ours
  { code: "QUINQUENNIAL", iri: "http://publications.europa.eu/resource/authority/frequency/QUINQUENNIAL", labels: { de: "fünfjährlich", en: "quinquennial" } }, // not in the 2018 file; labels ours
  { code: "DECENNIAL", iri: "http://publications.europa.eu/resource/authority/frequency/DECENNIAL", labels: { de: "zehnjährlich", en: "decennial" } }, // not in the 2018 file; labels ours
  { code: "BIDECENNIAL", iri: "http://publications.europa.eu/resource/authority/frequency/BIDECENNIAL", labels: { de: "alle zwanzig Jahre", en: "bidecennial" } }, // not in the 2018 file; labels ours
  { code: "TRIDECENNIAL", iri: "http://publications.europa.eu/resource/authority/frequency/TRIDECENNIAL", labels: { de: "alle dreißig Jahre", en: "tridecennial" } }, // not in the 2018 file; labels ours
  { code: "IRREG", iri: "http://publications.europa.eu/resource/authority/frequency/IRREG", labels: { de: "unregelmäßig", en: "irregular" } },
  { code: "AS_NEEDED", iri: "http://publications.europa.eu/resource/authority/frequency/AS_NEEDED", labels: { de: "nach Bedarf", en: "as needed" } }, // not in the 2018 file; labels ours
  { code: "NOT_PLANNED", iri: "http://publications.europa.eu/resource/authority/frequency/NOT_PLANNED", labels: { de: "nicht geplant", en: "not planned" } }, // not in the 2018 file; labels ours
  { code: "NEVER", iri: "http://publications.europa.eu/resource/authority/frequency/NEVER", labels: { de: "niemals", en: "never" } },
  { code: "OTHER", iri: "http://publications.europa.eu/resource/authority/frequency/OTHER", labels: { de: "anderer", en: "other" } },
  { code: "UNKNOWN", iri: "http://publications.europa.eu/resource/authority/frequency/UNKNOWN", labels: { de: "unbekannt", en: "unknown" } },
  { code: "OP_DATPRO", iri: "http://publications.europa.eu/resource/authority/frequency/OP_DATPRO", labels: { de: "Vorläufige Daten", en: "Provisional data" } },
];

/** Codes of the current EU list that the 2018 file does not hold (tests check every other code against the file). */
export const FREQUENCY_ADDED_CODES: readonly string[] = ['1MIN', '5MIN', '10MIN', '15MIN', '30MIN', 'HOURLY', 'BIHOURLY', 'TRIHOURLY', '12HRS', 'QUADRENNIAL', 'QUINQUENNIAL', 'DECENNIAL', 'BIDECENNIAL', 'TRIDECENNIAL', 'AS_NEEDED', 'NOT_PLANNED'];

/** Codes shown first when listing the choices. */
export const COMMON_FREQUENCIES: readonly string[] = ['DAILY', 'WEEKLY', 'MONTHLY', 'QUARTERLY', 'ANNUAL_2', 'ANNUAL', 'BIENNIAL', 'HOURLY', 'CONT', 'UPDATE_CONT', 'IRREG', 'AS_NEEDED', 'NEVER', 'UNKNOWN'];

/** English and German words stewards write (lower case) → code. Codes themselves (e.g. 'monthly') match in any case. */
export const FREQUENCY_ALIASES: Readonly<Record<string, string>> = {
  annually: 'ANNUAL',
  yearly: 'ANNUAL',
  'half-yearly': 'ANNUAL_2',
  semiannually: 'ANNUAL_2',
  fortnightly: 'BIWEEKLY',
  continuous: 'CONT',
  continuously: 'CONT',
  'real-time': 'CONT',
  realtime: 'CONT',
  irregular: 'IRREG',
  irregularly: 'IRREG',
  'as needed': 'AS_NEEDED',
  minütlich: '1MIN',
  viertelstündlich: '15MIN',
  halbstündlich: '30MIN',
  stündlich: 'HOURLY',
  stuendlich: 'HOURLY',
  täglich: 'DAILY',
  taeglich: 'DAILY',
  wöchentlich: 'WEEKLY',
  woechentlich: 'WEEKLY',
  zweiwöchentlich: 'BIWEEKLY',
  zweiwoechentlich: 'BIWEEKLY',
  monatlich: 'MONTHLY',
  zweimonatlich: 'BIMONTHLY',
  vierteljährlich: 'QUARTERLY',
  vierteljaehrlich: 'QUARTERLY',
  quartalsweise: 'QUARTERLY',
  halbjährlich: 'ANNUAL_2',
  halbjaehrlich: 'ANNUAL_2',
  jährlich: 'ANNUAL',
  jaehrlich: 'ANNUAL',
  zweijährlich: 'BIENNIAL',
  zweijaehrlich: 'BIENNIAL',
  dreijährlich: 'TRIENNIAL',
  dreijaehrlich: 'TRIENNIAL',
  kontinuierlich: 'CONT',
  echtzeit: 'CONT',
  'laufend aktualisiert': 'UPDATE_CONT',
  unregelmäßig: 'IRREG',
  unregelmaessig: 'IRREG',
  'nach bedarf': 'AS_NEEDED',
  niemals: 'NEVER',
  nie: 'NEVER',
  unbekannt: 'UNKNOWN',
};
