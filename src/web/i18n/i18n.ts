import { de, MessageKey, Messages } from './de';
import { en } from './en';

export type Lang = 'de' | 'en';
export const LANGS: readonly Lang[] = ['de', 'en'];
export const LANG_COOKIE = 'lang';

const CATALOGS: Record<Lang, Messages> = { de, en };

/** Translates a key into one language; `{name}` placeholders take `params`. */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const messages = CATALOGS[lang];
  return (key, params) => {
    const text = messages[key];
    return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : text;
  };
}

const isLang = (v: unknown): v is Lang => typeof v === 'string' && (LANGS as readonly string[]).includes(v);

/** A cookie's value from a Cookie header (no cookie library needed for one value). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The page language: `?lang=` (the header's switch link; the caller then stores it in a cookie), else the cookie,
 * else the first of German or English in Accept-Language by quality, else German.
 */
export function pickLang(query: unknown, cookieHeader: string | undefined, acceptLanguage: string | undefined): { lang: Lang; fromQuery: boolean } {
  if (isLang(query)) return { lang: query, fromQuery: true };
  const cookie = cookieValue(cookieHeader, LANG_COOKIE);
  if (isLang(cookie)) return { lang: cookie, fromQuery: false };
  const ranges = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lang: tag.trim().split('-')[0], q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  const hit = ranges.find((r) => isLang(r.lang));
  return { lang: hit && isLang(hit.lang) ? hit.lang : 'de', fromQuery: false };
}
