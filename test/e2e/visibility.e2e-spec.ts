import request from 'supertest';
import { DatasetChanges } from '../../src/catalog/datasets/dataset-changes';
import {
  CALLERS as MATRIX_CALLERS, CallerKey as MatrixCaller, MatrixCallers, memoised, ORG_READERS, ORG_READERS_AND_COLLABORATORS, PLATFORM,
} from '../access-matrix';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/**
 * Every read path against ONE table of who may read what (the rule of src/auth/visibility.ts, CKAN 2.11's
 * permission labels): for each path × dataset × caller the test states whether the caller sees the dataset
 * there — its dict, its count, its tag, its facet, its RDF. The table below is the specification; the paths
 * differ only in which states they list and whether they show the caller's datasets or only the public ones.
 */

/** The matrix's callers (test/access-matrix.ts), and the creator of the datasets left without an organization. */
type CallerKey = MatrixCaller | 'creator';
const CALLERS: Record<CallerKey, string> = { ...MATRIX_CALLERS, creator: 'the creator of the unowned datasets' };
const CALLER_KEYS = Object.keys(CALLERS) as CallerKey[];

interface Case {
  key: string;
  label: string;
  state: 'active' | 'draft' | 'pending' | 'deleted';
  private: boolean;
  /** Issue 14: the access level sent (none: from `private`); shared with the share organizations (read and edit). */
  level?: 'public' | 'internal' | 'shared' | 'private';
  shares?: boolean;
  /** Owned by an organization of its own (the callers' roles are in it), or left without one. */
  owned: boolean;
  /** THE TABLE: who may read this dataset. */
  readers: CallerKey[];
}

const CASES: Case[] = [
  { key: 'open', label: 'the active public dataset', state: 'active', private: false, owned: true, readers: CALLER_KEYS },
  { key: 'private', label: 'the active private dataset', state: 'active', private: true, owned: true, readers: ORG_READERS_AND_COLLABORATORS },
  { key: 'draft', label: 'the draft dataset', state: 'draft', private: false, owned: true, readers: ORG_READERS_AND_COLLABORATORS },
  // Issue 14's approval workflow: submitted and waiting for an admin, public as sent but not published, so a draft to everyone.
  { key: 'pending', label: 'the pending dataset sent as public', state: 'pending', private: false, level: 'public', owned: true, readers: ORG_READERS_AND_COLLABORATORS },
  { key: 'deleted', label: 'the deleted dataset', state: 'deleted', private: false, owned: true, readers: ORG_READERS },
  { key: 'public', label: "the active dataset sent with access_level 'public'", state: 'active', private: false, level: 'public', owned: true, readers: CALLER_KEYS },
  { key: 'internal', label: 'the active internal dataset', state: 'active', private: true, level: 'internal', owned: true, readers: [...PLATFORM, 'collaborator', 'editorcollaborator'] },
  { key: 'internaldraft', label: 'the draft internal dataset', state: 'draft', private: true, level: 'internal', owned: true, readers: ORG_READERS_AND_COLLABORATORS },
  { key: 'shared', label: 'the active shared dataset', state: 'active', private: true, level: 'shared', shares: true, owned: true, readers: [...ORG_READERS_AND_COLLABORATORS, 'sharedreader', 'sharededitor'] },
  { key: 'shareddraft', label: 'the draft shared dataset', state: 'draft', private: true, level: 'shared', shares: true, owned: true, readers: ORG_READERS_AND_COLLABORATORS },
  { key: 'sharesignored', label: 'the private dataset with shares', state: 'active', private: true, level: 'private', shares: true, owned: true, readers: ORG_READERS_AND_COLLABORATORS },
  { key: 'orphanprivate', label: 'the private dataset without an organization', state: 'active', private: true, owned: false, readers: ['creator', 'sysadmin'] },
  { key: 'orphandraft', label: 'the draft dataset without an organization', state: 'draft', private: false, owned: false, readers: ['creator', 'sysadmin'] },
];

