declare module 'jsonld' {
  /** The part of jsonld.js (digitalbazaar) we use: N-Quads to JSON-LD and back, and compaction with a prefix context. */
  export function toRDF(input: unknown, options: { format: 'application/n-quads' }): Promise<string>;
  export function fromRDF(input: string, options: { format: 'application/n-quads'; useNativeTypes?: boolean }): Promise<object[]>;
  export function compact(input: unknown, context: Record<string, string>, options?: { compactArrays?: boolean }): Promise<Record<string, unknown>>;
}
