import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The portal's small client-side islands (src/web/client/*.ts: the chart and the map), bundled by esbuild into files
 * named by their content hash. Nothing generated is committed: the bundles are built once per content of the client
 * sources and the library versions, into `dist/web-client/<hash>/`, when the server starts and they are missing (also
 * in tests), or ahead of time by `npm run build:client` (part of `npm run build`, so an image without `src/` has them).
 */
export interface ClientAsset {
  /** The file's name under /web/js/ (`chart.3f2a1c9d.js`). */
  file: string;
  body: Buffer;
  type: string;
}

export interface ClientBundles {
  /** Entry name (chart, map) → the address of its script and stylesheet. */
  entries: Record<string, { js: string; css?: string }>;
  files: Map<string, ClientAsset>;
}

const ENTRIES = ['chart', 'map', 'upload', 'loader'];
const LIBRARIES = ['esbuild', 'uplot', 'leaflet'];
export const CLIENT_PREFIX = '/web/js/';
const TYPES: Record<string, string> = { js: 'text/javascript;charset=utf-8', css: 'text/css;charset=utf-8', png: 'image/png', svg: 'image/svg+xml' };

/** The project's root: the nearest folder above this file with a package.json. */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** What the bundles are made of: the client sources and the library versions; a change in any makes new bundles. */
function sourceHash(root: string, srcDir: string): string {
  const h = createHash('sha256');
  for (const name of readdirSync(srcDir).filter((f) => /\.tsx?$/.test(f)).sort()) h.update(name).update(readFileSync(join(srcDir, name)));
  for (const lib of LIBRARIES) h.update(lib).update(String((JSON.parse(readFileSync(join(root, 'node_modules', lib, 'package.json'), 'utf8')) as { version: string }).version));
  return h.digest('hex').slice(0, 16);
}

interface Manifest {
  entries: ClientBundles['entries'];
}

function load(dir: string): ClientBundles {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const files = new Map<string, ClientAsset>();
  for (const file of readdirSync(dir)) {
    if (file === 'manifest.json') continue;
    files.set(file, { file, body: readFileSync(join(dir, file)), type: TYPES[file.replace(/^.*\./, '')] ?? 'application/octet-stream' });
  }
  return { entries: manifest.entries, files };
}

/** Builds the bundles into `out` (through a temporary folder renamed at the end, so parallel starts never see half a build). */
function build(srcDir: string, out: string): void {
  // esbuild is loaded only when a build is needed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const tmp = `${out}.tmp-${process.pid}-${Date.now()}`;
  const result = esbuild.buildSync({
    entryPoints: ENTRIES.map((e) => join(srcDir, `${e}.ts`)),
    bundle: true, minify: true, format: 'iife', target: ['es2020'], outdir: tmp, entryNames: '[name].[hash]', assetNames: '[name].[hash]',
    loader: { '.png': 'file', '.svg': 'file' }, metafile: true, logLevel: 'silent', legalComments: 'none',
  });
  const entries: Manifest['entries'] = {};
  for (const [path, o] of Object.entries(result.metafile.outputs)) {
    const entry = o.entryPoint?.replace(/^.*\//, '').replace(/\.tsx?$/, '');
    const file = path.replace(/^.*\//, '');
    if (entry && file.endsWith('.js')) {
      entries[entry] = { js: CLIENT_PREFIX + file, ...(o.cssBundle ? { css: CLIENT_PREFIX + o.cssBundle.replace(/^.*\//, '') } : {}) };
    }
  }
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify({ entries }));
  try {
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(out)) throw err;
  }
}

/** The bundles for this content: from the cache, built when missing; without sources (an image), the last build. */
export function clientBundles(): ClientBundles {
  const root = projectRoot();
  const cache = join(root, 'dist', 'web-client');
  const srcDir = resolve(root, 'src', 'web', 'client');
  if (!existsSync(srcDir)) {
    const current = JSON.parse(readFileSync(join(cache, 'current.json'), 'utf8')) as { hash: string };
    return load(join(cache, current.hash));
  }
  const hash = sourceHash(root, srcDir);
  const out = join(cache, hash);
  if (!existsSync(join(out, 'manifest.json'))) {
    mkdirSync(cache, { recursive: true });
    build(srcDir, out);
    // Older builds (other content) are dropped; a half-written one of a parallel start (.tmp-) is left to its owner.
    for (const dir of readdirSync(cache)) if (/^[0-9a-f]{16}$/.test(dir) && dir !== hash) rmSync(join(cache, dir), { recursive: true, force: true });
  }
  writeFileSync(join(cache, 'current.json'), JSON.stringify({ hash }));
  return load(out);
}

let cached: ClientBundles | undefined;
/** The bundles, built or read once per process. */
export function getClientBundles(): ClientBundles {
  cached ??= clientBundles();
  return cached;
}

if (require.main === module) {
  const b = clientBundles();
  for (const [name, e] of Object.entries(b.entries)) process.stdout.write(`${name}: ${e.js}${e.css ? ` ${e.css}` : ''}\n`);
}
