/**
 * Deepest nesting of lists and dicts accepted in JSON from clients (a request body, a JSON-valued
 * parameter). Real CKAN dicts nest about 5 deep (dataset → resources → resource → a JSON value);
 * GeoJSON in an extra about 10. Anything deeper is refused before it is parsed, because much of what
 * handles parsed data recurses (JSON.stringify, the database driver, validators) and would overflow.
 */
export const MAX_JSON_DEPTH = 64;

/** The message for JSON nested deeper than the cap. */
export const TOO_DEEP = `nested more than ${MAX_JSON_DEPTH} levels deep`;

/**
 * Whether JSON text opens more than `max` lists or dicts inside each other: one linear pass that
 * skips strings (brackets in text do not count), without parsing. Malformed JSON is left for
 * JSON.parse to report.
 */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}
