import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HarvestError } from './harvester';
import { remoteFetcher, RemoteLimits } from './remote-fetch';

describe('a harvest\'s remote fetch', () => {
  let server: http.Server;
  let base: string;
  const answers: { status: number; headers?: Record<string, string>; body?: string }[] = [];
  let hits = 0;
  const limits: RemoteLimits = { maxBytes: 1000, timeoutMs: 2000, allowPrivate: true, retries: 2, retryDelayMs: 5 };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits += 1;
      const a = answers.shift() ?? { status: 200, body: 'ok' };
      res.writeHead(a.status, { 'content-type': 'text/plain; charset=utf-8', ...a.headers });
      res.end(a.body ?? '');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());
  beforeEach(() => {
    answers.length = 0;
    hits = 0;
  });

  it('retries a 503 and a 429 (honouring Retry-After) and returns the answer that came', async () => {
    answers.push({ status: 503 }, { status: 429, headers: { 'retry-after': '0' } }, { status: 200, body: 'fine' });
    const res = await remoteFetcher(limits, new AbortController().signal)(`${base}/x`);
    expect({ status: res.status, text: res.text(), hits }).toEqual({ status: 200, text: 'fine', hits: 3 });
  });

  it('returns a 5xx after the retries are spent, and a 404 at once', async () => {
    answers.push({ status: 500 }, { status: 500 }, { status: 500 }, { status: 404 });
    const fetch = remoteFetcher(limits, new AbortController().signal);
    expect((await fetch(`${base}/x`)).status).toBe(500);
    expect(hits).toBe(3);
    expect((await fetch(`${base}/y`)).status).toBe(404);
    expect(hits).toBe(4);
  });

  it('refuses a private address unless allowed, without retrying', async () => {
    await expect(remoteFetcher({ ...limits, allowPrivate: false }, new AbortController().signal)(`${base}/x`)).rejects.toThrow(HarvestError);
    expect(hits).toBe(0);
  });

  it('refuses a non-http(s) URL and an answer larger than the limit', async () => {
    const fetch = remoteFetcher(limits, new AbortController().signal);
    await expect(fetch('file:///etc/passwd')).rejects.toThrow(/http/);
    answers.push({ status: 200, body: 'x'.repeat(2000) });
    await expect(fetch(`${base}/big`)).rejects.toThrow(/1000 Bytes/);
    expect(hits).toBe(1);
  });

  it('stops when the run is aborted', async () => {
    const c = new AbortController();
    c.abort();
    await expect(remoteFetcher(limits, c.signal)(`${base}/x`)).rejects.toThrow(/aborted/);
  });
});
