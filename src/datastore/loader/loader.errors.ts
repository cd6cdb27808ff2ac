/**
 * A file the loader cannot read as a table: binary data, an unsupported format, an unterminated quote. The message
 * is meant for the steward as it stands (it goes into xloader_status's error); `line` names the source line where known.
 */
export class LoaderError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `Zeile ${line}: ${message}`);
    this.name = 'LoaderError';
  }
}
