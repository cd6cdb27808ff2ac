import { Client } from 'pg';
import { createLogger } from '../common/logger';
import { createTestDatabase, dropTestDatabase } from '../../test/test-db';
import { ChannelListener } from './notifications';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(20);
}

describe('a LISTEN channel', () => {
  let db: { name: string; url: string };
  let sender: Client;
  let listener: ChannelListener;
  const heard: string[] = [];
  let resyncs = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    sender = new Client({ connectionString: db.url });
    await sender.connect();
    listener = new ChannelListener(
      { url: db.url, channel: 'test_channel', applicationName: 'test-channel-listener', log: createLogger('silent'), reconnectDelayMs: 50 },
      { notify: (p) => void heard.push(p), resync: () => void resyncs++ },
    );
  });
  afterAll(async () => {
    await listener.close();
    await sender.end();
    await dropTestDatabase(db.name);
  });

  const send = (payload: string): Promise<unknown> => sender.query(`SELECT pg_notify('test_channel', $1)`, [payload]);

  it('is live once listening, after telling its handlers to start over, and hears what is sent', async () => {
    expect(listener.live).toBe(false);
    await listener.start();
    expect(listener.live).toBe(true);
    expect(resyncs).toBe(1);
    await send('first');
    await until(() => heard.includes('first'));
  });

  it('when its connection is lost: says everything may have changed, reconnects, is live again and hears what is sent', async () => {
    const before = resyncs;
    await sender.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'test-channel-listener'`);
    // Once on the loss, once when listening again.
    await until(() => resyncs >= before + 2 && listener.live);
    expect(resyncs).toBe(before + 2);
    await send('after reconnect');
    await until(() => heard.includes('after reconnect'));
  });

  it('stops after close', async () => {
    await listener.close();
    expect(listener.live).toBe(false);
    const connections = async (): Promise<number> =>
      (await sender.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'test-channel-listener'`)).rows[0].n;
    await until(async () => (await connections()) === 0);
    await send('after close');
    await sleep(100);
    expect(heard).not.toContain('after close');
  });
});
