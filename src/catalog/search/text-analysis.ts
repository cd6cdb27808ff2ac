/**
 * The parts of German text analysis that run before a query reaches PostgreSQL: splitting words
 * into tokens as PostgreSQL's parser does, the same folding as the SQL catalog_fold(), and the
 * stop words a query drops.
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
