import { TestApp } from '../../../test/test-app';
import { CLASS_BITS, classScore, parseTsvector, SlotScores, TextIndex } from './text-index';

/**
 * The in-memory text index reads the lexemes PostgreSQL made (search_document.tsv as text), so it
 * must read PostgreSQL's tsvector output exactly: checked here against PostgreSQL's own unnest().
 */
describe('the in-memory text index', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.stop());

  it('reads tsvector text exactly as PostgreSQL unnests it, weights and odd characters included', async () => {
    const vectors = [
      `setweight(to_tsvector('german', 'Pegelstände am Rhein, Pegel'), 'A') || setweight(to_tsvector('german', 'Pegel Messung'), 'B')`,
      `setweight(to_tsvector('german', 'Tägliche Messwerte'), 'C') || to_tsvector('german', 'Messwerte Rohdaten 2024')`,
      `'it''s a back\\\\slash'::tsvector`,
      `strip(to_tsvector('german', 'ohne Positionen'))`,
      `to_tsvector('simple', repeat('wort ', 300))`,
    ];
    for (const v of vectors) {
      const [{ text }]: { text: string }[] = await t.db.dataSource.query(`SELECT (${v})::text AS text`);
      const rows: { lexeme: string; weights: string[] | null }[] = await t.db.dataSource.query(`SELECT lexeme, weights FROM unnest(${v})`);
      const expected = rows.map((r) => [r.lexeme, r.weights ? r.weights.reduce((m, w) => m | CLASS_BITS[w], 0) : CLASS_BITS.D]);
      expect(parseTsvector(text)).toEqual(expected);
    }
  });

  it('finds documents by lexeme prefix, scored by the best class, after updates and removals', () => {
    const index = new TextIndex();
    index.beginBulk();
    index.set(0, [['pegelstand', CLASS_BITS.A], ['rhein', CLASS_BITS.A | CLASS_BITS.C]]);
    index.set(1, [['pegel', CLASS_BITS.B], ['messung', CLASS_BITS.B]]);
    index.set(3, [['messwert', CLASS_BITS.C]]);
    index.endBulk();
    const scores = (stem: string) => {
      const s = SlotScores.ofStem(index, 8, stem, 15);
      return Object.fromEntries(s.touched.sort().map((slot) => [slot, s.score[slot]]));
    };
    expect(scores('pegel')).toEqual({ 0: 10, 1: 5 });
    expect(scores('mess')).toEqual({ 1: 5, 3: 2 });
    expect(scores('rhein')).toEqual({ 0: 10 });
    index.set(1, [['pegelmessung', CLASS_BITS.D]]);
    index.set(2, [['pegel', CLASS_BITS.A]]);
    index.remove(0);
    expect(scores('pegel')).toEqual({ 1: 1, 2: 10 });
    expect(scores('rhein')).toEqual({});
    expect(scores('mess')).toEqual({ 3: 2 });
    // Only the classes a field allows count: notes (C) does not see a title match.
    expect(SlotScores.ofStem(index, 8, 'pegel', CLASS_BITS.C).touched).toEqual([]);
    expect(classScore(CLASS_BITS.C | CLASS_BITS.D)).toBe(2);
  });
});
