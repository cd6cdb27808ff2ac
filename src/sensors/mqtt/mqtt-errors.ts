/**
 * Thrown by a message handler when the payload itself is wrong (not JSON, no such datastream, a unit that cannot be
 * converted): the message is acknowledged and logged, since sending it again could never succeed. Any other error
 * counts as passing (the database unreachable): the message is not acknowledged and the broker delivers it again.
 */
export class PermanentPayloadError extends Error {
  override readonly name = 'PermanentPayloadError';
  constructor(message: string, readonly details?: Record<string, unknown>) {
    super(message);
  }
}

export const isPermanentPayloadError = (err: unknown): err is PermanentPayloadError =>
  err instanceof PermanentPayloadError || (err instanceof Error && err.name === 'PermanentPayloadError');
