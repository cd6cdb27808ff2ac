import request from 'supertest';
import { scopeOf } from '../../src/api/action';
import { ActionRegistry } from '../../src/api/action-registry';
import { TOKEN_SCOPES, TokenScope } from '../../src/api/token-scope';
import { SensorCatalog, StationSource } from '../../src/sensors/catalog/sensor-catalog.service';
import { TestUser } from '../factories/factories';
import { staGauge } from '../sta-gauge';
import { TestApp } from '../test-app';

/**
 * Tokens are refused exactly where they must be (issue 14), generated from the action registry: for every registered
 * action a token lacking the action's scope gets CKAN's 403 naming that scope, and a token holding only that scope is
 * not refused for it (whatever else the action answers to an empty call). Expired and revoked tokens count as no token
 * (as in CKAN: the request runs as anonymous) on one entry point of each kind, and an organization-restricted token
 * brings its owner's rights into its organization only, on the same entry points.
 */

type Dict = Record<string, unknown>;
const SCOPE_REFUSAL = /lacks the scope "([a-z]+)"/;

describe('API token scopes on every registered action', () => {
  let t: TestApp;
  let keyholder: TestUser;
  /** Per scope: a token of a sysadmin with every scope but it, and one with it alone. */
  const without = {} as Record<TokenScope, string>;
  const only = {} as Record<TokenScope, string>;
  let actions: [string, TokenScope][] = [];

  beforeAll(async () => {
    t = await TestApp.start();
    // A sysadmin of its own, so empty calls that pass the scope reach the action and touch no one else's tokens.
    keyholder = await t.factories.user({ name: 'keyholder', sysadmin: true });
    for (const scope of TOKEN_SCOPES) {
      const mk = async (scopes: TokenScope[]): Promise<string> =>
        (await t.call<{ token: string }>('api_token_create', { user: keyholder.name, name: `${scope}-${scopes.length}`, scopes })).token;
      without[scope] = await mk(TOKEN_SCOPES.filter((s) => s !== scope));
      only[scope] = await mk([scope]);
    }
    const registry = t.app.get(ActionRegistry);
    actions = registry.names().map((name) => [name, scopeOf(registry.get(name)!)]);
  });
  afterAll(() => t.stop());

  const post = (name: string, token: string) => request(t.http).post(`/api/3/action/${name}`).set('Authorization', token).send({});

  it('covers every registered action, each needing one of the token scopes', () => {
    expect(actions.length).toBeGreaterThan(150);
    for (const [name, scope] of actions) expect({ name, known: TOKEN_SCOPES.includes(scope) }).toEqual({ name, known: true });
    // Every scope guards some action (harvest: the harvest_* writes, issue 15).
    expect(new Set(actions.map(([, s]) => s))).toEqual(new Set(TOKEN_SCOPES));
  });

  it('refuses every action to a token lacking its scope with 403 Authorization Error naming the scope, and runs nothing', async () => {
    const before = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_write`);
    const wrong: Dict[] = [];
    for (const [name, scope] of actions) {
      const res = await post(name, without[scope]);
      const seen = { name, status: res.status, type: res.body?.error?.__type, scope: SCOPE_REFUSAL.exec(String(res.body?.error?.message))?.[1] };
      if (seen.status !== 403 || seen.type !== 'Authorization Error' || seen.scope !== scope) wrong.push({ ...seen, expected: scope });
    }
    expect(wrong).toEqual([]);
    expect(await t.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_write`)).toEqual(before);
  });

  it('does not refuse any action for its scope to a token holding only that scope', async () => {
    const wrong: Dict[] = [];
    for (const [name, scope] of actions) {
      const res = await post(name, only[scope]);
      // Whatever the empty call answers (a result, 409 for missing fields, 404), never a 500 and never the scope refusal.
      const message = String(res.body?.error?.message ?? '');
      if (res.status >= 500 || SCOPE_REFUSAL.test(message)) wrong.push({ name, scope, status: res.status, message });
    }
    expect(wrong).toEqual([]);
  });

  it('checks the scope on every entry point that is no action: reads need read, SensorThings writes and the raw sensor_push ingest', async () => {
    const org = await t.factories.organization({ members: [[keyholder, 'admin']] });
    const d = await t.factories.dataset({ owner_org: org.id, private: false });
    const up = await request(t.http).post('/api/3/action/resource_create').set('Authorization', keyholder.token)
      .field('package_id', d.id).field('format', 'CSV').attach('upload', Buffer.from('wert\n1\n'), 'werte.csv');
    const table = await t.call<{ resource_id: string }>('datastore_create', { resource: { package_id: d.id }, fields: [{ id: 'wert', type: 'int' }], records: [{ wert: 1 }] });
    const { ds: stream } = await staGauge(t, { name: 'Pegel Scope', org, by: keyholder, stream: 'W' });
    const json = (r: request.Test, body: unknown): request.Test => r.set('content-type', 'application/json').send(JSON.stringify(body));
    const ENTRY_POINTS: [string, TokenScope, (token: string) => request.Test][] = [
      ['a download', 'read', (tk) => request(t.http).get(`/dataset/${d.id}/resource/${up.body.result.id as string}/download/werte.csv`).set('Authorization', tk)],
      ['the DCAT dataset endpoint', 'read', (tk) => request(t.http).get(`/dataset/${d.id}.ttl`).set('Authorization', tk)],
      ['the DCAT catalog endpoint', 'read', (tk) => request(t.http).get('/catalog.ttl').set('Authorization', tk)],
      ['the DataStore dump', 'read', (tk) => request(t.http).get(`/datastore/dump/${table.resource_id}`).set('Authorization', tk)],
      ['SensorThings GET', 'read', (tk) => request(t.http).get(`/sta/v1.1/Datastreams(${stream})/Observations`).set('Authorization', tk)],
      ['SensorThings POST', 'ingest', (tk) => json(request(t.http).post(`/sta/v1.1/Datastreams(${stream})/Observations`).set('Authorization', tk), { result: 1 })],
      ['SensorThings PATCH', 'ingest', (tk) => json(request(t.http).patch(`/sta/v1.1/Datastreams(${stream})`).set('Authorization', tk), { description: 'neu' })],
      ['SensorThings CreateObservations', 'ingest', (tk) => json(request(t.http).post('/sta/v1.1/CreateObservations').set('Authorization', tk), [{ Datastream: { '@iot.id': stream }, components: ['phenomenonTime', 'result'], dataArray: [['2025-03-29T04:00:00Z', 2]] }])],
      ['the raw sensor_push', 'ingest', (tk) => json(request(t.http).post('/api/3/action/sensor_push').set('Authorization', tk), {})],
    ];
    const wrong: Dict[] = [];
    for (const [name, scope, call] of ENTRY_POINTS) {
      const lacking = await call(without[scope]);
      const message = JSON.stringify(lacking.body ?? '');
      if (lacking.status !== 403 || !message.includes(`scope \\"${scope}\\"`)) wrong.push({ name, token: `without ${scope}`, status: lacking.status, message });
      const holding = await call(only[scope]);
      if (holding.status >= 500 || SCOPE_REFUSAL.test(JSON.stringify(holding.body ?? ''))) wrong.push({ name, token: `only ${scope}`, status: holding.status });
      else if (scope === 'read' && holding.status !== 200) wrong.push({ name, token: `only ${scope}`, status: holding.status });
    }
    expect(wrong).toEqual([]);
  });
});

