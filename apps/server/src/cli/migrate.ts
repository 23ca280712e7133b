/** `npm run db:migrate`: apply pending migrations to the configured database and exit. */
import { loadConfig } from '../platform/config.js';
import { openDatabase } from '../platform/db/index.js';

const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
console.log(`migrations applied (${db.engine})`);
await db.close();
