import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadTo, fetchBody, isPublicAddress } from './guarded-fetch';

describe('which addresses a link may reach', () => {
  it.each(['8.8.8.8', '195.145.1.1', '2a00:1450:4001:82a::200e'])('%s is public', (a) => expect(isPublicAddress(a)).toBe(true));
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.178.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1',
    '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:a00:1::1', 'kein-ip',
  ])('%s is not', (a) => expect(isPublicAddress(a)).toBe(false));
});

/** The guard on a real socket: a local server stands for a machine inside the catalog's network. */
describe('downloading a link', () => {
  let server: Server;
  let port: number;
  let dir: string;
  const limits = { maxBytes: 1000, timeoutMs: 2000, allowPrivate: false };

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/weiter') return void res.writeHead(301, { location: `http://127.0.0.1:${port}/daten.csv` }).end();
      res.writeHead(200).end('a;b\n1;2\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    dir = mkdtempSync(join(tmpdir(), 'guarded-fetch-'));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a name that resolves to a loopback address, and a literal one', async () => {
    await expect(downloadTo(`http://localhost:${port}/daten.csv`, join(dir, 'a'), limits)).rejects.toThrow(/nicht öffentlich/);
    await expect(downloadTo(`http://127.0.0.1:${port}/daten.csv`, join(dir, 'b'), limits)).rejects.toThrow(/nicht öffentlich/);
    await expect(downloadTo(`http://[::1]:${port}/daten.csv`, join(dir, 'c'), limits)).rejects.toThrow(/nicht öffentlich/);
  });

  it('fetches it when private addresses are allowed, following redirects', async () => {
    const file = join(dir, 'd');
    const got = await downloadTo(`http://localhost:${port}/weiter`, file, { ...limits, allowPrivate: true });
    expect(got.bytes).toBe(8);
    expect(readFileSync(file, 'utf8')).toBe('a;b\n1;2\n');
  });

  it('reads a body into memory under the same guard, refusing one above the size limit and naming the setting', async () => {
    await expect(fetchBody(`http://localhost:${port}/daten.csv`, limits)).rejects.toThrow(/nicht öffentlich/);
    const got = await fetchBody(`http://localhost:${port}/weiter`, { ...limits, allowPrivate: true });
    expect(got.body.toString('utf8')).toBe('a;b\n1;2\n');
    const small = { ...limits, allowPrivate: true, maxBytes: 4, settings: { maxBytes: 'SENSOR_MAX_BYTES' } };
    await expect(fetchBody(`http://localhost:${port}/daten.csv`, small)).rejects.toThrow(/4 Bytes \(SENSOR_MAX_BYTES\)/);
  });
});
