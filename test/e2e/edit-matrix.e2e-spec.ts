import request from 'supertest';
import { CALLER_KEYS, CALLERS, CallerKey, LEVEL_CASES, labelOf, LevelCase, MatrixCallers } from '../access-matrix';
import { TestApp } from '../test-app';

/**
 * "No missing right" (issue 14): the catalog's and the DataStore's write paths × access levels × the matrix callers
 * (test/access-matrix.ts), against ONE table of who may edit what (LEVEL_CASES there; src/auth/visibility.ts's
 * editClauses and ownerEditClauses). Content (package_patch, resource_create, datastore_upsert) is edited by the owning organization's
 * editors and admins, its parent's admin, editor collaborators and sysadmins, and by an edit share's editors while the
 * dataset is active and shared; what only the owner decides (access level, shares, deletion) is not reached by shares.
 * Everyone else gets CKAN's 403 Authorization Error and nothing changes. (SensorThings writes: sensor-matrix.e2e-spec.)
 */

type Dict = Record<string, unknown>;
type Level = LevelCase & { label: string };
const LEVELS: Level[] = LEVEL_CASES.map((c) => ({ ...c, label: labelOf(c, 'dataset') }));

interface Fixture {
  id: string;
  tableId: string;
}

describe('who may write: write paths × access levels × callers', () => {
  let t: TestApp;
  let callers: MatrixCallers;
  let org: Dict & { id: string; name: string };
  let otherOrgId: string;
  const fx: Record<string, Fixture> = {};

  const post = (who: CallerKey, name: string, body: Dict): request.Test => {
    const r = request(t.http).post(`/api/3/action/${name}`).send(body);
    const u = callers.userOf(who);
    return u ? r.set('Authorization', u.token) : r;
  };

  /** A dataset of the level, as the matrix holds it: shares and collaborators, a DataStore table. */
  async function make(l: Level, name: string): Promise<Fixture> {
    const d = await t.factories.dataset({ name, owner_org: org.id, access_level: l.level, state: l.state }, callers.users.editor);
    if (l.shares) await callers.share(d.id);
    await callers.collaborate(d.id);
    const table = await t.call<{ resource_id: string }>('datastore_create', { resource: { package_id: d.id }, fields: [{ id: 'wert', type: 'int' }], records: [{ wert: 1 }] });
    return { id: d.id, tableId: table.resource_id };
  }

  beforeAll(async () => {
    t = await TestApp.start();
    callers = await MatrixCallers.make(t, 'edit');
    org = await callers.ownOrg('edit-org');
    otherOrgId = (await t.factories.organization({ name: 'edit-third' })).id as string;
    for (const l of LEVELS) fx[l.key] = await make(l, `edit-${l.key}`);
    for (const l of LEVELS) {
      const shown = await t.call<{ access_level: string; state: string }>('package_show', { id: fx[l.key].id });
      expect({ key: l.key, level: shown.access_level, state: shown.state }).toEqual({ key: l.key, level: l.level, state: l.state });
    }
  });
  afterAll(() => t.stop());

  const show = (id: string): Promise<Dict & { notes: string | null; access_level: string; state: string; resources: Dict[] }> => t.call('package_show', { id });
  const refused = (res: request.Response): void => {
    expect({ status: res.status, type: res.body?.error?.__type }).toEqual({ status: 403, type: 'Authorization Error' });
  };

  interface WritePath {
    name: string;
    /** Who may: the level's editors or its owners. */
    who: (l: Level) => CallerKey[];
    /** Makes the write as `who` on the fixture; answers the response and whether the write shows in the dataset. */
    write: (who: CallerKey, l: Level) => Promise<{ res: request.Response; written: boolean }>;
  }

  const PATHS: WritePath[] = [
    {
      name: 'package_patch of its content',
      who: (l) => l.editors,
      write: async (who, l) => {
        const notes = `Notiz von ${who}`;
        const res = await post(who, 'package_patch', { id: fx[l.key].id, notes });
        return { res, written: (await show(fx[l.key].id)).notes === notes };
      },
    },
    {
      name: 'resource_create',
      who: (l) => l.editors,
      write: async (who, l) => {
        const url = `https://example.org/${l.key}/${who}.csv`;
        const res = await post(who, 'resource_create', { package_id: fx[l.key].id, url, name: `von ${who}` });
        return { res, written: (await show(fx[l.key].id)).resources.some((r) => r.url === url) };
      },
    },
    {
      name: 'datastore_upsert',
      who: (l) => l.editors,
      write: async (who, l) => {
        const wert = 1000 + CALLER_KEYS.indexOf(who);
        const res = await post(who, 'datastore_upsert', { resource_id: fx[l.key].tableId, method: 'insert', records: [{ wert }] });
        const rows = await t.call<{ records: { wert: number }[] }>('datastore_search', { resource_id: fx[l.key].tableId, filters: { wert } });
        return { res, written: rows.records.length === 1 };
      },
    },
    {
      name: 'package_patch of its access level',
      who: (l) => l.owners,
      write: async (who, l) => {
        const to = l.level === 'internal' ? 'private' : 'internal';
        const res = await post(who, 'package_patch', { id: fx[l.key].id, access_level: to });
        const written = (await show(fx[l.key].id)).access_level === to;
        // Back to the table's level for the next caller.
        if (written) await t.call('package_patch', { id: fx[l.key].id, access_level: l.level });
        return { res, written };
      },
    },
    {
      name: 'dataset_share_create',
      who: (l) => l.owners,
      write: async (who, l) => {
        const res = await post(who, 'dataset_share_create', { id: fx[l.key].id, organization_id: otherOrgId });
        const shares = await t.call<{ organization_id?: string; id?: string }[]>('dataset_share_list', { id: fx[l.key].id });
        const written = JSON.stringify(shares).includes(otherOrgId);
        if (written) await t.call('dataset_share_delete', { id: fx[l.key].id, organization_id: otherOrgId });
        return { res, written };
      },
    },
    {
      name: 'package_delete',
      who: (l) => l.owners,
      // Deleting ends the dataset's collaborations (as in CKAN): a fresh dataset for each caller.
      write: async (who, l) => {
        const fresh = await make(l, `edit-${l.key}-del-${who}`);
        const res = await post(who, 'package_delete', { id: fresh.id });
        return { res, written: (await show(fresh.id)).state === 'deleted' };
      },
    },
  ];

  for (const path of PATHS) {
    describe(path.name, () => {
      for (const l of LEVELS) {
        for (const who of CALLER_KEYS) {
          const may = path.who(l).includes(who);
          it(`${CALLERS[who]} ${may ? 'may' : 'may not'} write ${l.label} by ${path.name}`, async () => {
            const { res, written } = await path.write(who, l);
            if (may) expect({ status: res.status, error: res.body?.error }).toEqual({ status: 200, error: undefined });
            else refused(res);
            expect(written).toBe(may);
          });
        }
      }
    });
  }

  describe('dataset_share_list', () => {
    for (const l of LEVELS.filter((x) => x.shares)) {
      for (const who of CALLER_KEYS) {
        const may = l.readers.includes(who);
        it(`${CALLERS[who]} ${may ? 'may' : 'may not'} list the shares of ${l.label}`, async () => {
          const res = await post(who, 'dataset_share_list', { id: fx[l.key].id });
          if (may) expect(res.status).toBe(200);
          else refused(res);
        });
      }
    }
  });
});
