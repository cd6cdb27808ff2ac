import { cpus } from 'node:os';

/** `npm run bench -- <name>`: runs one benchmark and prints its figures. */
const BENCHES: Record<string, () => Promise<void>> = {
  core: () => import('./core').then((m) => m.run()),
  search: () => import('./search').then((m) => m.run()),
  uploads: () => import('./uploads').then((m) => m.run()),
  dcat: () => import('./dcat').then((m) => m.run()),
  datastore: () => import('./datastore').then((m) => m.run()),
  sensors: () => import('./sensors').then((m) => m.run()),
  harvest: () => import('./harvest').then((m) => m.run()),
  web: () => import('./web').then((m) => m.run()),
};

async function main(): Promise<void> {
  const name = process.argv[2];
  const bench = name && BENCHES[name];
  if (!bench) {
    process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}>\n`);
    process.exit(2);
  }
  process.stdout.write(`# bench ${name} — ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), node ${process.version}\n`);
  await bench();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
