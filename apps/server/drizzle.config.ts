import { defineConfig } from 'drizzle-kit';

// One schema and one migration folder for both engines (PGlite embedded, PostgreSQL in production).
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./apps/server/src/platform/**/tables.ts', './apps/server/src/modules/**/tables.ts'],
  out: './apps/server/migrations',
});
