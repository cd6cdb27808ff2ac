import pino, { Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export type LogFormat = 'auto' | 'json' | 'pretty';

/** Whether log lines are written for a person: `auto` means when the destination is a terminal. */
export function isReadableLog(format: LogFormat, destination: 1 | 2 = 1): boolean {
  return format === 'pretty' || (format === 'auto' && (destination === 1 ? process.stdout : process.stderr).isTTY === true);
}

/**
 * Structured JSON logs, or the same lines readable for a person at a terminal (pino-pretty). The
 * server logs to stdout; the CLI logs to stderr so that its stdout carries only its answer (e.g.
 * the API token of `user add`).
 */
export function createLogger(level: string, destination: 1 | 2 = 1, format: LogFormat = 'json'): Logger {
  const options = { level, base: { service: 'catalog' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (isReadableLog(format, destination)) {
    const tty = (destination === 1 ? process.stdout : process.stderr).isTTY === true;
    return pino(options, pretty({ destination, sync: true, colorize: tty, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service', singleLine: true }));
  }
  return pino(options, pino.destination({ fd: destination, sync: destination === 2 }));
}
