import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SearchDocumentRepository } from '../../src/search/pg/search-document.repository';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;
interface Quality {
  score: number;
  max: number;
  rating: string;
  dimensions: Record<string, { points: number; max: number }>;
  indicators: { indicator: string; points: number; max: number; met: boolean | null; fields: string[]; hint_de?: string; hint_en?: string }[];
}

const CSV = Buffer.from('datum;pm10\n2025-01-01;12\n2025-01-02;17\n');

const meili = process.env.MEILI_URL ?? process.env.TEST_MEILI_URL;
const ENGINES: [string, Record<string, string>][] = [
  ['PostgreSQL with the in-memory store', {}],
  ['PostgreSQL alone', { SEARCH_IN_MEMORY: 'false' }],
  ...(meili ? [[`Meilisearch at ${meili}`, { MEILI_URL: meili, MEILI_API_KEY: process.env.MEILI_API_KEY ?? process.env.MEILI_MASTER_KEY ?? '', MEILI_INDEX: `test_${randomBytes(4).toString('hex')}` }] as [string, Record<string, string>]] : []),
];
if (!meili) process.stdout.write('metadata quality on Meilisearch SKIPPED: MEILI_URL is not set\n');

/**
 * The metadata quality score (issue 16) as a steward and a CKAN client see it: package_show's `quality`, and
 * package_search's quality_rating facet and quality_score filter. The expected points are worked out by hand from
 * the MQA weights (README, "Metadata quality").
 */
