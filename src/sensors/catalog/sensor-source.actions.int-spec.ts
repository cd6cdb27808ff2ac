import request from 'supertest';
import { JobQueue } from '../../jobs/job-queue';
import { TestApp } from '../../../test/test-app';
import type { TestUser } from '../../../test/factories/factories';
import { IngestError } from '../readings';
import { SensorCatalog } from './sensor-catalog.service';
import { POLL_JOB, SensorPollJob } from './sensor-poll.job';
import { PollContext, PolledSource, PollResult, SensorPoller, SensorPollers } from './sensor-poller';

/** A poller as the ingestion part writes one: it describes its station to the catalog and reports what it did. */
class OneStationPoller implements SensorPoller {
  readonly type = 'mqtt' as const;
  failWith?: Error;
  constructor(private readonly catalog: SensorCatalog) {}

  async poll(source: PolledSource, pc: PollContext): Promise<PollResult> {
    if (this.failWith) throw this.failWith;
    await pc.report(0.5, 'Station KOBLENZ');
    await this.catalog.syncStation(pc.ctx, source, {
      key: 'KOBLENZ', name: 'KOBLENZ', location: { type: 'Point', coordinates: [7.6057, 50.3582] },
      streams: [{ key: 'W', name: 'Wasserstand', quantity: 'water_level', unit: 'cm' }, { key: 'Q', name: 'Abfluss', quantity: 'discharge', unit: 'm³/s' }],
    });
    return { counts: { stations: 1, readings: 3 }, cursor: { W: '2025-03-30T21:45:00Z', seen: source.cursor.W ?? null } };
  }
}

type Source = Record<string, unknown> & { id: string; name: string; config: Record<string, unknown> };

