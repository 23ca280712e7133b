/**
 * `npm run audit:verify`: walk the audit hash chain of the configured database.
 * Exit 0 when intact; exit 1 and name the first broken entry otherwise.
 */
import { AuditLog } from '../platform/audit/index.js';
import { loadConfig } from '../platform/config.js';
import { openDatabase } from '../platform/db/index.js';

const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const result = await new AuditLog(database.db).verify();
await database.close();
if (result.ok) {
  console.log(`audit chain intact: ${result.checked} entries verified`);
} else {
  console.log(`audit chain BROKEN at entry ${result.firstBroken!.seq}: ${result.firstBroken!.reason} (${result.checked} entries verified before it)`);
  process.exitCode = 1;
}
