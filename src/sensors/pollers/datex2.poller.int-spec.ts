import { createHash } from 'node:crypto';
import { TestApp } from '../../../test/test-app';
import { JobQueue } from '../../jobs/job-queue';
import { POLL_JOB } from '../catalog/sensor-poll.job';
import { fixtureText, startFixtureServer, type FixtureServer } from './testing/fixture-server';

type Source = Record<string, unknown> & { id: string; counts: Record<string, number>; last_error: Record<string, unknown> | null; last_warnings: Record<string, unknown> | null };

const MQ0415 = /\s*<mst:measurementSite id="DE\.RP\.KO\.MQ0415"[\s\S]*?<\/mst:measurementSite>/;

describe('the DATEX II poller', () => {
  let t: TestApp;
  let server: FixtureServer;
  let org: { name: string };
  let n = 0;
  /** What the detector centre publishes at the moment. */
  let siteTable = fixtureText('datex2/measurement-site-table.v3.xml');
  let measured = fixtureText('datex2/measured-data-publication.v3.xml');

  beforeAll(async () => {
    server = await startFixtureServer((u) => {
      if (u.pathname === '/mst.xml') return { type: 'application/xml', body: siteTable };
      if (u.pathname === '/mst-etag.xml') return { type: 'application/xml', body: siteTable, etag: `"${createHash('sha1').update(siteTable).digest('hex')}"` };
      if (u.pathname === '/measured.xml') return { type: 'application/xml', body: measured };
      if (u.pathname === '/measured.json') return { body: fixtureText('datex2/measured-data-publication.v3.json') };
      if (u.pathname === '/measured-v2.xml') return { type: 'application/xml', body: fixtureText('datex2/measured-data-publication.v2.xml') };
      return undefined;
    });
    t = await TestApp.start({ LOADER_ALLOW_PRIVATE_ADDRESSES: 'true' });
    org = (await t.factories.organization()) as { name: string };
  });
  afterAll(async () => {
    await t.stop();
    await server.close();
  });

  const create = async (config: Record<string, unknown>): Promise<Source> => {
    const s = await t.call<Source>('sensor_source_create', {
      name: `vrz-${++n}`, owner_org: org.name, type: 'datex2', config: { url: `${server.base}/measured.xml`, format: 'v3-xml', site_table_url: `${server.base}/mst.xml`, ...config },
    });
    await t.db.dataSource.query(`UPDATE sensor_source SET next_run_at = now() + interval '1 day' WHERE id = $1`, [s.id]);
    return s;
  };
  const run = async (s: Source): Promise<Source> => {
    const { job_id } = await t.call<{ job_id: string }>('sensor_source_run', { id: s.id });
    for (let i = 0; i < 600; i++) {
      const st = await t.app.get(JobQueue).status(POLL_JOB, job_id);
      if (st && ['completed', 'failed'].includes(st.state)) return t.call<Source>('sensor_source_show', { id: s.id });
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`poll ${job_id} did not finish`);
  };
  const stored = (s: Source, site: string): Promise<{ stream: string; result: number | null; quality: string; quality_reason: string | null }[]> =>
    t.db.dataSource.query(
      `SELECT d.source_key AS stream, o.result, o.quality, o.quality_reason
         FROM sensor_observation o JOIN sensor_datastream d ON d.id = o.datastream_id JOIN sensor_thing th ON th.id = d.thing_id
        WHERE th.source_id = $1 AND th.source_key = $2 ORDER BY d.source_key`,
      [s.id, site],
    );
  const tableFetches = (): number => server.requests.filter((u) => u.pathname === '/mst.xml').length;

  it.each([
    ['v3-xml', '/measured.xml'],
    ['v3-json', '/measured.json'],
    ['v2-xml', '/measured-v2.xml'],
  ])('makes a dataset per measurement site and stores its readings from %s, a dataError as invalid (never a real zero)', async (format, path) => {
    const s = await create({ format, url: `${server.base}${path}` });
    const after = await run(s);
    expect(after).toMatchObject({ last_error: null, num_datasets: 5, counts: { stations: 5, site_table_fetches: 1 } });
    expect(after.counts.stored).toBeGreaterThan(0);
    expect(after.counts.invalid).toBeGreaterThanOrEqual(2);
    const faulty = await stored(s, 'DE.RP.KO.MQ0415');
    expect(faulty.length).toBeGreaterThanOrEqual(2);
    expect(faulty.every((r) => r.quality === 'invalid' && r.quality_reason === 'LOOP_OPEN')).toBe(true);
    expect(await stored(s, 'DE.RP.KO.MQ0101')).toEqual(expect.arrayContaining([{ stream: 'lane1/vehicle_flow', result: 1428, quality: 'good', quality_reason: null }]));
  });

  it('refuses a publication in another format than the source is set up for', async () => {
    const s = await create({ format: 'v2-xml' });
    expect((await run(s)).last_error).toMatchObject({ code: 'invalid', message: expect.stringContaining('v3-xml') });
  });

  it('fetches the site table again when a measurement names a site it does not know, and then stores that site', async () => {
    siteTable = fixtureText('datex2/measurement-site-table.v3.xml').replace(MQ0415, '');
    try {
      const s = await create({});
      const first = await run(s);
      expect(first).toMatchObject({ num_datasets: 4, last_error: null, last_warnings: { count: 1, warnings: [expect.objectContaining({ code: 'unknown_station', station: 'DE.RP.KO.MQ0415' })] } });
      const before = tableFetches();
      // The centre adds the site to its table; the next poll finds the unknown site, reloads the table and stores it.
      siteTable = fixtureText('datex2/measurement-site-table.v3.xml');
      const second = await run(s);
      expect(tableFetches()).toBe(before + 1);
      expect(second).toMatchObject({ num_datasets: 5, last_error: null, last_warnings: null });
      expect((await stored(s, 'DE.RP.KO.MQ0415')).length).toBeGreaterThan(0);
    } finally {
      siteTable = fixtureText('datex2/measurement-site-table.v3.xml');
    }
  });

  it('bad/datex-unknown-site-and-bad-index.xml: skips the unknown site and index with structured warnings, reloads the table, makes no sensor from them', async () => {
    const s = await create({});
    await run(s);
    const before = tableFetches();
    measured = fixtureText('bad/datex-unknown-site-and-bad-index.xml');
    try {
      const after = await run(s);
      expect(tableFetches()).toBe(before + 1);
      expect(after.last_error).toBeNull();
      expect(after.last_warnings).toMatchObject({
        warnings: expect.arrayContaining([
          expect.objectContaining({ code: 'unknown_station', station: 'DE.RP.KO.MQ9999' }),
          expect.objectContaining({ code: 'unknown_stream', station: 'DE.RP.KO.MQ0311', at: expect.stringContaining('index 17') }),
          expect.objectContaining({ code: 'site_table_refreshed' }),
        ]),
      });
      expect(after).toMatchObject({ num_datasets: 5 });
      const things: unknown[] = await t.db.dataSource.query(`SELECT 1 FROM sensor_thing WHERE source_key = 'DE.RP.KO.MQ9999'`);
      expect(things).toHaveLength(0);
      expect((await stored(s, 'DE.RP.KO.MQ0311')).map((r) => r.result)).not.toContain(44.1);
    } finally {
      measured = fixtureText('datex2/measured-data-publication.v3.xml');
    }
  });

  /** The site table with MQ0101 renamed and its lanes swapped (index 1 now counts lane 2, index 4 lane 1). */
  const relabelled = (): string =>
    fixtureText('datex2/measurement-site-table.v3.xml')
      .replace('B9 Koblenz-Nord, Fahrtrichtung Bonn', 'B9 Koblenz-Nord (Bonn), neu vermessen')
      .replace(/(index="1"><mst:measurementSpecificCharacteristics><mst:period>60<\/mst:period><mst:specificLane>)lane1/, '$1lane2')
      .replace(/(index="4"><mst:measurementSpecificCharacteristics><mst:period>60<\/mst:period><mst:specificLane>)lane2/, '$1lane1');
  const titleOf = async (s: Source, site: string): Promise<string> =>
    ((await t.db.dataSource.query(`SELECT p.title FROM package p JOIN sensor_thing th ON th.package_id = p.id WHERE th.source_id = $1 AND th.source_key = $2`, [s.id, site])) as { title: string }[])[0].title;
  const flow = async (s: Source, lane: string): Promise<number[]> =>
    (await stored(s, 'DE.RP.KO.MQ0101')).filter((r) => r.stream === `${lane}/vehicle_flow`).map((r) => r.result!);

  it('asks for the site table at every poll with its ETag: unchanged, it is a 304 and nothing is read again', async () => {
    const s = await create({ site_table_url: `${server.base}/mst-etag.xml` });
    await run(s);
    const second = await run(s);
    const answers = server.requests.map((u, i) => [u.pathname, server.statuses[i]]).filter(([p]) => p === '/mst-etag.xml');
    expect(answers.slice(-2)).toEqual([['/mst-etag.xml', 200], ['/mst-etag.xml', 304]]);
    expect(second).toMatchObject({ last_error: null, counts: { runs: 2, site_table_fetches: 1, stations: 5 } });
  });

  it('takes a changed site table at the next poll even when every measurement names a known site: the new names and lanes', async () => {
    const s = await create({ site_table_url: `${server.base}/mst-etag.xml` });
    await run(s);
    expect(await flow(s, 'lane1')).toEqual([1428]);
    siteTable = relabelled();
    try {
      const after = await run(s);
      expect(after).toMatchObject({ last_error: null, counts: { site_table_fetches: 2 } });
      expect(await titleOf(s, 'DE.RP.KO.MQ0101')).toContain('neu vermessen');
      // Index 4 is lane 1 now: its counts are lane 1's (the earlier values revised, the old ones kept in the log).
      expect(await flow(s, 'lane1')).toEqual([1010]);
    } finally {
      siteTable = fixtureText('datex2/measurement-site-table.v3.xml');
    }
  });

  it('reads the table anew where this process holds another one than the source\'s cursor names (another instance polled since)', async () => {
    const s = await create({ site_table_url: `${server.base}/mst-etag.xml` });
    await run(s);
    // Another instance took a newer table: the cursor in the database names it; this process still holds the old one.
    siteTable = relabelled();
    try {
      await t.db.dataSource.query(`UPDATE sensor_source SET cursor = jsonb_set(cursor, '{site_table,digest}', '"taken-elsewhere"') WHERE id = $1`, [s.id]);
      const before = server.requests.length;
      await run(s);
      const answers = server.requests.slice(before).map((u, i) => [u.pathname, server.statuses[before + i]]).filter(([p]) => p === '/mst-etag.xml');
      // Not a conditional request with the validators of a table it does not hold: the whole table, and its names.
      expect(answers).toEqual([['/mst-etag.xml', 200]]);
      expect(await titleOf(s, 'DE.RP.KO.MQ0101')).toContain('neu vermessen');
      expect(await flow(s, 'lane1')).toEqual([1010]);
    } finally {
      siteTable = fixtureText('datex2/measurement-site-table.v3.xml');
    }
  });

  it('shows what a successful poll skipped as last_warnings, a failed poll as last_error (the warnings kept), and clears both after a clean poll', async () => {
    siteTable = fixtureText('datex2/measurement-site-table.v3.xml').replace(MQ0415, '');
    try {
      const s = await create({});
      const warned = await run(s);
      expect(warned).toMatchObject({ last_error: null, last_warnings: { message: expect.any(String), count: 1, warnings: [expect.objectContaining({ code: 'unknown_station' })] } });
      server.override((u) => (u.pathname === '/measured.xml' ? { status: 503, body: 'busy' } : undefined));
      const failed = await run(s);
      expect(failed).toMatchObject({ last_error: { message: expect.stringContaining('HTTP 503') }, last_warnings: warned.last_warnings });
      server.clear();
      siteTable = fixtureText('datex2/measurement-site-table.v3.xml');
      expect(await run(s)).toMatchObject({ last_error: null, last_warnings: null });
    } finally {
      server.clear();
      siteTable = fixtureText('datex2/measurement-site-table.v3.xml');
    }
  });

  it('makes a deleted site\'s dataset anew at the next poll, though the site table has not changed', async () => {
    const s = await create({ site_table_url: `${server.base}/mst-etag.xml` });
    await run(s);
    const [thing]: { package_id: string }[] = await t.db.dataSource.query(`SELECT package_id FROM sensor_thing WHERE source_id = $1 AND source_key = 'DE.RP.KO.MQ0101'`, [s.id]);
    await t.call('package_delete', { id: thing.package_id });
    const missed = await run(s);
    expect(missed).toMatchObject({ num_datasets: 4, last_warnings: { warnings: expect.arrayContaining([expect.objectContaining({ station: 'DE.RP.KO.MQ0101' })]) } });
    const again = await run(s);
    expect(again).toMatchObject({ num_datasets: 5, last_error: null, last_warnings: null });
    expect(await flow(s, 'lane1')).toEqual([1428]);
  });
});
