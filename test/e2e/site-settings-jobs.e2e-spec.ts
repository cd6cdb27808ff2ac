import 'reflect-metadata';
import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from '../../src/common/logger';
import { loadConfig } from '../../src/config/env';
import { createHttpApp } from '../../src/http';
import { JobQueue } from '../../src/jobs/job-queue';
import { SiteSettings } from '../../src/site/site-settings';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('site settings (config_option_*) and background jobs (job_*)', () => {
  let t: TestApp;
  let editor: TestUser;
  let jobs: JobQueue;
  const waitJob = 'test.site-jobs-wait';
  const otherJob = 'test.site-jobs-other';

  beforeAll(async () => {
    // No worker: enqueued jobs stay waiting, as in a queue nobody works off.
    t = await TestApp.start({ JOBS_WORKER: 'false', SITE_TITLE: 'Offene Daten Musterstadt', SITE_DESCRIPTION: 'Daten der Stadt' });
    editor = await t.factories.user({ name: 'eddie' });
    await t.factories.organization({ members: [[editor, 'editor']] });
    jobs = t.app.get(JobQueue, { strict: false });
    jobs.register(waitJob, { handler: async () => undefined });
    jobs.register(otherJob, { handler: async () => undefined });
  });
  afterAll(() => t.stop());

  const post = (action: string, body: object, as?: TestUser | null) => {
    const r = request(t.http).post(`/api/3/action/${action}`).send(body);
    return as ? r.set('Authorization', as.token) : r;
  };

  describe('permissions', () => {
    const calls: [string, object][] = [
      ['config_option_show', { key: 'ckan.site_title' }], ['config_option_list', {}], ['config_option_update', { 'ckan.site_title': 'X' }],
      ['job_list', {}], ['job_show', { id: '00000000-0000-0000-0000-000000000000' }], ['job_clear', {}], ['job_cancel', { id: '00000000-0000-0000-0000-000000000000' }],
    ];

    it.each(calls)('%s refuses anonymous callers as CKAN does', async (action, body) => {
      const res = await post(action, body);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ success: false, error: { __type: 'Authorization Error', message: `Access denied: Action ${action} requires an authenticated user` } });
    });

    it.each(calls)('%s refuses an organization editor (sysadmins only)', async (action, body) => {
      const res = await post(action, body, editor);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ success: false, error: { __type: 'Authorization Error', message: 'Access denied' } });
    });

    it('leaves the settings unchanged after a refused update', async () => {
      await post('config_option_update', { 'ckan.site_title': 'Gekapert' }, editor);
      expect((await post('config_option_show', { key: 'ckan.site_title' }, t.sysadmin)).body.result).toBe('Offene Daten Musterstadt');
    });
  });

  describe('config_option_*', () => {
    it('lists the editable keys', async () => {
      const res = await request(t.http).get('/api/3/action/config_option_list').set('Authorization', t.sysadmin.token);
      expect(res.status).toBe(200);
      expect(res.body.result).toEqual(['ckan.site_title', 'ckan.site_description', 'ckan.site_about', 'ckan.site_intro_text']);
    });

    it('shows the defaults from the environment before any change', async () => {
      const show = async (key: string) => (await request(t.http).get('/api/3/action/config_option_show').query({ key }).set('Authorization', t.sysadmin.token)).body.result;
      expect(await show('ckan.site_description')).toBe('Daten der Stadt');
      expect(await show('ckan.site_about')).toBeNull();
    });

    it('refuses keys that are not editable, in CKAN’s words', async () => {
      const show = await post('config_option_show', { key: 'ckan.site_url' }, t.sysadmin);
      expect(show.status).toBe(409);
      expect(show.body.error).toEqual({ __type: 'Validation Error', message: "Configuration option 'ckan.site_url' can not be shown" });
      const missing = await post('config_option_show', {}, t.sysadmin);
      expect(missing.body.error).toMatchObject({ __type: 'Validation Error', key: ['Missing value'] });
      const update = await post('config_option_update', { 'ckan.site_title': 'Neu', 'ckan.site_url': 'http://x', 'beaker.session.secret': 's' }, t.sysadmin);
      expect(update.status).toBe(409);
      expect(update.body.error).toEqual({ __type: 'Validation Error', message: "Configuration option(s) 'ckan.site_url beaker.session.secret' can not be updated" });
      expect((await post('config_option_show', { key: 'ckan.site_title' }, t.sysadmin)).body.result).toBe('Offene Daten Musterstadt');
    });

    it('refuses a value that is not a string', async () => {
      const res = await post('config_option_update', { 'ckan.site_about': { text: 'x' } }, t.sysadmin);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ 'ckan.site_about': ['Must be a string'] });
    });

    it('stores changes, answers them (ignoring null values) and shows them in status_show', async () => {
      const res = await post('config_option_update', { 'ckan.site_title': 'Datenportal Musterstadt', 'ckan.site_about': 'Über uns', 'ckan.site_intro_text': null }, t.sysadmin);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success: true, result: { 'ckan.site_title': 'Datenportal Musterstadt', 'ckan.site_about': 'Über uns' } });
      expect(Object.keys(res.body.result).sort()).toEqual(['ckan.site_about', 'ckan.site_title']);
      expect((await post('config_option_show', { key: 'ckan.site_about' }, t.sysadmin)).body.result).toBe('Über uns');
      expect((await post('config_option_show', { key: 'ckan.site_intro_text' }, t.sysadmin)).body.result).toBeNull();
      const status = await request(t.http).get('/api/3/action/status_show');
      expect(status.body.result).toMatchObject({ site_title: 'Datenportal Musterstadt', site_description: 'Daten der Stadt' });
      const [row] = await t.db.dataSource.query(`SELECT value FROM site_setting WHERE key = 'ckan.site_title'`);
      expect(row.value).toBe('Datenportal Musterstadt');
    });

    it('is in force in a second process on the same database at once, without a restart', async () => {
      const config = loadConfig({ SITE_URL: 'http://catalog.test', LOG_LEVEL: 'silent', MQTT_PORT: '0', JOBS_WORKER: 'false', STORAGE_PATH: t.config.STORAGE_PATH, DATABASE_URL: t.db.url });
      const second: NestFastifyApplication = await createHttpApp({ config, logger: createLogger('silent'), database: { migrate: false, poolSize: 2, applicationName: 'catalog-test-2' } });
      try {
        // Listening: the second process serves the settings from memory, so only the NOTIFY can tell it of the change.
        expect(second.get(SiteSettings).live).toBe(true);
        const title = async () => (await request(second.getHttpServer()).get('/api/3/action/status_show')).body.result.site_title;
        expect(await title()).toBe('Datenportal Musterstadt');
        await post('config_option_update', { 'ckan.site_title': 'Zweiter Titel' }, t.sysadmin);
        // NOTIFY reaches the other process's listener asynchronously: wait for it, bounded.
        let seen = await title();
        for (let i = 0; i < 100 && seen !== 'Zweiter Titel'; i++) {
          await sleep(50);
          seen = await title();
        }
        expect(seen).toBe('Zweiter Titel');
      } finally {
        await second.close();
      }
    });
  });

  describe('job_*', () => {
    let first: string;
    let second: string;
    let other: string;

    beforeAll(async () => {
      first = await jobs.enqueue(waitJob, { n: 1 });
      second = await jobs.enqueue(waitJob, { n: 2 });
      other = await jobs.enqueue(otherJob, {});
    });

    it('lists waiting jobs in CKAN’s shape, oldest first', async () => {
      const res = await request(t.http).get('/api/3/action/job_list').set('Authorization', t.sysadmin.token);
      expect(res.status).toBe(200);
      const mine = (res.body.result as { id: string }[]).filter((j) => [first, second, other].includes(j.id));
      expect(mine).toEqual([
        { id: first, title: null, created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/), queue: waitJob },
        { id: second, title: null, created: expect.any(String), queue: waitJob },
        { id: other, title: null, created: expect.any(String), queue: otherJob },
      ]);
    });

    it('filters by queues (a list, or one name in the query string); an unknown queue has no jobs', async () => {
      const body = await post('job_list', { queues: [otherJob] }, t.sysadmin);
      expect(body.body.result.map((j: { id: string }) => j.id)).toEqual([other]);
      const query = await request(t.http).get('/api/3/action/job_list').query({ queues: waitJob }).set('Authorization', t.sysadmin.token);
      expect(query.body.result.map((j: { id: string }) => j.id)).toEqual([first, second]);
      const both = await post('job_list', { queues: [otherJob, waitJob] }, t.sysadmin);
      expect(both.body.result.map((j: { id: string }) => j.id)).toEqual([first, second, other]);
      expect((await post('job_list', { queues: ['nope'] }, t.sysadmin)).body.result).toEqual([]);
      const bad = await post('job_list', { queues: [1] }, t.sysadmin);
      expect(bad.status).toBe(409);
      expect(bad.body.error).toMatchObject({ __type: 'Validation Error', queues: ['Not a string: 1'] });
    });

    it('shows one job, and answers Not found for an unknown id', async () => {
      const res = await post('job_show', { id: first }, t.sysadmin);
      expect(res.body.result).toEqual({ id: first, title: null, created: expect.any(String), queue: waitJob });
      for (const id of ['00000000-0000-0000-0000-000000000000', 'kein-job']) {
        const missing = await post('job_show', { id }, t.sysadmin);
        expect(missing.status).toBe(404);
        expect(missing.body.error).toEqual({ __type: 'Not Found Error', message: 'Not found' });
      }
      expect((await post('job_show', {}, t.sysadmin)).body.error).toMatchObject({ __type: 'Validation Error', id: ['Missing value'] });
    });

    it('cancels a job: it is gone from its queue', async () => {
      const res = await post('job_cancel', { id: second }, t.sysadmin);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ success: true, result: null });
      expect((await post('job_show', { id: second }, t.sysadmin)).status).toBe(404);
      expect((await post('job_list', { queues: [waitJob] }, t.sysadmin)).body.result.map((j: { id: string }) => j.id)).toEqual([first]);
      const again = await post('job_cancel', { id: second }, t.sysadmin);
      expect(again.status).toBe(404);
      expect((await post('job_cancel', {}, t.sysadmin)).body.error).toMatchObject({ id: ['Missing value'] });
    });

    it('clears the named queues only and answers their names', async () => {
      const res = await post('job_clear', { queues: [otherJob] }, t.sysadmin);
      expect(res.body).toMatchObject({ success: true, result: [otherJob] });
      expect((await post('job_list', { queues: [otherJob] }, t.sysadmin)).body.result).toEqual([]);
      expect((await post('job_list', { queues: [waitJob] }, t.sysadmin)).body.result).toHaveLength(1);
    });

    it('clears every queue without queues, naming each', async () => {
      const res = await post('job_clear', {}, t.sysadmin);
      expect(res.body.result).toEqual(expect.arrayContaining([waitJob, otherJob]));
      expect(res.body.result).not.toContainEqual(expect.stringMatching(/^__pgboss__/));
      expect((await post('job_list', {}, t.sysadmin)).body.result).toEqual([]);
    });
  });
});
