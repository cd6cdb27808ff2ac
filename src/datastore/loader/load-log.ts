/**
 * What a load tells the steward: one entry per remark, with the source line it is about (xloader's log lines carry
 * the line number too). Remarks that can repeat for every row (padded rows, empty lines) are listed for the first
 * few lines only and then counted, so a file with a million short rows gives a readable log, not a million lines.
 */
export type LogLevel = 'info' | 'warning';

export interface LogEntry {
  level: LogLevel;
  /** 1-based line in the source file (for XLSX: the sheet's row number); absent for remarks about the whole file. */
  line?: number;
  message: string;
}

/** How many lines of one repeating kind are named before the rest is only counted. */
const LISTED_PER_KIND = 5;

export class LoadLog {
  private readonly list: LogEntry[] = [];
  private readonly repeats = new Map<string, { count: number; describe: (more: number) => string }>();

  info(message: string, line?: number): void {
    this.list.push(line === undefined ? { level: 'info', message } : { level: 'info', line, message });
  }

  warn(message: string, line?: number): void {
    this.list.push(line === undefined ? { level: 'warning', message } : { level: 'warning', line, message });
  }

  /** A remark that may hold for many lines: the first few are logged, the others counted into one closing line. */
  repeated(kind: string, line: number, message: string, describeRest: (more: number) => string): void {
    const seen = this.repeats.get(kind) ?? { count: 0, describe: describeRest };
    seen.count += 1;
    this.repeats.set(kind, seen);
    if (seen.count <= LISTED_PER_KIND) this.warn(message, line);
  }

  /** All entries, with one closing line for each repeating kind that had more lines than were named. */
  entries(): LogEntry[] {
    const rest: LogEntry[] = [];
    for (const { count, describe } of this.repeats.values()) {
      if (count > LISTED_PER_KIND) rest.push({ level: 'warning', message: describe(count - LISTED_PER_KIND) });
    }
    return [...this.list, ...rest];
  }

  /** The log as text lines, "Zeile 17: ..." where a line is known and the message does not name it already. */
  lines(): string[] {
    return this.entries().map((e) => (e.line === undefined || e.message.includes(`Zeile ${e.line} `) ? e.message : `Zeile ${e.line}: ${e.message}`));
  }
}
