import type { Quad } from '@rdfjs/types';
import { DataFactory } from 'n3';
import { VOCABULARIES } from '../../dcat-profiles/vocabularies';

const SKOS = 'http://www.w3.org/2004/02/skos/core#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

let cached: Quad[] | undefined;

/**
 * Membership of every vocabulary entry (`<iri> a skos:Concept; skos:inScheme <scheme>`), the data
 * the code-list checks of our shapes look up, as the official ones do with the published lists.
 */
export function vocabularyQuads(): Quad[] {
  if (cached) return cached;
  const { namedNode, quad } = DataFactory;
  const out: Quad[] = [];
  for (const vocab of Object.values(VOCABULARIES)) {
    const scheme = namedNode(vocab.scheme);
    for (const e of vocab.entries) {
      const node = namedNode(e.iri);
      out.push(quad(node, namedNode(RDF_TYPE), namedNode(`${SKOS}Concept`)) as Quad, quad(node, namedNode(`${SKOS}inScheme`), scheme) as Quad);
    }
  }
  return (cached = out);
}
