/** Vitest global setup: seed one PGlite demo database, to be copied by every test server. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './server.js';

export default async function setup() {
  // With PostgreSQL every server gets a new database; the PGlite template is not used.
  if (process.env.TEST_DATABASE_URL) return;
  const dir = mkdtempSync(join(tmpdir(), 'zhijiao-template-'));
  const server = await startServer({ dataDir: dir, databaseUrl: undefined });
  await server.stop();
  process.env.ZHIJIAO_TEST_TEMPLATE = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
