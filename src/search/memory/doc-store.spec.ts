import { DocRow, DocStore, SortKey, SORT_KEYS } from './doc-store';
import { QNode } from '../query/ast';
import { normalizeTimestamp, resolveDate } from '../query/date-math';

/**
 * The in-memory store answers filter-only searches without SQL, so it must give exactly the
 * answers of a plain evaluation over the documents — through inserts, updates, deletes and slot
 * reuse. These tests compare it with a naive reference on seeded random catalogs and queries.
 */

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

const ORGS = ['stadt-speyer', 'stadt-landau', 'kreis-meissen', 'stadt-riesa'];
const TAGS = ['Wasser', 'Verkehr', 'Pegel', 'Umwelt', 'Haushalt', 'Echtzeit'];
const FORMATS = ['CSV', 'JSON', 'PDF', 'WMS'];
const LICENSES = ['dl-by-de/2.0', 'cc-zero', 'other-closed'];

function uuid(r: () => number): string {
  const h = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${h(8)}-${h(4)}-4${h(3)}-a${h(3)}-${h(12)}`;
}

function randomDoc(r: () => number, id: string): DocRow {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const some = <T>(xs: T[]): T[] => xs.filter(() => r() < 0.35);
  const org = r() < 0.9 ? pick(ORGS) : null;
  const day = 1 + Math.floor(r() * 28);
  const sec = Math.floor(r() * 60);
  const modified = `2025-0${1 + Math.floor(r() * 9)}-${String(day).padStart(2, '0')} 10:00:${String(sec).padStart(2, '0')}.${String(Math.floor(r() * 1e6)).padStart(6, '0')}+00`;
  // Common tags (held as bitsets) and rare ones (held as lists); now and then more than fit inline.
  const tags = [...(r() < 0.05 ? TAGS : some(TAGS)), ...(r() < 0.5 ? [`Jahr ${2000 + Math.floor(r() * 60)}`] : [])];
  const res = some(FORMATS);
  return {
    id,
    name: `ds-${Math.floor(r() * 50)}-${id.slice(0, 4)}`,
    title: r() < 0.1 ? null : `${pick(['Pegel', 'Verkehr', 'Bäume', 'Haushalt'])} ${Math.floor(r() * 100)}`,
    state: r() < 0.85 ? 'active' : pick(['draft', 'deleted']),
    ...accessOf(r),
    type: r() < 0.9 ? 'dataset' : 'showcase',
    owner_org: org ? `00000000-0000-4000-8000-00000000000${ORGS.indexOf(org)}` : null,
    organization: org,
    creator_user_id: pick(['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222']),
    license_id: r() < 0.9 ? pick(LICENSES) : null,
    quality_rating: r() < 0.8 ? pick(['excellent', 'good', 'sufficient', 'bad']) : null,
    tsv: '',
    tags,
    groups: some(['umwelt', 'verkehr']),
    res_format: res,
    hvd_category: r() < 0.2 ? some(['c_ac64a52d', 'c_dd313021', 'http://data.europa.eu/bna/c_164e0bf5']) : [],
    metadata_modified: modified,
    metadata_created: modified,
    num_resources: res.length,
    num_tags: tags.length,
  };
}

/** The reference: each document's fields as plain values, queries evaluated one document at a time. */
function value(d: DocRow, field: string): string | number | string[] | null {
  switch (field) {
    case 'metadata_modified': return normalizeTimestamp(d.metadata_modified);
    case 'metadata_created': return normalizeTimestamp(d.metadata_created);
    case 'title_string': return d.title ?? '';
    case 'license': return d.license_id;
    case 'dataset_type': return d.type;
    default: return (d as unknown as Record<string, string | number | string[] | null>)[field];
  }
}

function matches(d: DocRow, q: QNode, now: Date): boolean {
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  switch (q.kind) {
    case 'all': return true;
    case 'and': return q.children.every((c) => matches(d, c, now));
    case 'or': return q.children.some((c) => matches(d, c, now));
    case 'not': return !matches(d, q.child, now);
    case 'free': throw new Error('not in memory');
    case 'bbox': return !!d.bbox && d.bbox[0] <= q.box[2] && d.bbox[2] >= q.box[0] && d.bbox[1] <= q.box[3] && d.bbox[3] >= q.box[1];
    case 'term':
    case 'phrase': {
      const v = value(d, q.field!);
      const want = q.field === 'metadata_modified' ? resolveDate(q.value, now) : q.field === 'num_tags' || q.field === 'num_resources' ? Number(q.value) : q.value;
      const vs = Array.isArray(v) ? v : v === null || v === '' ? [] : [v];
      if (q.kind === 'term' && q.wildcard) {
        const re = new RegExp(`^${q.value.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
        return vs.some((x) => re.test(String(x)));
      }
      return vs.some((x) => x === want);
    }
    case 'range': {
      const v = value(d, q.field);
      const vs = (Array.isArray(v) ? v : v === null || v === '' ? [] : [v]) as (string | number)[];
      const conv = (b: string | null) => (b === null ? null : q.field === 'metadata_modified' ? resolveDate(b, now) : q.field.startsWith('num_') ? Number(b) : b);
      const lo = conv(q.lo);
      const hi = conv(q.hi);
      return vs.some((x) =>
        (lo === null || (q.loInclusive ? cmp(x, lo) >= 0 : cmp(x, lo) > 0)) && (hi === null || (q.hiInclusive ? cmp(x, hi) <= 0 : cmp(x, hi) < 0)));
    }
  }
}

