import { parse } from 'csv-parse/sync';

/** The separators German exports use: comma, semicolon (Excel with German settings), tab, pipe. */
export const SEPARATORS = [';', ',', '\t', '|'] as const;
export type Separator = (typeof SEPARATORS)[number];

/**
 * The separator that splits the sample into the most consistent rows: for each candidate, csv-parse reads the
 * sample (so quoted separators do not count), and the candidate scores the number of rows that share the most
 * common width, times that width. Title lines and footnotes barely move the score; a comma inside German
 * decimals (`160,85`) splits a semicolon file into fewer, less regular columns than its semicolons do; and when
 * most commas sit between digits, they are taken for decimal commas and the comma's score is halved (a semicolon
 * file with a German decimal in every column would otherwise tie). A file with one column scores 0 for all; it
 * is read with `,`, which then never occurs unquoted.
 */
export function sniffSeparator(sample: string): Separator {
  let best: Separator = ',';
  let bestScore = 0;
  for (const separator of SEPARATORS) {
    const score = consistency(widths(sample, separator)) / (separator === ',' && mostlyDecimalCommas(sample) ? 2 : 1);
    if (score > bestScore) {
      best = separator;
      bestScore = score;
    }
  }
  return best;
}

/** The number of fields in each row of the sample, read with one separator. */
function widths(sample: string, delimiter: string): number[] {
  const rows = parse(sample, {
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  }) as string[][];
  return rows.map((row) => row.length);
}

function consistency(widths: number[]): number {
  const counts = new Map<number, number>();
  for (const w of widths) counts.set(w, (counts.get(w) ?? 0) + 1);
  let score = 0;
  for (const [width, count] of counts) if (width > 1) score = Math.max(score, width * count);
  return score;
}

function mostlyDecimalCommas(sample: string): boolean {
  const commas = sample.split(',').length - 1;
  const decimal = sample.match(/\d,\d/g)?.length ?? 0;
  return commas > 0 && decimal * 2 > commas;
}
