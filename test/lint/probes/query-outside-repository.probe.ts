// Breaks the "queries live in repositories" rule on purpose: test/lint/lint-rules.spec.ts checks that npm run lint refuses it.
import type { EntityManager } from 'typeorm';

export async function countDatasets(db: EntityManager): Promise<number> {
  const [{ n }]: { n: number }[] = await db.query('SELECT count(*)::int AS n FROM package');
  return n;
}