function randomQuery(r: () => number, depth = 0): QNode {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const k = r();
  if (depth < 2 && k < 0.25) return { kind: pick(['and', 'or'] as const), children: [randomQuery(r, depth + 1), randomQuery(r, depth + 1)] };
  if (depth < 2 && k < 0.32) return { kind: 'not', child: randomQuery(r, depth + 1) };
  const leaf = pick([
    (): QNode => ({ kind: 'term', field: 'organization', value: pick([...ORGS, 'unknown']), wildcard: false }),
    (): QNode => ({ kind: 'term', field: 'tags', value: pick(TAGS), wildcard: false }),
    (): QNode => ({ kind: 'term', field: 'tags', value: pick(['W*', '*er', 'P?gel', 'Jahr 201*']), wildcard: true }),
    (): QNode => ({ kind: 'term', field: 'tags', value: `Jahr ${2000 + Math.floor(r() * 60)}`, wildcard: false }),
    (): QNode => ({ kind: 'range', field: 'tags', lo: 'Jahr 2010', hi: 'Jahr 2020', loInclusive: true, hiInclusive: false }),
    (): QNode => ({ kind: 'term', field: 'res_format', value: pick(FORMATS), wildcard: false }),
    (): QNode => ({ kind: 'term', field: 'license_id', value: pick(LICENSES), wildcard: false }),
    (): QNode => ({ kind: 'term', field: 'capacity', value: 'public', wildcard: false }),
    (): QNode => ({ kind: 'term', field: 'access_level', value: pick(['internal', 'shared']), wildcard: false }),
    (): QNode => ({ kind: 'term', field: 'quality_rating', value: pick(['good', 'bad']), wildcard: false }),
    (): QNode => ({ kind: 'term', field: 'shared_with', value: '00000000-0000-4000-8000-000000000002', wildcard: false }),
    (): QNode => ({ kind: 'term', field: 'state', value: pick(['active', 'draft']), wildcard: false }),
    (): QNode => ({ kind: 'term', field: 'name', value: pick(['ds-1*', 'ds-4*', 'ds-?-*']), wildcard: true }),
    (): QNode => ({ kind: 'term', field: 'num_tags', value: String(Math.floor(r() * 4)), wildcard: false }),
    (): QNode => ({ kind: 'range', field: 'owner_org', lo: null, hi: null, loInclusive: true, hiInclusive: true }),
    (): QNode => ({ kind: 'range', field: 'organization', lo: 'stadt-a', hi: 'stadt-m', loInclusive: r() < 0.5, hiInclusive: r() < 0.5 }),
    (): QNode => ({ kind: 'range', field: 'metadata_modified', lo: `2025-0${1 + Math.floor(r() * 9)}-15T10:00:00Z`, hi: r() < 0.5 ? null : `2025-0${1 + Math.floor(r() * 9)}-10T10:00:00Z`, loInclusive: r() < 0.5, hiInclusive: true }),
    (): QNode => ({ kind: 'range', field: 'title_string', lo: 'H', hi: 'Q', loInclusive: true, hiInclusive: false }),
    (): QNode => ({ kind: 'range', field: 'num_resources', lo: '1', hi: null, loInclusive: true, hiInclusive: true }),
  ]);
  return leaf();
}

function sortValue(d: DocRow, key: SortKey): string | number {
  const v = value(d, key);
  return typeof v === 'number' ? v : String(v ?? '');
}

function reference(docs: Map<string, DocRow>, q: QNode, sort: { key: SortKey; desc: boolean }, start: number, rows: number, facetFields: string[]) {
  const now = new Date('2026-01-01T00:00:00Z');
  const hit = [...docs.values()].filter((d) => matches(d, q, now));
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  hit.sort((a, b) => (cmp(sortValue(a, sort.key), sortValue(b, sort.key)) || cmp(a.id, b.id)) * (sort.desc ? -1 : 1));
  const facets = new Map<string, Map<string, number>>();
  for (const f of facetFields) {
    const counts = new Map<string, number>();
    for (const d of hit) {
      const v = value(d, f);
      for (const x of Array.isArray(v) ? new Set(v) : v === null || v === '' ? [] : [v]) counts.set(String(x), (counts.get(String(x)) ?? 0) + 1);
    }
    facets.set(f, counts);
  }
  return { count: hit.length, ids: hit.slice(start, start + rows).map((d) => d.id), facets };
}