const reads = (caller: CallerKey, c: Case): boolean => c.readers.includes(caller);
/** What anyone may read: package_list, the DCAT catalog, groups and package_search without include_private show only this. */
const isPublic = (c: Case): boolean => reads('anonymous', c);
const readsActive = (caller: CallerKey, c: Case): boolean => c.state === 'active' && reads(caller, c);
const readsActiveOrDraft = (caller: CallerKey, c: Case): boolean => c.state !== 'deleted' && reads(caller, c);
/** The user who created a case's dataset: the editor in its organization, or the creator for the unowned ones. */
/** Cases whose dataset holds a DataStore table. */
const hasTable = (c: Case): boolean => c.owned && c.state !== 'deleted';
const creatorOf = (c: Case): CallerKey => (c.owned ? 'editor' : 'creator');
/** user_show of the dataset's creator (CKAN: package_search with include_private and include_drafts for oneself and sysadmins). */
const inUserShow = (caller: CallerKey, c: Case): boolean =>
  caller === creatorOf(c) || caller === 'sysadmin' ? readsActiveOrDraft(caller, c) : isPublic(c);

/**
 * A dataset's activities (src/audit): for whoever may read the dataset now AND could read it as it was when each activity
 * was written (CKAN's permission labels). The unowned datasets were written while they belonged to the organization
 * that was then purged, whose members nobody is any more, so their activities are left to sysadmins.
 */
const readsActivities = (caller: CallerKey, c: Case): boolean => reads(caller, c) && (c.owned || caller === 'sysadmin');

/**
 * activity_data_show and activity_diff show a dataset's recorded dicts to whoever may edit it (CKAN's package_update):
 * of those who read its activities, the owning organization's editors and admins (also from the parent), editor
 * collaborators, and an edit share's editors while it is active and shared (test/e2e/edit-matrix.e2e-spec.ts holds the edit table).
 */
const EDITING: CallerKey[] = ['editor', 'admin', 'parentadmin', 'editorcollaborator', 'sysadmin'];
const editsActivities = (caller: CallerKey, c: Case): boolean =>
  readsActivities(caller, c) && (EDITING.includes(caller) || (caller === 'sharededitor' && c.level === 'shared' && c.state === 'active'));

interface Fixture {
  id: string;
  name: string;
  tag: string;
  format: string;
  resourceId: string;
  /** The DataStore table made on the dataset (not for deleted and unowned ones: deleting a dataset drops its tables). */
  tableId?: string;
  org?: { id: string; name: string };
  group?: { id: string; name: string };
}

