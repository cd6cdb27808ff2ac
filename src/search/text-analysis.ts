import type { QNode } from './query/ast';
import { searchField } from './search-fields';

/**
 * The parts of German text analysis that run before a query reaches PostgreSQL: splitting words
 * into tokens as PostgreSQL's parser does, the same folding as the SQL catalog_fold(), and the
 * stop words a query drops. Stemming is PostgreSQL's: a query's tokens are resolved there once
 * (TextResolution), and both the SQL compiler and the in-memory index use that answer.
 */

/** catalog_fold() in JavaScript: lower case, accents folded, ß→ss, ae/oe/ue → a/o/u (not after q). */
export function fold(s: string): string {
  return s
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/(^|[^q])([aou])e/g, '$1$2');
}

/** Word tokens of a query word ("stadt-speyer" → stadt, speyer), folded. */
export function tokens(s: string): string[] {
  return fold(s)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0);
}

/**
 * German function words a query ignores (folded), so "Daten für Mainz" asks for "Daten" and "Mainz".
 * Our own list of the common articles, pronouns, prepositions, conjunctions and auxiliaries.
 */
const STOP_WORDS = new Set(
  `aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes auch auf aus bei beim bin bis bist
   da damit dann das dass dein deine dem den denn der des dessen dich die dies diese diesem diesen dieser dieses dir doch dort du durch
   ein eine einem einen einer eines einig einige er es etwas euch euer eure fur gegen gewesen hab habe haben hat hatte hatten hier hin
   hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener
   jenes jetzt kann kein keine keinem keinen keiner keines konnen konnte machen man manche manchem manchen mancher manches mein meine
   meinem meinen meiner meines mich mir mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen
   seiner seines selbst sich sie sind so solche solchem solchen solcher solches soll sollte sondern sonst uber um und uns unser unsere
   unter viel vom von vor wahrend war waren warst was weg weil weiter welche welchem welchen welcher welches wenn werde werden wie
   wieder will wir wird wirst wo wollen wollte wurde wurden zu zum zur zwar zwischen`
    .split(/\s+/)
    .filter(Boolean),
);

export function isStopWord(foldedToken: string): boolean {
  return STOP_WORDS.has(foldedToken);
}

/**
 * What PostgreSQL said about one query token: its folding, whether it means anything to the
 * German configuration (not a stop word), its stems, whether some indexed word starts with it,
 * and the indexed words close to it (typos) with their stems.
 */
export interface TokenInfo {
  /** The token as PostgreSQL folds it (catalog_fold). */
  folded: string;
  meaningful: boolean;
  /** The lexemes the German configuration makes of it (usually one). */
  stems: string[];
  known: boolean;
  similar: string[];
  /** The lexemes of each similar word, in the same order. */
  similarStems: string[][];
}
export type TextResolution = Map<string, TokenInfo>;

const SAFE_TOKEN = /^[\p{L}\p{N}]+$/u;

/** A query word's token as both engines search it: itself, or (when no indexed word starts with it) also its near misses. */
export interface SearchToken {
  token: string;
  info: TokenInfo | undefined;
  /** Alternatives as folded words (for SQL's to_tsquery). */
  words: string[];
  /** Alternatives as lexemes (for the in-memory index): each alternative's stems must all match. */
  stems: string[][];
}

/** The tokens of a query word that are searched: stop words and tokens PostgreSQL finds meaningless are dropped. */
export function searchTokens(word: string, text: TextResolution): SearchToken[] {
  const out: SearchToken[] = [];
  for (const t of tokens(word)) {
    if (isStopWord(t) || !SAFE_TOKEN.test(t)) continue;
    const info = text.get(t);
    if (info && !info.meaningful) continue;
    const token = info && SAFE_TOKEN.test(info.folded) ? info.folded : t;
    const near = info && !info.known ? info.similar.map((w, i) => [w, info.similarStems[i] ?? []] as const).filter(([w]) => SAFE_TOKEN.test(w)) : [];
    out.push({
      token: t,
      info,
      words: [token, ...near.map(([w]) => w)],
      stems: info ? [info.stems, ...near.map(([, st]) => st)].filter((st) => st.length > 0) : [],
    });
  }
  return out;
}

/** Every word a tree will search as text, folded and split into tokens. */
export function textTokens(node: QNode, out = new Set<string>()): Set<string> {
  const add = (s: string): void => tokens(s).forEach((t) => !isStopWord(t) && out.add(t));
  switch (node.kind) {
    case 'free':
      node.words.forEach((w) => add(w.text));
      break;
    case 'term':
    case 'phrase':
      if (searchField(node.field ?? 'text').type === 'text') add(node.value.replace(/[*?]/g, ' '));
      break;
    case 'and':
    case 'or':
      node.children.forEach((c) => textTokens(c, out));
      break;
    case 'not':
      textTokens(node.child, out);
      break;
    default:
      break;
  }
  return out;
}
