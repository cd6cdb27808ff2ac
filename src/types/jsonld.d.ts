declare module 'jsonld' {
  /** The part of jsonld.js the tests use: JSON-LD to N-Quads. */
  export function toRDF(input: unknown, options: { format: 'application/n-quads' }): Promise<string>;
}