/** The table on every path, or (`searchOnly`) on the paths package_search answers, with the engine `env` picks. */
function visibilityTable(engine: string, env: Record<string, string>, searchOnly: boolean): void {
  describe(`one visibility rule on every read path (search: ${engine})`, () => {
    let t: TestApp;
    let callers: MatrixCallers;
    let creator: TestUser;
    const fx: Record<string, Fixture> = {};
    const once = memoised();

    const userOf = (caller: CallerKey): TestUser | null => (caller === 'creator' ? creator : callers.userOf(caller));
    /** The user who created a case's dataset. */
    const madeBy = (c: Case): TestUser => userOf(creatorOf(c))!;
    const get = (caller: CallerKey, path: string) => {
      const r = request(t.http).get(path);
      const u = userOf(caller);
      return u ? r.set('Authorization', u.token) : r;
    };
    const action = async <T = unknown>(caller: CallerKey, name: string, params: Record<string, unknown> = {}): Promise<{ status: number; result: T }> => {
      const qs = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
      const res = await get(caller, `/api/3/action/${name}${qs ? `?${qs}` : ''}`);
      return { status: res.status, result: res.body.result as T };
    };
    const ok = async <T>(caller: CallerKey, name: string, params: Record<string, unknown> = {}): Promise<T> => {
      const res = await action<T>(caller, name, params);
      if (res.status !== 200) throw new Error(`${name} answered ${res.status} for ${caller}`);
      return res.result;
    };

    beforeAll(async () => {
      t = await TestApp.start(env);
      callers = await MatrixCallers.make(t, 'vis');
      creator = await t.factories.user();
      // The unowned datasets: their creator made them as editor of an organization that was then purged.
      const gone = await t.factories.organization({ members: [[creator, 'editor']] });

      for (const c of CASES) {
        const org = c.owned ? await callers.ownOrg(`vis-${c.key}-org`) : gone;
        const group = c.state !== 'deleted' ? await t.factories.group({ name: `vis-${c.key}-group` }) : undefined;
        const as = madeBy(c);
        const d = await t.factories.dataset(
          { name: `vis-${c.key}-ds`, owner_org: org.id, private: c.private, ...(c.level ? { access_level: c.level } : {}), state: c.state === 'deleted' ? 'active' : c.state, tags: [{ name: `vis-${c.key}-tag` }] },
          as,
        );
        if (c.shares) await callers.share(d.id);
        const format = `vis${c.key}fmt`;
        const up = await request(t.http).post('/api/3/action/resource_create').set('Authorization', as.token)
          .field('package_id', d.id).field('format', format).attach('upload', Buffer.from(`wert;${c.key}\n1;2\n`), 'werte.csv');
        expect(up.status).toBe(200);
        if (group && c.owned) await t.call('package_patch', { id: d.id, groups: [{ id: group.id }] });
        const tableId = hasTable(c)
          ? (await t.call<{ resource_id: string }>('datastore_create', { resource: { package_id: d.id }, fields: [{ id: 'wert', type: 'int' }], records: [{ wert: 1 }] }, { as })).resource_id
          : undefined;
        await callers.collaborate(d.id);
        if (c.state === 'deleted' || !c.owned) await t.call('package_delete', { id: d.id }, { as });
        fx[c.key] = { id: d.id, name: d.name, tag: `vis-${c.key}-tag`, format, resourceId: up.body.result.id, tableId, org: c.owned ? org : undefined, group };
      }
      await t.call('organization_purge', { id: gone.id });
      // CKAN's actions no longer make these (a dataset without an organization cannot be private, an organization with
      // live datasets cannot be purged), but catalogs migrated or harvested from older CKANs hold them.
      const orphans = CASES.filter((c) => !c.owned);
      await t.context().transaction(async (tx) => {
        for (const c of orphans) {
          await tx.db.query(`UPDATE package SET state = $2 WHERE id = $1 AND owner_org IS NULL`, [fx[c.key].id, c.state]);
          await tx.db.query(`INSERT INTO package_group (package_id, group_id) VALUES ($1, $2)`, [fx[c.key].id, fx[c.key].group!.id]);
        }
        await t.app.get(DatasetChanges).changed(tx, orphans.map((c) => fx[c.key].id));
      });
      await t.searchIndexed();
      // The fixtures are what the table says they are.
      for (const c of CASES) {
        const shown = await t.call<{ state: string; private: boolean; owner_org: string | null }>('package_show', { id: fx[c.key].id });
        expect({ key: c.key, state: shown.state, private: shown.private, owned: shown.owner_org !== null }).toEqual({ key: c.key, state: c.state, private: c.private, owned: c.owned });
      }
    });
    afterAll(() => t.stop());

    const ids = (list: { id: string }[]): string[] => list.map((d) => d.id);
    const search = (caller: CallerKey, params: Record<string, unknown>) =>
      ok<{ count: number; results: { id: string }[]; facets: Record<string, Record<string, number>> }>(caller, 'package_search', params);
    const everything = (caller: CallerKey) =>
      once(`search-all:${caller}`, () => search(caller, { q: '*:*', rows: 1000, include_private: true, include_drafts: true, 'facet.field': ['tags', 'organization'], 'facet.limit': -1 }));
    const turtle = async (caller: CallerKey, path: string): Promise<{ status: number; text: string }> => {
      const res = await get(caller, path).buffer(true).parse((r, cb) => {
        let s = '';
        r.on('data', (c: Buffer) => (s += c.toString('utf8')));
        r.on('end', () => cb(null, s));
      });
      return { status: res.status, text: res.body as string };
    };

    interface Path {
      /** As the test names say it: "in <name>". */
      name: string;
      /** Whether the caller should see the case's dataset there, from the table. */
      expected: (caller: CallerKey, c: Case) => boolean;
      /** Cases the path can hold at all (a group never holds a deleted dataset, an unowned one has no organization). */
      applies?: (c: Case) => boolean;
      /** Answered by package_search (and so by the search engine under test). */
      search?: boolean;
      sees: (caller: CallerKey, c: Case, f: Fixture) => Promise<boolean>;
    }

    const PATHS: Path[] = [
      { name: 'package_show', expected: reads, sees: async (who, _c, f) => (await action(who, 'package_show', { id: f.id })).status === 200 },
      { name: 'resource_show', expected: reads, sees: async (who, _c, f) => (await action(who, 'resource_show', { id: f.resourceId })).status === 200 },
      {
        name: 'the resource download',
        expected: reads,
        sees: async (who, _c, f) => (await get(who, `/dataset/${f.id}/resource/${f.resourceId}/download/werte.csv`)).status === 200,
      },
      {
        name: 'datastore_search',
        expected: reads,
        applies: hasTable,
        sees: async (who, _c, f) => (await action(who, 'datastore_search', { resource_id: f.tableId })).status === 200,
      },
      {
        name: 'datastore_search_sql',
        expected: reads,
        applies: hasTable,
        sees: async (who, _c, f) => (await action(who, 'datastore_search_sql', { sql: `SELECT * FROM "${f.tableId}"` })).status === 200,
      },
      { name: 'the DataStore dump', expected: reads, applies: hasTable, sees: async (who, _c, f) => (await get(who, `/datastore/dump/${f.tableId}`)).status === 200 },
      {
        name: 'datastore_info',
        expected: reads,
        applies: hasTable,
        sees: async (who, _c, f) => (await action(who, 'datastore_info', { id: f.tableId })).status === 200,
      },
      { name: 'dcat_dataset_show', expected: reads, sees: async (who, _c, f) => (await action(who, 'dcat_dataset_show', { id: f.id, _format: 'ttl' })).status === 200 },
      { name: 'resource_view_list', expected: reads, sees: async (who, _c, f) => (await action(who, 'resource_view_list', { id: f.resourceId })).status === 200 },
      { name: 'dataset_follower_count', expected: reads, sees: async (who, _c, f) => (await action(who, 'dataset_follower_count', { id: f.id })).status === 200 },
      {
        name: 'resource_search',
        // CKAN searches resources of active datasets; here private ones for those who may read them (README).
        expected: readsActive,
        sees: async (who, _c, f) => ids((await ok<{ results: { id: string }[] }>(who, 'resource_search', { query: `format:${f.format}` })).results).includes(f.resourceId),
      },
      {
        name: 'tag_search',
        expected: readsActive,
        sees: async (who, _c, f) => (await ok<{ results: { name: string }[] }>(who, 'tag_search', { query: f.tag })).results.some((r) => r.name === f.tag),
      },
      { name: 'the DCAT dataset endpoint (RDF)', expected: reads, sees: async (who, _c, f) => (await turtle(who, `/dataset/${f.id}.ttl`)).status === 200 },
      {
        name: 'package_search results with include_private and include_drafts',
        search: true,
        expected: readsActiveOrDraft,
        sees: async (who, _c, f) => ids((await search(who, { fq: `tags:${f.tag}`, include_private: true, include_drafts: true })).results).includes(f.id),
      },
      {
        // Answered from the search hits alone (no dict is read), as harvesters list a portal's identities.
        name: 'package_search with fl=id',
        search: true,
        expected: readsActiveOrDraft,
        sees: async (who, _c, f) =>
          (await once(`search-ids:${who}`, () => search(who, { q: '*:*', rows: 1000, fl: 'id', include_private: true, include_drafts: true }))).results.some((r) => r.id === f.id),
      },
      {
        name: 'package_search count',
        search: true,
        expected: readsActiveOrDraft,
        sees: async (who, _c, f) => (await search(who, { fq: `tags:${f.tag}`, include_private: true, include_drafts: true, rows: 0 })).count === 1,
      },
      { name: "package_search's tag facet", search: true, expected: readsActiveOrDraft, sees: async (who, _c, f) => f.tag in (await everything(who)).facets.tags },
      {
        name: "package_search's organization facet",
        search: true,
        expected: readsActiveOrDraft,
        applies: (c) => c.owned,
        sees: async (who, _c, f) => f.org!.name in (await everything(who)).facets.organization,
      },
      {
        name: 'package_search without include_private',
        search: true,
        expected: (_who, c) => isPublic(c),
        sees: async (who, _c, f) => ids((await once(`search-public:${who}`, () => search(who, { q: '*:*', rows: 1000 }))).results).includes(f.id),
      },
      {
        name: 'package_list',
        expected: (_who, c) => isPublic(c),
        sees: async (who, _c, f) => (await once(`package_list:${who}`, () => ok<string[]>(who, 'package_list'))).includes(f.name),
      },
      {
        name: 'current_package_list_with_resources',
        search: true,
        // CKAN: private datasets for sysadmins only, never drafts.
        expected: (who, c) => (who === 'sysadmin' ? readsActive(who, c) : isPublic(c)),
        sees: async (who, _c, f) => ids(await once(`current:${who}`, () => ok<{ id: string }[]>(who, 'current_package_list_with_resources', { limit: 100 }))).includes(f.id),
      },
      {
        name: 'package_autocomplete',
        expected: readsActive,
        sees: async (who, _c, f) => (await ok<{ name: string }[]>(who, 'package_autocomplete', { q: f.name })).some((r) => r.name === f.name),
      },
      {
        name: 'tag_list',
        expected: readsActive,
        sees: async (who, _c, f) => (await once(`tag_list:${who}`, () => ok<string[]>(who, 'tag_list'))).includes(f.tag),
      },
      { name: 'tag_show', expected: readsActive, sees: async (who, _c, f) => (await action(who, 'tag_show', { id: f.tag })).status === 200 },
      { name: 'tag_autocomplete', expected: readsActive, sees: async (who, _c, f) => (await ok<string[]>(who, 'tag_autocomplete', { q: f.tag })).includes(f.tag) },
      {
        name: 'format_autocomplete',
        expected: readsActive,
        sees: async (who, _c, f) => (await ok<string[]>(who, 'format_autocomplete', { q: f.format })).includes(f.format),
      },
      {
        name: "organization_list's package_count",
        expected: readsActive,
        applies: (c) => c.owned,
        sees: async (who, _c, f) => {
          const orgs = await once(`organization_list:${who}`, () => ok<{ name: string; package_count: number }[]>(who, 'organization_list', { all_fields: true, limit: 25 }));
          return orgs.find((o) => o.name === f.org!.name)!.package_count === 1;
        },
      },
      {
        name: "organization_show's package_count",
        expected: readsActive,
        applies: (c) => c.owned,
        sees: async (who, _c, f) => (await ok<{ package_count: number }>(who, 'organization_show', { id: f.org!.id })).package_count === 1,
      },
      {
        name: "organization_show's packages",
        expected: readsActive,
        applies: (c) => c.owned,
        sees: async (who, _c, f) => ids((await ok<{ packages: { id: string }[] }>(who, 'organization_show', { id: f.org!.id, include_datasets: true })).packages).includes(f.id),
      },
      {
        name: "group_list's package_count",
        // CKAN counts and lists a group's datasets without include_private, for every caller.
        expected: (_who, c) => isPublic(c),
        applies: (c) => c.state !== 'deleted',
        sees: async (who, _c, f) => {
          const groups = await once(`group_list:${who}`, () => ok<{ name: string; package_count: number }[]>(who, 'group_list', { all_fields: true, limit: 25 }));
          return groups.find((g) => g.name === f.group!.name)!.package_count === 1;
        },
      },
      {
        name: "group_show's package_count",
        expected: (_who, c) => isPublic(c),
        applies: (c) => c.state !== 'deleted',
        sees: async (who, _c, f) => (await ok<{ package_count: number }>(who, 'group_show', { id: f.group!.id })).package_count === 1,
      },
      {
        name: "group_show's packages",
        expected: (_who, c) => isPublic(c),
        applies: (c) => c.state !== 'deleted',
        sees: async (who, _c, f) => ids((await ok<{ packages: { id: string }[] }>(who, 'group_show', { id: f.group!.id, include_datasets: true })).packages).includes(f.id),
      },
      {
        name: 'group_package_show',
        // As package_search: active datasets, private ones for those who may read them (README; CKAN: public ones only).
        expected: readsActive,
        applies: (c) => c.state !== 'deleted',
        sees: async (who, _c, f) => ids(await ok<{ id: string }[]>(who, 'group_package_show', { id: f.group!.id, limit: 100 })).includes(f.id),
      },
      {
        name: "member_list of its organization's datasets",
        expected: readsActive,
        applies: (c) => c.owned,
        sees: async (who, _c, f) => {
          const res = await action<[string, string, string][]>(who, 'member_list', { id: f.org!.id, object_type: 'package' });
          return res.status === 200 && res.result.some(([id]) => id === f.id);
        },
      },
      {
        name: "member_list of its group's datasets",
        expected: readsActive,
        applies: (c) => c.state !== 'deleted',
        sees: async (who, _c, f) => {
          const res = await action<[string, string, string][]>(who, 'member_list', { id: f.group!.id, object_type: 'package' });
          return res.status === 200 && res.result.some(([id]) => id === f.id);
        },
      },
      {
        name: "user_show's datasets of its creator",
        expected: inUserShow,
        sees: async (who, c, f) => {
          const by = madeBy(c);
          const shown = await once(`user_show:${who}:${by.id}`, () => ok<{ datasets: { id: string }[] }>(who, 'user_show', { id: by.id, include_datasets: true }));
          return ids(shown.datasets).includes(f.id);
        },
      },
      {
        name: 'package_activity_list',
        expected: readsActivities,
        sees: async (who, _c, f) => {
          const res = await action<{ object_id: string }[]>(who, 'package_activity_list', { id: f.id });
          return res.status === 200 && res.result.some((a) => a.object_id === f.id);
        },
      },
      {
        name: 'activity_show of its newest activity',
        expected: readsActivities,
        sees: async (who, _c, f) => {
          const [newest] = await once(`activities:${f.id}`, () => t.call<{ id: string }[]>('package_activity_list', { id: f.id }));
          return (await action(who, 'activity_show', { id: newest.id })).status === 200;
        },
      },
      {
        name: 'activity_data_show of its newest activity',
        expected: editsActivities,
        sees: async (who, _c, f) => {
          const [newest] = await once(`activities:${f.id}`, () => t.call<{ id: string }[]>('package_activity_list', { id: f.id }));
          return (await action(who, 'activity_data_show', { id: newest.id })).status === 200;
        },
      },
      {
        name: 'activity_diff of its newest activity',
        expected: editsActivities,
        sees: async (who, _c, f) => {
          const [newest] = await once(`activities:${f.id}`, () => t.call<{ id: string }[]>('package_activity_list', { id: f.id }));
          return (await action(who, 'activity_diff', { id: newest.id, object_type: 'package' })).status === 200;
        },
      },
      {
        name: 'organization_activity_list',
        expected: readsActivities,
        applies: (c) => c.owned,
        sees: async (who, _c, f) => (await ok<{ object_id: string }[]>(who, 'organization_activity_list', { id: f.org!.id, limit: 100 })).some((a) => a.object_id === f.id),
      },
      {
        name: 'group_activity_list',
        expected: readsActivities,
        applies: (c) => c.state !== 'deleted',
        sees: async (who, _c, f) => (await ok<{ object_id: string }[]>(who, 'group_activity_list', { id: f.group!.id, limit: 100 })).some((a) => a.object_id === f.id),
      },
      {
        name: "its creator's user_activity_list",
        expected: readsActivities,
        sees: async (who, c, f) => {
          const list = await once(`user-activities:${who}:${creatorOf(c)}`, () => ok<{ object_id: string }[]>(who, 'user_activity_list', { id: madeBy(c).id, limit: 100 }));
          return list.some((a) => a.object_id === f.id);
        },
      },
      {
        name: 'recently_changed_packages_activity_list',
        expected: readsActivities,
        sees: async (who, _c, f) =>
          (await once(`recent-activities:${who}`, () => ok<{ object_id: string }[]>(who, 'recently_changed_packages_activity_list', { limit: 100 }))).some((a) => a.object_id === f.id),
      },
      {
        name: 'dcat_catalog_show',
        search: true,
        expected: (_who, c) => isPublic(c),
        sees: async (who, _c, f) => (await once(`dcat_catalog_show:${who}`, () => ok<string>(who, 'dcat_catalog_show', { _format: 'ttl' }))).includes(`/dataset/${f.id}>`),
      },
      {
        name: 'the DCAT catalog (RDF)',
        search: true,
        expected: (_who, c) => isPublic(c),
        sees: async (who, _c, f) => (await once(`catalog:${who}`, () => turtle(who, '/catalog.ttl'))).text.includes(`/dataset/${f.id}>`),
      },
    ];

    for (const path of PATHS.filter((p) => !searchOnly || p.search)) {
      describe(path.name, () => {
        for (const c of CASES.filter((x) => path.applies?.(x) ?? true)) {
          for (const who of CALLER_KEYS) {
            const expected = path.expected(who, c);
            it(`${CALLERS[who]} ${expected ? 'sees' : 'does not see'} ${c.label} in ${path.name}`, async () => {
              expect(await path.sees(who, c, fx[c.key])).toBe(expected);
            });
          }
        }
      });
    }

    if (searchOnly) return;

    describe("user_show's number_created_packages", () => {
      for (const maker of ['editor', 'creator'] as const) {
        const made = CASES.filter((c) => creatorOf(c) === maker);
        for (const who of CALLER_KEYS) {
          const expected = made.filter((c) => inUserShow(who, c)).length;
          it(`${CALLERS[who]} is told ${CALLERS[maker]} created ${expected} of their ${made.length} datasets`, async () => {
            const shown = await ok<{ number_created_packages: number }>(who, 'user_show', { id: userOf(maker)!.id });
            expect(shown.number_created_packages).toBe(expected);
          });
        }
      }
    });

    describe('shared caches', () => {
      for (const c of CASES) {
        const shared = isPublic(c);
        it(`a download of ${c.label} is ${shared ? '' : 'not '}marked for shared caches`, async () => {
          const res = await get('sysadmin', `/dataset/${fx[c.key].id}/resource/${fx[c.key].resourceId}/download/werte.csv`);
          expect(res.status).toBe(200);
          expect(res.headers['cache-control']).toBe(shared ? 'public, no-cache' : 'private, no-cache');
        });
      }
    });
  });
}

visibilityTable('in memory', { DATASTORE_SQL_ENABLED: 'true' }, false);
// The same answers when package_search runs in SQL (SEARCH_IN_MEMORY=false), as when the in-memory store cannot be trusted.
visibilityTable('SQL only', { SEARCH_IN_MEMORY: 'false' }, true);
