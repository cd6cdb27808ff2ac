import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

describe('tags and licences', () => {
  let t: TestApp;
  let member: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    member = await t.factories.user();
    const org = await t.factories.organization({ members: [[member, 'member']] });
    await t.factories.dataset({ owner_org: org.id, name: 'mit-tags', tags: [{ name: 'Wasser' }, { name: 'Umwelt' }] });
    await t.factories.dataset({ owner_org: org.id, name: 'geheime-tags', private: true, tags: [{ name: 'Verschlusssache' }] });
  });
  afterAll(() => t.stop());

  it('tag_list lists the tags of readable datasets, sorted; q filters by substring', async () => {
    const anon = await request(t.http).get('/api/3/action/tag_list');
    expect(anon.body.result).toEqual(['Umwelt', 'Wasser']);
    const asMember = await request(t.http).get('/api/3/action/tag_list').set('Authorization', member.token);
    expect(asMember.body.result).toEqual(['Umwelt', 'Verschlusssache', 'Wasser']);
    const q = await request(t.http).get('/api/3/action/tag_list?query=ass');
    expect(q.body.result).toEqual(['Wasser']);
    const full = await request(t.http).get('/api/3/action/tag_list?all_fields=true');
    expect(full.body.result[0]).toEqual({ display_name: 'Umwelt', id: expect.any(String), name: 'Umwelt', vocabulary_id: null });
  });

  it('tag_show returns the tag and, when asked, its public datasets; unknown → 404', async () => {
    const res = await request(t.http).get('/api/3/action/tag_show?id=Wasser&include_datasets=true');
    expect(res.body.result).toMatchObject({ name: 'Wasser', display_name: 'Wasser', vocabulary_id: null });
    expect(res.body.result.packages.map((p: { name: string }) => p.name)).toEqual(['mit-tags']);
    expect((await request(t.http).get('/api/3/action/tag_show?id=nope')).status).toBe(404);
  });

  it('tag_show answers 404 to anonymous callers and outsiders for a tag only private datasets carry, as tag_list hides it', async () => {
    const anon = await request(t.http).get('/api/3/action/tag_show?id=Verschlusssache&include_datasets=true');
    expect(anon.status).toBe(404);
    expect(anon.body).toMatchObject({ success: false, error: { __type: 'Not Found Error' } });
    const outsider = await t.factories.user();
    expect((await request(t.http).get('/api/3/action/tag_show?id=Verschlusssache').set('Authorization', outsider.token)).status).toBe(404);
    const asMember = await request(t.http).get('/api/3/action/tag_show?id=Verschlusssache').set('Authorization', member.token);
    expect(asMember.status).toBe(200);
    expect(asMember.body.result.name).toBe('Verschlusssache');
  });

  it('license_list serves the 34 DCAT-AP.de licences with their IRIs as ids', async () => {
    const res = await request(t.http).get('/api/3/action/license_list');
    expect(res.body.result).toHaveLength(34);
    const dlBy = res.body.result.find((l: { id: string }) => l.id === 'http://dcat-ap.de/def/licenses/dl-by-de/2.0');
    expect(dlBy).toMatchObject({ title: 'Datenlizenz Deutschland Namensnennung 2.0', url: 'https://www.govdata.de/dl-de/by-2-0', od_conformance: 'approved', status: 'active' });
    const closed = res.body.result.find((l: { id: string }) => l.id.endsWith('/other-closed'));
    expect(closed.od_conformance).toBe('not reviewed');
  });

  it('fills license_title and isopen from the licence list, and keeps unknown licence ids as titles', async () => {
    const org = await t.factories.organization();
    const known = await t.factories.dataset({ owner_org: org.id, license_id: 'http://dcat-ap.de/def/licenses/cc-by/4.0' });
    expect(known).toMatchObject({ isopen: true, license_title: 'Creative Commons Namensnennung – 4.0 International (CC BY 4.0)', license_url: 'http://creativecommons.org/licenses/by/4.0/' });
    const unknown = await t.factories.dataset({ owner_org: org.id, license_id: 'eigene-lizenz' });
    expect(unknown).toMatchObject({ isopen: false, license_title: 'eigene-lizenz' });
    expect(unknown).not.toHaveProperty('license_url');
    const none = await t.factories.dataset({ owner_org: org.id });
    expect(none).toMatchObject({ license_id: null, license_title: null });
  });
});
