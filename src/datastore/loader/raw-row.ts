/** One row as the file holds it: its cells as text, and the source line it starts on (1-based). */
export interface RawRow {
  line: number;
  cells: string[];
}
