import { structuredPatch, type StructuredPatch } from 'diff';

/**
 * activity_diff's text: two versions of an object as CKAN prints them (JSON, 2-space indent, sorted keys), compared
 * line by line in the three forms CKAN offers (Python's difflib: unified, context, html). The line diff itself comes
 * from jsdiff (`diff` on npm, the most used and long maintained JavaScript diff, Myers' algorithm with hunks) rather
 * than our own code: a diff algorithm is easy to get subtly wrong and hard to test; only the rendering is ours.
 */
export const DIFF_TYPES = ['unified', 'context', 'html'] as const;
export type DiffType = (typeof DIFF_TYPES)[number];

/** Python's json.dumps(obj, indent=2, sort_keys=True). CKAN compat: non-ASCII characters stay as they are (Python escapes them). */
export function printObject(obj: unknown): string {
  return JSON.stringify(obj, (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return value;
  }, 2) ?? 'null';
}

function patch(before: string, after: string, context: number): StructuredPatch {
  return structuredPatch('', '', `${before}\n`, `${after}\n`, undefined, undefined, { context });
}

const range = (start: number, count: number, sep: string): string => {
  // difflib: "start,end" (1-based, inclusive) or just "start" for one line; an empty range names the line before it.
  if (count === 0) return `${start}`;
  return count === 1 ? `${start}` : `${start}${sep}${start + count - 1}`;
};

function unified(p: StructuredPatch): string {
  if (!p.hunks.length) return '';
  const out = ['--- ', '+++ '];
  for (const h of p.hunks) {
    const old = h.oldLines === 1 ? `${h.oldStart}` : `${h.oldStart},${h.oldLines}`;
    const neu = h.newLines === 1 ? `${h.newStart}` : `${h.newStart},${h.newLines}`;
    out.push(`@@ -${old} +${neu} @@`, ...h.lines);
  }
  return out.join('\n');
}

/** difflib.context_diff: each hunk's old lines, then its new lines; '!' marks a changed block, '-'/'+' a removal/insertion. */
function contextDiff(p: StructuredPatch): string {
  if (!p.hunks.length) return '';
  const out = ['*** ', '--- '];
  for (const h of p.hunks) {
    const marks: { tag: string; text: string; side: 'both' | 'old' | 'new' }[] = [];
    for (let i = 0; i < h.lines.length; ) {
      const line = h.lines[i];
      if (line.startsWith(' ')) {
        marks.push({ tag: ' ', text: line.slice(1), side: 'both' });
        i += 1;
        continue;
      }
      const removed: string[] = [];
      const added: string[] = [];
      while (i < h.lines.length && (h.lines[i].startsWith('-') || h.lines[i].startsWith('+'))) {
        (h.lines[i].startsWith('-') ? removed : added).push(h.lines[i].slice(1));
        i += 1;
      }
      const changed = removed.length > 0 && added.length > 0;
      for (const text of removed) marks.push({ tag: changed ? '!' : '-', text, side: 'old' });
      for (const text of added) marks.push({ tag: changed ? '!' : '+', text, side: 'new' });
    }
    out.push('***************');
    const oldSide = marks.filter((m) => m.side !== 'new');
    const newSide = marks.filter((m) => m.side !== 'old');
    out.push(`*** ${range(h.oldStart, h.oldLines, ',')} ****`);
    if (oldSide.some((m) => m.tag !== ' ')) out.push(...oldSide.map((m) => `${m.tag} ${m.text}`));
    out.push(`--- ${range(h.newStart, h.newLines, ',')} ----`);
    if (newSide.some((m) => m.tag !== ' ')) out.push(...newSide.map((m) => `${m.tag} ${m.text}`));
  }
  return out.join('\n');
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/ /g, '&nbsp;');

/** A side-by-side table like difflib.HtmlDiff.make_table (classes diff_header, diff_add, diff_chg, diff_sub). */
function html(p: StructuredPatch): string {
  const rows: string[] = [];
  const cell = (n: number | null, text: string | null, cls: string | null): string =>
    `<td class="diff_header">${n ?? ''}</td><td nowrap="nowrap">${text === null ? '' : cls ? `<span class="${cls}">${escapeHtml(text)}</span>` : escapeHtml(text)}</td>`;
  for (const h of p.hunks) {
    let o = h.oldStart;
    let n = h.newStart;
    for (let i = 0; i < h.lines.length; ) {
      if (h.lines[i].startsWith(' ')) {
        rows.push(`<tr>${cell(o++, h.lines[i].slice(1), null)}${cell(n++, h.lines[i].slice(1), null)}</tr>`);
        i += 1;
        continue;
      }
      const removed: string[] = [];
      const added: string[] = [];
      while (i < h.lines.length && (h.lines[i].startsWith('-') || h.lines[i].startsWith('+'))) {
        (h.lines[i].startsWith('-') ? removed : added).push(h.lines[i].slice(1));
        i += 1;
      }
      const changed = removed.length > 0 && added.length > 0;
      for (let k = 0; k < Math.max(removed.length, added.length); k += 1) {
        const left = k < removed.length ? cell(o++, removed[k], changed ? 'diff_chg' : 'diff_sub') : cell(null, null, null);
        const right = k < added.length ? cell(n++, added[k], changed ? 'diff_chg' : 'diff_add') : cell(null, null, null);
        rows.push(`<tr>${left}${right}</tr>`);
      }
    }
  }
  return `<table class="diff" summary="Legends"><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** The diff of two versions of an object, as activity_diff returns it in `diff`. */
export function diffObjects(before: unknown, after: unknown, type: DiffType): string {
  const a = printObject(before);
  const b = printObject(after);
  switch (type) {
    case 'unified':
      return unified(patch(a, b, 3));
    case 'context':
      return contextDiff(patch(a, b, 3));
    case 'html':
      // HtmlDiff.make_table shows the whole text, not just hunks.
      return html(patch(a, b, Number.MAX_SAFE_INTEGER));
  }
}
