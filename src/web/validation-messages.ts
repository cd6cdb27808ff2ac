import type { Lang } from './i18n/i18n';

/** CKAN's validation messages (English, as the API answers them, CKAN-compatible) in German, for the forms. */
const GERMAN: Readonly<Record<string, string>> = {
  'Missing value': 'Bitte ausfüllen.',
  'Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_': 'Nur Kleinbuchstaben (a–z), Ziffern, - und _ sind erlaubt.',
  'That URL is already in use.': 'Dieser Kurzname ist schon vergeben.',
  'Name must be at least 2 characters long': 'Mindestens 2 Zeichen.',
  'Must be at least 2 characters long': 'Mindestens 2 Zeichen.',
  'Name must be a maximum of 100 characters long': 'Höchstens 100 Zeichen.',
  'Must not start or end with whitespace': 'Darf nicht mit Leerzeichen beginnen oder enden.',
  'Must not contain line breaks or other control characters': 'Darf keine Zeilenumbrüche oder Steuerzeichen enthalten.',
  'Must not contain the NUL character': 'Darf kein NUL-Zeichen enthalten.',
  'Date format incorrect': 'Das Datum hat kein gültiges Format (JJJJ-MM-TT).',
  'Organization does not exist': 'Diese Organisation gibt es nicht.',
  'An organization must be provided': 'Bitte eine Organisation wählen.',
  'You cannot add a dataset to this organization': 'Sie dürfen dieser Organisation keine Datensätze hinzufügen.',
  'You cannot move this dataset to another organization': 'Sie dürfen diesen Datensatz nicht in eine andere Organisation verschieben.',
  'Invalid integer': 'Keine gültige ganze Zahl.',
  'Must be true or false': 'Muss ja oder nein sein.',
  // The harvest and sensor source forms' own messages
  'Invalid URL: only absolute http and https URLs are harvested': 'Nur vollständige http- und https-Adressen können geerntet werden.',
  'There already is a Harvest Source for this URL': 'Für diese Adresse gibt es schon eine Harvest-Quelle.',
  'Error parsing the configuration options: not a JSON object': 'Die Einstellungen sind kein JSON-Objekt.',
  'That name is already in use.': 'Dieser Kurzname ist schon vergeben.',
  'Must be a URL': 'Bitte eine Adresse (URL) angeben.',
  'Must be an http or https URL': 'Bitte eine http- oder https-Adresse angeben.',
  'Must be an mqtt, mqtts, ws or wss URL': 'Bitte eine mqtt-, mqtts-, ws- oder wss-Adresse angeben.',
  'Must be a string': 'Bitte Text angeben.',
  'Must be a whole number': 'Keine gültige ganze Zahl.',
  'Must be longer than zero': 'Muss länger als null sein.',
  'Must be an ISO 8601 duration such as P1D or PT6H': 'Bitte eine Dauer nach ISO 8601 angeben, z. B. P1D oder PT6H.',
  'Must be an ISO 8601 duration such as P1D': 'Bitte eine Dauer nach ISO 8601 angeben, z. B. P1D.',
  'Must be a time zone name such as Europe/Berlin': 'Bitte eine Zeitzone wie Europe/Berlin angeben.',
  'Must be a maximum of 1000 characters long': 'Höchstens 1000 Zeichen.',
};

/**
 * A write's error message in the page language: CKAN's own messages from a table, DCAT-AP.de findings (the API
 * writes them "German / English") by their half; anything else as the API wrote it.
 */
export function localMessage(message: string, lang: Lang): string {
  if (lang === 'de' && GERMAN[message]) return GERMAN[message];
  const split = message.indexOf(' / ');
  if (split > 0) return lang === 'de' ? message.slice(0, split) : message.slice(split + 3);
  return message;
}