describe('expired, revoked and organization-restricted tokens on every kind of entry point', () => {
  let t: TestApp;
  let eva: TestUser; // editor in nord and sued
  let nord: Dict & { id: string; name: string };
  let sued: Dict & { id: string; name: string };
  /** A private dataset of each organization, with an uploaded resource and a DataStore table, and a private gauge of sued. */
  const fx = {} as Record<'nord' | 'sued', { id: string; resourceId: string; tableId: string }>;
  let suedThing: number;
  let suedStream: number;

  beforeAll(async () => {
    t = await TestApp.start();
    eva = await t.factories.user({ name: 'eva' });
    nord = await t.factories.organization({ name: 'nord', members: [[eva, 'editor']] });
    sued = await t.factories.organization({ name: 'sued', members: [[eva, 'editor']] });
    for (const [key, org] of [['nord', nord], ['sued', sued]] as const) {
      const d = await t.factories.dataset({ name: `${key}-intern`, owner_org: org.id, private: true });
      const up = await request(t.http).post('/api/3/action/resource_create').set('Authorization', eva.token)
        .field('package_id', d.id).field('format', 'CSV').attach('upload', Buffer.from('wert\n1\n'), 'werte.csv');
      expect(up.status).toBe(200);
      const table = await t.call<{ resource_id: string }>('datastore_create', { resource: { package_id: d.id }, fields: [{ id: 'wert', type: 'int' }], records: [{ wert: 1 }] });
      fx[key] = { id: d.id, resourceId: up.body.result.id, tableId: table.resource_id };
    }
    const s = await t.call<Dict & { id: string; name: string }>('sensor_source_create', { name: 'sued-pegel', owner_org: sued.id, type: 'pegelonline', config: { stations: ['KAUB'], private: true } });
    const source: StationSource = { id: s.id, name: s.name, owner_org: sued.id, type: 'pegelonline', config: { private: true } };
    const synced = await t.app.get(SensorCatalog).syncStation(t.context(null).withIgnoreAuth(), source, {
      key: 'kaub-uuid', name: 'KAUB', location: { type: 'Point', coordinates: [7.76, 50.08] }, properties: {},
      streams: [{ key: 'W', name: 'Wasserstand', quantity: 'water_level', unit: 'cm', intervalSeconds: 900 }],
    });
    suedThing = synced.thingId;
    suedStream = synced.datastreams.W;
  });
  afterAll(() => t.stop());

  /** One entry point of each kind, on sued's private data: the status it answers for `token` (null: anonymous). */
  const ENTRY_POINTS: [string, (token: string | null) => request.Test][] = [
    ['an action (package_show)', (tk) => auth(request(t.http).post('/api/3/action/package_show').send({ id: fx.sued.id }), tk)],
    ['a download', (tk) => auth(request(t.http).get(`/dataset/${fx.sued.id}/resource/${fx.sued.resourceId}/download/werte.csv`), tk)],
    ['the DCAT dataset endpoint', (tk) => auth(request(t.http).get(`/dataset/${fx.sued.id}.ttl`), tk)],
    ['the DataStore dump', (tk) => auth(request(t.http).get(`/datastore/dump/${fx.sued.tableId}`), tk)],
    ['SensorThings GET', (tk) => auth(request(t.http).get(`/sta/v1.1/Things(${suedThing})`), tk)],
    [
      'SensorThings POST (an Observation)',
      (tk) => auth(request(t.http).post('/sta/v1.1/Observations').set('content-type', 'application/json'), tk)
        .send(JSON.stringify({ phenomenonTime: new Date().toISOString(), result: 123, Datastream: { '@iot.id': suedStream } })),
    ],
  ];
  function auth(r: request.Test, token: string | null): request.Test {
    return token ? r.set('Authorization', token) : r;
  }
  const mint = async (fields: Dict = {}): Promise<{ token: string; id: string }> =>
    t.call<{ token: string; id: string }>('api_token_create', { user: eva.name, name: `t-${Math.random().toString(36).slice(2, 8)}`, ...fields }, { as: eva });
  const ok = (status: number): boolean => status >= 200 && status < 300;

  it.each(ENTRY_POINTS)('%s: a valid token of a reader opens the private data, an anonymous caller is refused', async (_name, call) => {
    const valid = await mint();
    expect(ok((await call(valid.token)).status)).toBe(true);
    expect(ok((await call(null)).status)).toBe(false);
  });

  it.each(ENTRY_POINTS)('%s: an expired token is refused exactly as no token', async (_name, call) => {
    const expiring = await mint();
    await t.db.dataSource.query(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiring.id]);
    const anonymous = await call(null);
    const res = await call(expiring.token);
    expect(ok(res.status)).toBe(false);
    expect(res.status).toBe(anonymous.status);
  });

  it.each(ENTRY_POINTS)('%s: a revoked token is refused exactly as no token', async (_name, call) => {
    const revoked = await mint();
    expect(ok((await call(revoked.token)).status)).toBe(true);
    await t.call('api_token_revoke', { jti: revoked.id }, { as: eva });
    const anonymous = await call(null);
    const res = await call(revoked.token);
    expect(ok(res.status)).toBe(false);
    expect(res.status).toBe(anonymous.status);
  });

  it.each(ENTRY_POINTS)('%s: a token restricted to another organization of the owner does not open the private data', async (_name, call) => {
    const nordOnly = await mint({ organization: nord.name });
    expect(ok((await call(nordOnly.token)).status)).toBe(false);
    const suedOnly = await mint({ organization: sued.name });
    expect(ok((await call(suedOnly.token)).status)).toBe(true);
  });

  it('a token restricted to one organization still reads public data of any organization', async () => {
    const pub = await t.factories.dataset({ owner_org: sued.id, private: false, resources: [{ url: 'https://example.org/a.csv', name: 'A' }] });
    const nordOnly = await mint({ organization: nord.name });
    expect((await auth(request(t.http).post('/api/3/action/package_show').send({ id: pub.id }), nordOnly.token)).status).toBe(200);
    expect((await auth(request(t.http).get(`/dataset/${pub.id}.ttl`), nordOnly.token)).status).toBe(200);
    expect((await auth(request(t.http).get(`/dataset/${pub.id}/resource/${pub.resources[0].id as string}/download`), nordOnly.token)).status).toBe(302);
  });
});
