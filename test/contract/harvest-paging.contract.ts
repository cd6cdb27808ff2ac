import request from 'supertest';
import { TestApp } from '../test-app';

/**
 * The CKAN harvester's incremental run: `fq=metadata_modified:[T TO *]`, `sort=id asc`, `rows=N`
 * and a growing `start` until a page comes back empty. While it pages, stewards create, change and
 * delete datasets. Every dataset that exists throughout must come exactly once; none twice.
 */
export function harvestPagingContract(label: string, start: () => Promise<TestApp>): void {
  describe(`harvester paging: ${label}`, () => {
    let t: TestApp;
    let orgId: string;

    beforeAll(async () => {
      t = await start();
      orgId = (await t.factories.organization()).id;
    });
    afterAll(() => t.stop());

    it('pages through every match exactly once while datasets are created, changed and deleted', async () => {
      const created: { id: string; name: string }[] = [];
      for (let i = 0; i < 60; i++) created.push(await t.call('package_create', { name: `harvest-${i}`, owner_org: orgId }));
      // What the harvester sends: the time of its last run, with microseconds and a Z.
      const since = '2000-01-01T00:00:00.000000Z';
      await t.searchIndexed();

      const byId = [...created].sort((a, b) => (a.id < b.id ? -1 : 1));
      const seen: string[] = [];
      let startAt = 0;
      let writes = 0;
      for (let page = 0; page < 50; page++) {
        const res = await request(t.http).get(`/api/3/action/package_search?fq=${encodeURIComponent(`metadata_modified:[${since} TO *]`)}&sort=${encodeURIComponent('id asc')}&rows=10&start=${startAt}`);
        expect(res.status).toBe(200);
        const ids: string[] = res.body.result.results.map((d: { id: string }) => d.id);
        if (!ids.length) break;
        seen.push(...ids);
        startAt += 10;
        if (page < 4) {
          // Between pages: delete two already seen, create three, change three not yet seen.
          const before = byId.filter((d) => seen.includes(d.id));
          const after = byId.filter((d) => !seen.includes(d.id));
          await Promise.all([
            t.call('package_delete', { id: before[page * 2].id }),
            t.call('package_delete', { id: before[page * 2 + 1].id }),
            t.call('package_create', { name: `harvest-new-${page}-a`, owner_org: orgId }),
            t.call('package_create', { name: `harvest-new-${page}-b`, owner_org: orgId }),
            t.call('package_create', { name: `harvest-new-${page}-c`, owner_org: orgId }),
            ...after.slice(0, 3).map((d) => t.call('package_patch', { id: d.id, title: `geändert ${page}` })),
          ]);
          writes += 8;
          await t.searchIndexed();
        }
      }
      expect(writes).toBe(32);
      expect(new Set(seen).size).toBe(seen.length);
      for (const d of created) expect(seen).toContain(d.id);
    });

    it('reaches the last datasets when deletions behind the cursor leave fewer matches than the next start', async () => {
      const org = (await t.factories.organization()).id;
      const made: { id: string }[] = [];
      for (let i = 0; i < 21; i++) made.push(await t.call('package_create', { name: `ausduennen-${i}`, owner_org: org }));
      await t.searchIndexed();
      const fq = encodeURIComponent(`owner_org:${org}`);
      const page = async (start: number): Promise<string[]> => {
        const res = await request(t.http).get(`/api/3/action/package_search?fq=${fq}&sort=${encodeURIComponent('id asc')}&rows=10&start=${start}`).set('User-Agent', 'ausduenn-harvester');
        return res.body.result.results.map((d: { id: string }) => d.id);
      };
      const seen = await page(0);
      // Five seen ones go: 16 match now, so the third page's start (20) lies past the count, yet one dataset is still ahead.
      for (const id of seen.slice(0, 5)) await t.call('package_delete', { id });
      await t.searchIndexed();
      seen.push(...(await page(10)));
      seen.push(...(await page(20)));
      expect(seen.sort()).toEqual(made.map((d) => d.id).sort());
    });

    it('without a remembered cursor (another client), start counts rows as usual', async () => {
      const all = await request(t.http).get('/api/3/action/package_search?sort=id%20asc&rows=1000');
      const ids: string[] = all.body.result.results.map((d: { id: string }) => d.id);
      const page = await request(t.http).get('/api/3/action/package_search?sort=id%20asc&rows=5&start=7').set('User-Agent', 'ein-anderer-harvester');
      expect(page.body.result.results.map((d: { id: string }) => d.id)).toEqual(ids.slice(7, 12));
    });
  });
}
