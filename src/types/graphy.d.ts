/** The part of graphy's RDF/XML scriber we use (the package ships no types). */
declare module '@graphy/content.xml.scribe' {
  import type { Quad } from '@rdfjs/types';
  import type { Transform } from 'node:stream';

  interface XmlScriber extends Transform {
    write(event: Quad | { type: 'array'; value: Quad[] }): boolean;
  }
  function scribe(config?: { prefixes?: Record<string, string> }): XmlScriber;
  export = scribe;
}
