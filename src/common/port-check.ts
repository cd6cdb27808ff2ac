import { createServer } from 'node:net';

/**
 * Why the server could not listen on host:port (one line a person can act on), or undefined when it
 * can. Checked before the database starts, so a busy port costs a second, not a migration run.
 */
export async function portUnavailable(port: number, host: string): Promise<string | undefined> {
  const code = await new Promise<string | undefined>((done) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => done(undefined)));
  });
  switch (code) {
    case undefined:
      return undefined;
    case 'EADDRINUSE':
      return `Port ${port} on ${host} is already in use (is the catalog already running?): stop that program or set PORT to another port.`;
    case 'EACCES':
      return `Not allowed to listen on port ${port} on ${host}: ports below 1024 need privileges; set PORT to a higher port.`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `Cannot listen on ${host}: this machine has no such address; set HOST (e.g. 127.0.0.1 or 0.0.0.0).`;
    default:
      return `Cannot listen on ${host}:${port} (${code}).`;
  }
}
