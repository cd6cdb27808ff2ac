import request from 'supertest';
import { TestApp } from '../test-app';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.stop());

  it('a CKAN client gets status_show in the envelope', async () => {
    const res = await request(t.http).get('/api/3/action/status_show');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, result: { ckan_version: '2.11.5' } });
  });
});
