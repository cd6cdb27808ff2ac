import * as jsonld from 'jsonld';

/**
 * JSON-LD to N-Quads with jsonld.js (the reference implementation). Nothing is fetched: a remote `@context` is
 * refused, since a harvested document must not make us request URLs the harvest's guarded fetch never checked.
 */
const contextRefused = (url: string): string => `remote JSON-LD @context <${url}> is not fetched; the document must carry its @context inline`;

const documentLoader = (url: string): Promise<never> => Promise.reject(new Error(contextRefused(url)));

/** The N-Quads of a JSON-LD document; throws with jsonld.js's message for a document that is not JSON-LD. */
export async function jsonLdToNQuads(text: string, base: string): Promise<string> {
  const doc: unknown = JSON.parse(text);
  try {
    return (await jsonld.toRDF(doc as never, { base, format: 'application/n-quads', documentLoader, safe: false } as never)) as unknown as string;
  } catch (e) {
    const url = (e as { details?: { url?: string } }).details?.url;
    throw new Error(url ? contextRefused(url) : String((e as Error)?.message ?? (e as Error)?.name ?? e), { cause: e });
  }
}