describe.each(ENGINES)('metadata quality: %s', (_label, env) => {
  let t: TestApp;
  let editor: TestUser;
  let org: Dict;

  const show = async (id: string, as?: TestUser): Promise<Dict & { quality: Quality }> => {
    const r = request(t.http).post('/api/3/action/package_show').send({ id });
    if (as) r.set('Authorization', as.token);
    const res = await r;
    expect(res.status).toBe(200);
    return res.body.result;
  };
  const search = async (params: Dict, as?: TestUser): Promise<{ count: number; results: Dict[]; facets: Record<string, Record<string, number>> }> => {
    const r = request(t.http).post('/api/3/action/package_search').send(params);
    if (as) r.set('Authorization', as.token);
    const res = await r;
    expect(res.status).toBe(200);
    return res.body.result;
  };
  const points = (q: Quality, indicator: string): number | undefined => q.indicators.find((i) => i.indicator === indicator)?.points;

  beforeAll(async () => {
    t = await TestApp.start(env);
    editor = await t.factories.user({ name: 'redaktion' });
    org = await t.factories.organization({ name: 'stadt-speyer', title: 'Stadt Speyer', members: [[editor, 'editor']] });
    // Minimal: a name and an organization.
    await t.call('package_create', { name: 'minimal', owner_org: org.id }, { as: editor });
    // Medium: described, tagged, licensed, with a contact and one CSV at an address of its own (not fetched: not checked);
    // no contributorID, which DCAT-AP.de requires (a violation: no compliance points).
    await t.call('package_create', {
      name: 'medium', owner_org: org.id, title: 'Haushaltsplan 2025', notes: 'Der Haushaltsplan der Stadt.', tags: [{ name: 'haushalt' }],
      license_id: 'dl-by-de/2.0', maintainer_email: 'haushalt@speyer.de', resources: [{ url: 'https://example.org/haushalt.csv', format: 'CSV' }],
    }, { as: editor });
    // Complete: every indicator's field, and its file uploaded here (so its URLs are known to answer).
    const complete = await t.call<Dict>('package_create', {
      name: 'complete', owner_org: org.id, title: 'Luftmesswerte', notes: 'Tagesmittel PM10 an der Messstelle Speyer.', tags: [{ name: 'luft' }],
      groups: [], license_id: 'dl-zero-de/2.0', maintainer_email: 'umwelt@speyer.de',
      extras: [
        { key: 'theme', value: 'ENVI' }, { key: 'spatial', value: '{"type":"Point","coordinates":[8.43,49.32]}' }, { key: 'temporal_start', value: '2025-01-01' },
        { key: 'access_rights', value: 'PUBLIC' }, { key: 'issued', value: '2025-01-05' }, { key: 'modified', value: '2025-06-01' },
        { key: 'contributorID', value: 'http://dcat-ap.de/def/contributors/openGovernmentDataPortalRheinlandPfalz' },
      ],
    }, { as: editor });
    const up = await request(t.http).post('/api/3/action/resource_create').set('Authorization', editor.token)
      .field('package_id', String(complete.id)).field('format', 'CSV').field('rights', 'Keine Einschränkungen').attach('upload', CSV, 'luft.csv');
    expect(up.status).toBe(200);
    // Private: never counted by anyone but its organization.
    await t.call('package_create', { name: 'intern', owner_org: org.id, private: true, tags: [{ name: 'intern' }] }, { as: editor });
    await t.searchIndexed();
  });
  afterAll(() => t.stop());

  it('shows a minimal dataset 20 points: publisher (its organization), issued and modified (the catalog\'s dates)', async () => {
    const q = (await show('minimal')).quality;
    expect(q).toMatchObject({ score: 20, max: 405, rating: 'bad' });
    expect(q.indicators.filter((i) => i.points > 0).map((i) => i.indicator)).toEqual(['publisher', 'date_of_issue', 'modification_date']);
    // Nothing invented: its validation found violations, so DCAT-AP compliance earns nothing.
    expect(q.indicators.find((i) => i.indicator === 'dcat_ap_compliance')).toMatchObject({ points: 0, met: false, fields: ['dcat_validation'] });
    // What would raise it, in German and English, by field.
    expect(q.indicators.find((i) => i.indicator === 'keyword_usage')).toMatchObject({ fields: ['tags'], max: 30, met: false, hint_en: 'Add keywords.' });
  });

  it('shows a medium dataset 170 points (sufficient); its external URL "not checked"', async () => {
    const d = await show('medium');
    const q = d.quality;
    expect(q.dimensions).toEqual({
      findability: { points: 30, max: 100 }, accessibility: { points: 0, max: 100 }, interoperability: { points: 70, max: 110 },
      reusability: { points: 60, max: 75 }, contextuality: { points: 10, max: 20 },
    });
    expect(q).toMatchObject({ score: 170, rating: 'sufficient' });
    expect(q.indicators.find((i) => i.indicator === 'dcat_ap_compliance')).toMatchObject({ points: 0, met: false });
    expect(q.indicators.find((i) => i.indicator === 'access_url_status')).toMatchObject({ points: 0, met: null });
    // The stored dict is the client's: quality is computed beside it, not written into it.
    expect((d.extras as { key: string }[]).map((e) => e.key)).not.toContain('quality');
  });

  it('shows a complete dataset with its file uploaded here all 405 points (excellent)', async () => {
    const q = (await show('complete')).quality;
    expect(q.indicators.filter((i) => i.met !== true).map((i) => [i.indicator, i.hint_en])).toEqual([]);
    expect(q).toMatchObject({ score: 405, rating: 'excellent' });
  });

  it('keeps the verdict of the last validated write through a write without validation; never validated is "not checked"', async () => {
    // As the DataStore's own resource updates write: dcat_validation off.
    await t.call('package_patch', { id: 'complete', notes: 'Tagesmittel PM10 und PM2,5 an der Messstelle Speyer.', dcat_validation: 'off' }, { as: editor });
    expect((await show('complete')).quality).toMatchObject({ score: 405 });
    const never = await t.call<Dict & { quality: Quality }>('package_create', { name: 'ungeprueft', owner_org: org.id, private: true, dcat_validation: 'off' }, { as: editor });
    expect(never.quality.indicators.find((i) => i.indicator === 'dcat_ap_compliance')).toMatchObject({ points: 0, met: null, hint_en: 'Not checked: validation was off (dcat_validation).' });
  });

  it('counts the ratings in a quality_rating facet, and filters and sorts by quality_score; private datasets never counted', async () => {
    const anon = await search({ 'facet.field': ['quality_rating'], rows: 10, sort: 'quality_score desc' });
    expect(anon.count).toBe(3);
    expect(anon.facets.quality_rating).toEqual({ bad: 1, sufficient: 1, excellent: 1 });
    expect(anon.results.map((d) => d.name)).toEqual(['complete', 'medium', 'minimal']);
    expect((await search({ fq: 'quality_score:[150 TO *]', sort: 'name asc' })).results.map((d) => d.name)).toEqual(['complete', 'medium']);
    expect((await search({ fq: 'quality_rating:bad' })).results.map((d) => d.name)).toEqual(['minimal']);
    // The organization's editor sees its private dataset, and only they count it.
    const own = await search({ 'facet.field': ['quality_rating'], include_private: true }, editor);
    expect(own.facets.quality_rating).toEqual({ bad: 3, sufficient: 1, excellent: 1 });
  });

  it('raises the score by exactly the licence indicators\' 30 points when a licence is added', async () => {
    const before = (await show('minimal')).quality;
    const answer = await t.call<Dict & { quality: Quality }>('package_patch', { id: 'minimal', license_id: 'dl-by-de/2.0' }, { as: editor });
    const after = (await show('minimal')).quality;
    expect(after.score - before.score).toBe(30);
    expect(points(after, 'license_information')).toBe(20);
    expect(points(after, 'license_vocabulary')).toBe(10);
    // The activity of the write holds the dict with the new score.
    const [latest] = await t.call<{ data: { package: { quality: Quality } } }[]>('package_activity_list', { id: 'minimal' });
    expect(latest.data.package.quality.score).toBe(after.score);
    // The write's answer carries the same score, and search follows at once.
    expect(answer.quality.score).toBe(after.score);
    await t.searchIndexed();
    expect((await search({ fq: 'quality_score:50' })).results.map((d) => d.name)).toEqual(['minimal']);
  });

  it('counts a contact the dataset inherits from its organization, as DCAT-AP.de publishes it', async () => {
    const withContact = await t.factories.organization({ name: 'stadt-worms', extras: [{ key: 'contact_email', value: 'opendata@worms.de' }] });
    await t.call('package_create', { name: 'geerbt', owner_org: withContact.id }, { as: t.sysadmin });
    const q = (await show('geerbt')).quality;
    expect(points(q, 'contact_point')).toBe(20);
    expect(q.score).toBe(40);
  });

  it('scores datasets written before scoring existed through package_quality_refresh (sysadmins only)', async () => {
    // A dataset as an earlier version left it: no derived fields.
    const db = t.app.get(DataSource);
    await db.query(`UPDATE package SET derived = NULL WHERE name = 'complete'`);
    await db.query(`UPDATE search_document SET quality_score = NULL, quality_rating = NULL WHERE name = 'complete'`);
    // Every process reloads what it holds of the search documents, as after an upgrade's start.
    await new SearchDocumentRepository().afterReindex(db.manager);
    await t.searchIndexed();
    expect((await search({ fq: 'quality_rating:excellent' })).count).toBe(0);
    const res = await request(t.http).post('/api/3/action/package_quality_refresh').set('Authorization', editor.token).send({ id: 'complete' });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ success: false, error: { __type: 'Authorization Error' } });
    const q = await t.call<Quality>('package_quality_refresh', { id: 'complete' });
    expect(q).toMatchObject({ score: 405, rating: 'excellent' });
    expect((await show('complete')).quality.score).toBe(405);
    await t.searchIndexed();
    expect((await search({ fq: 'quality_rating:excellent' })).results.map((d) => d.name)).toEqual(['complete']);
  });

  it('keeps a client\'s round trip of the whole dict: quality sent back is neither stored nor trusted', async () => {
    const d = await show('medium');
    const tampered = { ...d, quality: { ...d.quality, score: 405, rating: 'excellent' } };
    const res = await request(t.http).post('/api/3/action/package_update').set('Authorization', editor.token).send(tampered);
    expect(res.status).toBe(200);
    const again = await show('medium');
    expect(again.quality.score).toBe(d.quality.score);
    expect((again.extras as { key: string }[]).map((e) => e.key)).not.toContain('quality');
  });
});
