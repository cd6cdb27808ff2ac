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