/** An access level with its capacity, as the search documents hold them (issue 14), and now and then shares. */
function accessOf(r: () => number): { capacity: string; access_level: string; shared_with: string[] } {
  const level = r() < 0.8 ? 'public' : (['internal', 'shared', 'private'] as const)[Math.floor(r() * 3)];
  const shared = level === 'shared' ? ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'].filter(() => r() < 0.6) : [];
  return { capacity: level === 'public' ? 'public' : 'private', access_level: level, shared_with: shared };
}

describe('the in-memory search document store', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const at = { now, text: new Map(), rankers: [] };
  const facetFields = ['organization', 'tags', 'res_format', 'license_id', 'groups', 'capacity', 'access_level', 'quality_rating'];

  it.each([
    [1, 400],
    [2, 1010], // grows past its first capacity while edits come in
    [3, 120],
  ])('answers random filters, sorts, pages and facets exactly like a plain evaluation (seed %i, %i documents)', (seed, size) => {
    const r = rng(seed);
    const docs = new Map<string, DocRow>();
    for (let i = 0; i < size; i++) {
      const id = uuid(r);
      docs.set(id, randomDoc(r, id));
    }
    const store = new DocStore();
    store.reset([...docs.values()]);
    const growing = size > 1000; // mostly new documents: the store must grow its columns and postings
    for (let round = 0; round < 30; round++) {
      // A batch of edits: updates, deletions and new documents (small and large batches take different paths).
      const changed: string[] = [];
      const batch = round % 5 === 0 ? 60 : 5;
      for (let k = 0; k < batch; k++) {
        const x = r();
        const ids = [...docs.keys()];
        if (x < (growing ? 0.15 : 0.4)) {
          const id = ids[Math.floor(r() * ids.length)];
          docs.set(id, randomDoc(r, id));
          changed.push(id);
        } else if (x < (growing ? 0.25 : 0.7)) {
          const id = ids[Math.floor(r() * ids.length)];
          docs.delete(id);
          changed.push(id);
        } else {
          const id = uuid(r);
          docs.set(id, randomDoc(r, id));
          changed.push(id);
        }
      }
      store.apply(changed, changed.flatMap((id) => (docs.has(id) ? [docs.get(id)!] : [])));
      expect(store.size).toBe(docs.size);
      if (growing && round === 29) expect(docs.size).toBeGreaterThan(1100);
      for (let qi = 0; qi < 10; qi++) {
        const q = randomQuery(r);
        const sort = { key: SORT_KEYS[Math.floor(r() * SORT_KEYS.length)], desc: r() < 0.5 };
        const start = Math.floor(r() * 40);
        const got = store.scan({ mask: store.match(q, at), sort, start, rows: 15, facetFields });
        const want = reference(docs, q, sort, start, 15, facetFields);
        expect({ query: q, sort, count: got.count, ids: got.ids }).toEqual({ query: q, sort, count: want.count, ids: want.ids });
        expect(got.facets).toEqual(want.facets);
      }
    }
  });

  it('continues a page walk from a cursor exactly where the previous page ended, in both directions', () => {
    const r = rng(7);
    const rows: DocRow[] = [];
    for (let i = 0; i < 300; i++) rows.push(randomDoc(r, uuid(r)));
    const store = new DocStore();
    store.reset(rows);
    for (const key of ['metadata_modified', 'id', 'num_tags', 'title_string'] as SortKey[]) {
      for (const desc of [false, true]) {
        const mask = store.match({ kind: 'term', field: 'state', value: 'active', wildcard: false }, at);
        const all = store.scan({ mask, sort: { key, desc }, start: 0, rows: 1000, facetFields: [] }).ids;
        const walked: string[] = [];
        let after: [string | number, string] | undefined;
        for (;;) {
          const page = store.scan({ mask, sort: { key, desc }, start: walked.length, rows: 7, after, facetFields: [] });
          walked.push(...page.ids);
          if (page.ids.length < 7) break;
          after = page.last;
        }
        expect(walked).toEqual(all);
      }
    }
  });

  it('counts the facets of a match set found elsewhere (by text in PostgreSQL)', () => {
    const r = rng(11);
    const rows: DocRow[] = [];
    for (let i = 0; i < 50; i++) rows.push(randomDoc(r, uuid(r)));
    const store = new DocStore();
    store.reset(rows);
    const some = rows.filter((_, i) => i % 3 === 0);
    const facets = store.countFacets(store.maskOf([...some.map((d) => d.id), 'not-a-known-id']), ['tags']);
    const want = new Map<string, number>();
    for (const d of some) for (const t of d.tags) want.set(t, (want.get(t) ?? 0) + 1);
    expect(facets.get('tags')).toEqual(want);
  });
});
