import { rm } from 'node:fs/promises';
import type { EmbeddedPostgresHandle } from '../src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__catalogTestPg as { pg: EmbeddedPostgresHandle; dir: string } | undefined;
  if (!state) return;
  await state.pg.stop();
  await rm(state.dir, { recursive: true, force: true });
}