describe('sensor sources (sensor_source_*)', () => {
  let t: TestApp;
  let editor: TestUser;
  let member: TestUser;
  let stranger: TestUser;
  let org: { id: string; name: string };
  let otherOrg: { id: string; name: string };
  let n = 0;
  const name = (): string => `quelle-${++n}`;
  const gauges = { stations: ['KOBLENZ', 'MAINZ'], timeseries: ['W', 'Q'], poll_interval_seconds: 900, time_zone: 'Europe/Berlin' };
  const mqtt = { topic: 'kreis/pegel/#', payload: 'flat', topic_pattern: 'kreis/pegel/{station}/{stream}', username: 'kreis', password: 'geheim-123' };

  beforeAll(async () => {
    t = await TestApp.start();
    [editor, member, stranger] = [await t.factories.user(), await t.factories.user(), await t.factories.user()];
    org = await t.factories.organization({ members: [[editor, 'editor'], [member, 'member']] });
    otherOrg = await t.factories.organization({ members: [[stranger, 'editor']] });
  });
  afterAll(() => t.stop());

  const create = (data: Record<string, unknown>, as: TestUser | null = editor): Promise<Source> =>
    t.call<Source>('sensor_source_create', { name: name(), owner_org: org.name, type: 'pegelonline', config: gauges, ...data }, { as });

  describe('who may do what', () => {
    let source: Source;
    beforeAll(async () => {
      source = await create({ title: 'PEGELONLINE Rhein' });
    });

    it('lets an editor of the organization create a source, polled first at once, and shows its settings', async () => {
      expect(source).toMatchObject({ title: 'PEGELONLINE Rhein', owner_org: org.id, type: 'pegelonline', state: 'active', poll_interval_seconds: 900, last_error: null });
      expect(source.config).toEqual(gauges);
      expect(Date.parse(String(source.next_run_at))).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it('refuses to create for anonymous callers, plain members and editors of another organization', async () => {
      await expect(create({}, null)).rejects.toMatchObject({ kind: 'not_authorized' });
      await expect(create({}, member)).rejects.toMatchObject({ kind: 'not_authorized' });
      await expect(create({}, stranger)).rejects.toMatchObject({ kind: 'not_authorized' });
    });

    it('shows a source to the members of its organization and sysadmins only', async () => {
      await expect(t.call('sensor_source_show', { id: source.name }, { as: member })).resolves.toMatchObject({ id: source.id });
      await expect(t.call('sensor_source_show', { id: source.id }, { as: t.sysadmin })).resolves.toMatchObject({ name: source.name });
      await expect(t.call('sensor_source_show', { id: source.id }, { as: stranger })).rejects.toMatchObject({ kind: 'not_authorized' });
      await expect(t.call('sensor_source_show', { id: source.id }, { as: null })).rejects.toMatchObject({ kind: 'not_authorized' });
    });

    it('lists for each caller only the sources of their organizations', async () => {
      const theirs = await t.call<Source>('sensor_source_create', { name: name(), owner_org: otherOrg.id, type: 'push', config: { format: 'json' } }, { as: stranger });
      const names = async (as: TestUser): Promise<string[]> => (await t.call<Source[]>('sensor_source_list', {}, { as })).map((s) => s.name);
      expect(await names(member)).toContain(source.name);
      expect(await names(member)).not.toContain(theirs.name);
      expect(await names(stranger)).toEqual([theirs.name]);
      expect(await names(t.sysadmin)).toEqual(expect.arrayContaining([source.name, theirs.name]));
      expect((await t.call<Source[]>('sensor_source_list', { owner_org: otherOrg.name }, { as: member }))).toEqual([]);
      expect((await t.call<Source[]>('sensor_source_list', { type: 'push' }, { as: t.sysadmin })).map((s) => s.name)).toEqual([theirs.name]);
    });

    it('lets only editors of the organization change, run or delete a source', async () => {
      for (const as of [member, stranger]) {
        await expect(t.call('sensor_source_patch', { id: source.id, title: 'x' }, { as })).rejects.toMatchObject({ kind: 'not_authorized' });
        await expect(t.call('sensor_source_run', { id: source.id }, { as })).rejects.toMatchObject({ kind: 'not_authorized' });
        await expect(t.call('sensor_source_delete', { id: source.id }, { as })).rejects.toMatchObject({ kind: 'not_authorized' });
      }
      await expect(t.call('sensor_source_patch', { id: source.id, title: 'Pegel am Rhein' }, { as: editor })).resolves.toMatchObject({ title: 'Pegel am Rhein' });
    });

    it('refuses to move a source into an organization where the caller may not add datasets', async () => {
      await expect(t.call('sensor_source_patch', { id: source.id, owner_org: otherOrg.id }, { as: editor })).rejects.toMatchObject({ kind: 'not_authorized' });
    });

    it('deletes a source for an editor; afterwards it is not found', async () => {
      const s = await create({});
      await expect(t.call('sensor_source_delete', { id: s.name }, { as: editor })).resolves.toBeNull();
      await expect(t.call('sensor_source_show', { id: s.id })).rejects.toMatchObject({ kind: 'not_found' });
    });
  });

  describe('settings', () => {
    it('reports every bad setting as a CKAN field error under config', async () => {
      await expect(create({ config: { stations: ['KOBLENZ'], poll_interval_seconds: 30, retention: { raw_days: 0 }, waterz: ['RHEIN'], timeseries: ['W', 'X'] } }))
        .rejects.toMatchObject({
          kind: 'validation',
          fields: {
            config: {
              poll_interval_seconds: ['Must be at least 60'],
              retention: { raw_days: ['Must be at least 1'] },
              waterz: [expect.stringContaining('Unknown setting')],
              timeseries: [expect.stringContaining('"X"')],
            },
          },
        });
    });

    it('answers bad settings over HTTP in CKAN\'s envelope, the field map under config', async () => {
      const res = await request(t.http).post('/api/3/action/sensor_source_create').set('Authorization', editor.token)
        .send({ name: name(), owner_org: org.name, type: 'datex2', config: { url: 'https://mobilithek.example/feed', format: 'v3-xml', poll_interval_seconds: 10 } });
      expect(res).toMatchObject({ status: 409, body: { success: false, error: { __type: 'Validation Error', config: { poll_interval_seconds: ['Must be at least 60'] } } } });
    });

    it('checks the settings of each type against each other', async () => {
      await expect(create({ config: { timeseries: ['W'] } })).rejects.toMatchObject({ fields: { config: { stations: [expect.stringContaining('stations or waters')] } } });
      await expect(create({ type: 'mqtt', config: { topic: 'a/#', payload: 'flat' } })).rejects.toMatchObject({ fields: { config: { topic_pattern: [expect.stringContaining('{station}')] } } });
      await expect(create({ type: 'mqtt', config: { topic: 'a/#/b', payload: 'tts' } })).rejects.toMatchObject({
        fields: { config: { topic: [expect.stringContaining('#')], devices: [expect.stringContaining('devices')] } },
      });
      await expect(create({ type: 'datex2', config: { url: 'ftp://x', format: 'v4' } })).rejects.toMatchObject({
        fields: { config: { url: ['Must be an http or https URL'], format: [expect.stringContaining('v3-xml')] } },
      });
      await expect(create({ type: 'push', config: { format: 'csv', csv: { separator: ';', decimal_mark: ',', time_zone: 'Mars/Olympus' }, poll_interval_seconds: 60 } })).rejects.toMatchObject({
        fields: { config: { csv: { time_zone: ['Unknown time zone: Mars/Olympus'] }, poll_interval_seconds: ['A push source is not polled'] } },
      });
      await expect(create({ type: 'sonar' })).rejects.toMatchObject({ fields: { type: [expect.stringContaining('pegelonline')] } });
    });

    it('accepts a push source with its CSV dialect and keeps it unpolled, as a SensorThings source that mirrors nothing', async () => {
      const csv = { separator: ';', decimal_mark: ',', date_format: 'DD.MM.YYYY HH:mm', time_zone: 'Europe/Berlin', in_sequence: true };
      const s = await create({ type: 'push', config: { format: 'csv', csv, sentinels: [-777, -999], late_window_days: 3 } });
      expect(s).toMatchObject({ poll_interval_seconds: null, next_run_at: null, config: { format: 'csv', csv, sentinels: [-777, -999], late_window_days: 3 } });
      // A SensorThings source only receives, unless it mirrors another server: then it is polled (every 5 minutes by default).
      await expect(create({ type: 'sta', config: {} })).resolves.toMatchObject({ poll_interval_seconds: null, next_run_at: null });
      await expect(create({ type: 'sta', config: { url: 'https://frost.example.org/FROST-Server/v1.1' } })).resolves.toMatchObject({ poll_interval_seconds: 300 });
    });

    it('refuses a taken name, an unknown organization and a change of type', async () => {
      const s = await create({});
      await expect(create({ name: s.name })).rejects.toMatchObject({ fields: { name: ['That name is already in use.'] } });
      await expect(t.call('sensor_source_create', { name: name(), owner_org: 'nirgendwo', type: 'push', config: { format: 'json' } })).rejects.toMatchObject({
        fields: { owner_org: ['Organization does not exist'] },
      });
      await expect(t.call('sensor_source_patch', { id: s.id, type: 'datex2' }, { as: editor })).rejects.toMatchObject({ fields: { type: [expect.stringContaining('cannot change')] } });
    });

    it('never shows a secret, and keeps it when the masked value is sent back', async () => {
      const s = await create({ type: 'mqtt', config: { ...mqtt, url: 'mqtts://kreis:url-secret@broker.example.org:8883' } });
      expect(s.config).toMatchObject({ username: 'kreis', password: '********', url: 'mqtts://kreis:********@broker.example.org:8883' });
      const listed = (await t.call<Source[]>('sensor_source_list', { type: 'mqtt' }, { as: member })).find((x) => x.id === s.id)!;
      expect(JSON.stringify(listed)).not.toMatch(/geheim|url-secret/);

      // A client that shows the source and sends it back changes nothing of its secrets.
      await t.call('sensor_source_update', { ...s, id: s.id, config: { ...s.config, qos: 1 } }, { as: editor });
      const [stored] = await t.db.dataSource.query(`SELECT config FROM sensor_source WHERE id = $1`, [s.id]);
      expect(stored.config).toMatchObject({ password: 'geheim-123', url: 'mqtts://kreis:url-secret@broker.example.org:8883', qos: 1 });

      await t.call('sensor_source_patch', { id: s.id, config: { ...s.config, password: 'neu-456' } }, { as: editor });
      const [changed] = await t.db.dataSource.query(`SELECT config FROM sensor_source WHERE id = $1`, [s.id]);
      expect(changed.config.password).toBe('neu-456');
    });
  });

  describe('polling', () => {
    const waitForJob = async (id: string): Promise<void> => {
      const jobs = t.app.get(JobQueue);
      for (let i = 0; i < 200; i++) {
        const s = await jobs.status(POLL_JOB, id);
        if (s && ['completed', 'failed'].includes(s.state)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`job ${id} did not finish`);
    };

    it('records on the source that no poller could take its poll, and queues a new poll once the last one ended', async () => {
      const s = await create({ type: 'push', config: { format: 'json' } });
      const first = await t.call<{ job_id: string; queued: boolean }>('sensor_source_run', { id: s.id }, { as: editor });
      expect(first.queued).toBe(true);
      await waitForJob(first.job_id);
      const after = await t.call<Source>('sensor_source_show', { id: s.id }, { as: member });
      expect(after).toMatchObject({ run_job_id: null, last_success_at: null, counts: { runs: 1, failures: 1 }, last_error: { code: 'no_poller', message: expect.stringContaining('push') } });
      expect(after.last_run_at).not.toBeNull();

      const again = await t.call<{ job_id: string; queued: boolean }>('sensor_source_run', { id: s.id }, { as: editor });
      expect(again).toMatchObject({ queued: true });
      expect(again.job_id).not.toBe(first.job_id);
      await waitForJob(again.job_id);
    });

    it('runs the poller of the source type: its stations become datasets, its counts add up, its cursor is kept; a failure is recorded with where it happened', async () => {
      const poller = new OneStationPoller(t.app.get(SensorCatalog));
      t.app.get(SensorPollers).register(poller);
      const s = await create({ type: 'mqtt', config: mqtt });
      const first = await t.call<{ job_id: string }>('sensor_source_run', { id: s.id }, { as: editor });
      await waitForJob(first.job_id);
      const ok = await t.call<Source>('sensor_source_show', { id: s.id }, { as: member });
      expect(ok).toMatchObject({ last_error: null, counts: { runs: 1, stations: 1, readings: 3 }, num_datasets: 1, num_datastreams: 2, run_job_id: null });
      expect(ok.last_success_at).not.toBeNull();
      const [datasets] = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM package WHERE type = 'sensor' AND owner_org = $1 AND state = 'active'`, [org.id]);
      expect(datasets.n).toBe(1);

      poller.failWith = new IngestError('malformed', 'Unexpected end of JSON input', 'byte 4711');
      const second = await t.call<{ job_id: string }>('sensor_source_run', { id: s.id }, { as: editor });
      await waitForJob(second.job_id);
      const failed = await t.call<Source>('sensor_source_show', { id: s.id }, { as: member });
      expect(failed).toMatchObject({
        last_success_at: ok.last_success_at, counts: { runs: 2, failures: 1, stations: 1, readings: 3 },
        last_error: { code: 'malformed', message: 'Unexpected end of JSON input', at: 'byte 4711' },
      });
      const [row] = await t.db.dataSource.query(`SELECT cursor FROM sensor_source WHERE id = $1`, [s.id]);
      expect(row.cursor).toEqual({ W: '2025-03-30T21:45:00Z', seen: null });
    });

  });

  describe('with the jobs left waiting (no worker: a poll stays queued)', () => {
    let q: TestApp;
    let qEditor: TestUser;
    let qOrg: { id: string };
    beforeAll(async () => {
      q = await TestApp.start({ JOBS_WORKER: 'false' });
      qEditor = await q.factories.user();
      qOrg = await q.factories.organization({ members: [[qEditor, 'editor']] });
    });
    afterAll(() => q.stop());

    const jobsOf = async (sourceId: string): Promise<number> =>
      (await q.db.dataSource.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->>'source_id' = $2`, [POLL_JOB, sourceId]))[0].n;
    const source = (): Promise<Source> =>
      q.call<Source>('sensor_source_create', { name: name(), owner_org: qOrg.id, type: 'pegelonline', config: gauges }, { as: qEditor });

    it('queues one poll when run twice at the same time, and names it to both callers', async () => {
      const s = await source();
      const runs = await Promise.all([
        q.call<{ job_id: string; queued: boolean }>('sensor_source_run', { id: s.id }, { as: qEditor }),
        q.call<{ job_id: string; queued: boolean }>('sensor_source_run', { id: s.name }, { as: qEditor }),
      ]);
      expect(runs[1].job_id).toBe(runs[0].job_id);
      expect(runs.map((r) => r.queued).sort()).toEqual([false, true]);
      expect(await jobsOf(s.id)).toBe(1);
      expect((await q.call<Source>('sensor_source_show', { id: s.id })).run_job_id).toBe(runs[0].job_id);
    });

    it('lets the scheduler queue each due source once, however many instances ask at the same time', async () => {
      const s = await source();
      const polls = q.app.get(SensorPollJob);
      await Promise.all([polls.queueDue(), polls.queueDue(), polls.queueDue()]);
      expect(await jobsOf(s.id)).toBe(1);
      const shown = await q.call<Source>('sensor_source_show', { id: s.id });
      expect(shown.run_job_id).not.toBeNull();
      // A manual run meanwhile names the queued poll instead of adding one; the scheduler adds none either.
      await expect(q.call('sensor_source_run', { id: s.id }, { as: qEditor })).resolves.toEqual({ job_id: shown.run_job_id, queued: false });
      await polls.queueDue();
      expect(await jobsOf(s.id)).toBe(1);
    });

    it('queues no poll of a paused source', async () => {
      const s = await source();
      await q.call('sensor_source_patch', { id: s.id, state: 'paused' }, { as: qEditor });
      await q.app.get(SensorPollJob).queueDue();
      expect(await jobsOf(s.id)).toBe(0);
    });
  });
});
