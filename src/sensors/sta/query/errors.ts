/**
 * The one error the SensorThings query library throws: a client's path or query option that cannot be served.
 * `status` is the HTTP status the STA endpoints answer with (`{ error: { code, message } }`, STYLE.md §4):
 * 404 for an entity set, navigation or property that does not exist, 400 for anything malformed. `position` is the
 * 0-based offset in the option's text (or the path) where parsing stopped, when there is one.
 */
export class StaQueryError extends Error {
  constructor(
    readonly status: 400 | 404,
    readonly code: 'bad_path' | 'not_found' | 'bad_option' | 'bad_filter' | 'unsupported',
    message: string,
    readonly position?: number,
  ) {
    super(message);
  }
}

export const badFilter = (message: string, position?: number): StaQueryError =>
  new StaQueryError(400, 'bad_filter', position === undefined ? message : `${message} (at position ${position})`, position);
