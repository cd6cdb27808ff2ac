import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/**
 * Who may read and write DataStore tables: the dataset's rule (src/auth/visibility.ts). Reads need the right to
 * read the resource's dataset, writes the right to edit it. One table of callers × datasets × actions.
 */
type CallerKey = 'anonymous' | 'member' | 'editor' | 'outsider' | 'sysadmin';
const CALLERS: CallerKey[] = ['anonymous', 'member', 'editor', 'outsider', 'sysadmin'];
const EDITORS: CallerKey[] = ['editor', 'sysadmin'];

const CASES = [
  { key: 'public', private: false, state: 'active', readers: CALLERS },
  { key: 'private', private: true, state: 'active', readers: ['member', 'editor', 'sysadmin'] as CallerKey[] },
  { key: 'draft', private: false, state: 'draft', readers: ['member', 'editor', 'sysadmin'] as CallerKey[] },
];

describe('DataStore permissions follow the dataset', () => {
  let t: TestApp;
  const users = {} as Record<'member' | 'editor' | 'outsider', TestUser>;
  const tables: Record<string, string> = {};
  const datasets: Record<string, string> = {};

  beforeAll(async () => {
    t = await TestApp.start();
    users.member = await t.factories.user();
    users.editor = await t.factories.user();
    users.outsider = await t.factories.user();
    const org = await t.factories.organization({ members: [[users.member, 'member'], [users.editor, 'editor']] });
    await t.factories.organization({ members: [[users.outsider, 'editor']] });
    for (const c of CASES) {
      const d = await t.factories.dataset({ owner_org: org.id, private: c.private, state: c.state });
      datasets[c.key] = d.id;
      const created = await t.call<{ resource_id: string }>('datastore_create', {
        resource: { package_id: d.id }, fields: [{ id: 'geheim', type: 'text' }], records: [{ geheim: `zeile-${c.key}` }], primary_key: 'geheim',
      });
      tables[c.key] = created.resource_id;
    }
  });
  afterAll(() => t.stop());

  const post = (action: string, body: object, caller: CallerKey) => {
    const r = request(t.http).post(`/api/3/action/${action}`).send(body);
    const u = caller === 'anonymous' ? null : caller === 'sysadmin' ? t.sysadmin : users[caller];
    return u ? r.set('Authorization', u.token) : r;
  };

  for (const c of CASES) {
    for (const caller of CALLERS) {
      const may = c.readers.includes(caller);
      it(`${caller} ${may ? 'reads' : 'cannot read'} the ${c.key} dataset's table (datastore_search, datastore_info)`, async () => {
        const search = await post('datastore_search', { resource_id: tables[c.key] }, caller);
        const info = await post('datastore_info', { id: tables[c.key] }, caller);
        if (may) {
          expect(search.status).toBe(200);
          expect(search.body.result.records).toEqual([expect.objectContaining({ _id: 1, geheim: `zeile-${c.key}` })]);
          expect(info.status).toBe(200);
        } else {
          expect(search.status).toBe(403);
          expect(search.body.error.__type).toBe('Authorization Error');
          expect(JSON.stringify(search.body)).not.toContain('zeile-');
          expect(info.status).toBe(403);
        }
      });

      const edits = EDITORS.includes(caller);
      it(`${caller} ${edits ? 'writes' : 'cannot write'} the ${c.key} dataset's table`, async () => {
        const id = tables[c.key];
        const calls: [string, object][] = [
          ['datastore_upsert', { resource_id: id, records: [{ geheim: `neu-${caller}` }] }],
          ['datastore_create', { resource_id: id, fields: [{ id: `f_${caller}`, type: 'int' }] }],
          ['datastore_records_delete', { resource_id: id, filters: { geheim: `neu-${caller}` } }],
          ['datastore_delete', { resource_id: id, filters: { geheim: 'nichts' } }],
          ['datastore_create', { resource: { package_id: datasets[c.key] }, fields: [{ id: 'x', type: 'text' }] }],
        ];
        for (const [action, body] of calls) {
          const res = await post(action, body, caller);
          expect([action, res.status]).toEqual([action, edits ? 200 : 403]);
        }
        // The refused writes changed nothing: the row is there, alone.
        const rows = await t.call<{ records: unknown[] }>('datastore_search', { resource_id: id, fields: 'geheim' });
        expect(rows.records).toEqual([{ geheim: `zeile-${c.key}` }]);
      });
    }
  }

  it('an outsider cannot drop a private table, and the table stays', async () => {
    const res = await post('datastore_delete', { resource_id: tables.private }, 'outsider');
    expect(res.status).toBe(403);
    expect((await t.call<{ total: number }>('datastore_search', { resource_id: tables.private })).total).toBe(1);
  });
});
