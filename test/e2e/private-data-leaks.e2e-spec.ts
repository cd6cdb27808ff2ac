import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/** Private datasets stay private on every read path, not only package_show: no dict, no count. */
describe('private datasets do not leak through other reads', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.stop());

  const get = (path: string, as?: TestUser) => {
    const r = request(t.http).get(`/api/3/action/${path}`);
    return as ? r.set('Authorization', as.token) : r;
  };

  describe('user_show of someone removed from their organization', () => {
    let former: TestUser;
    let org: { id: string };
    let secret: { id: string; name: string };
    let open: { id: string; name: string };

    beforeAll(async () => {
      former = await t.factories.user();
      org = await t.factories.organization({ members: [[former, 'editor']] });
      secret = await t.factories.dataset({ owner_org: org.id, private: true, notes: 'Nur für den Dienstgebrauch' }, former);
      open = await t.factories.dataset({ owner_org: org.id }, former);
    });

    it('shows a member their own private datasets and counts them', async () => {
      const res = await get(`user_show?id=${former.name}&include_datasets=true`, former);
      expect(res.status).toBe(200);
      expect(res.body.result.datasets.map((d: { id: string }) => d.id).sort()).toEqual([secret.id, open.id].sort());
      expect(res.body.result.number_created_packages).toBe(2);
    });

    it('no longer shows nor counts a private dataset they created once package_show refuses it to them', async () => {
      await t.call('organization_member_delete', { id: org.id, username: former.name });
      expect((await get(`package_show?id=${secret.id}`, former)).status).toBe(403);
      const res = await get(`user_show?id=${former.id}&include_datasets=true`, former);
      expect(res.status).toBe(200);
      expect(res.body.result.datasets.map((d: { id: string }) => d.id)).toEqual([open.id]);
      expect(JSON.stringify(res.body)).not.toContain('Nur für den Dienstgebrauch');
      expect(res.body.result.number_created_packages).toBe(1);
      const listed = await get(`user_list?q=${former.name}`, former);
      expect(listed.body.result[0].number_created_packages).toBe(1);
    });

    it('still shows a sysadmin every dataset the user created', async () => {
      const res = await get(`user_show?id=${former.name}&include_datasets=true`, t.sysadmin);
      expect(res.body.result.datasets).toHaveLength(2);
      expect(res.body.result.number_created_packages).toBe(2);
    });

    it('counts only active public datasets in user_list, for the user themself and sysadmins too, as CKAN', async () => {
      const creator = await t.factories.user();
      const own = await t.factories.organization({ members: [[creator, 'editor']] });
      await t.factories.dataset({ owner_org: own.id, private: true }, creator);
      await t.factories.dataset({ owner_org: own.id, state: 'draft' }, creator);
      await t.factories.dataset({ owner_org: own.id }, creator);
      for (const who of [undefined, creator, t.sysadmin]) {
        const listed = await get(`user_list?q=${creator.name}`, who);
        expect(listed.body.result).toEqual([expect.objectContaining({ name: creator.name, number_created_packages: 1 })]);
      }
      expect((await get(`user_show?id=${creator.name}`)).body.result.number_created_packages).toBe(1);
      expect((await get(`user_show?id=${creator.name}`, creator)).body.result.number_created_packages).toBe(3);
    });
  });
});
