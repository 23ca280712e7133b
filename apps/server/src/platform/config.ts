/**
 * The one typed configuration object, read from the environment once at start.
 * Nothing else in the server reads process.env.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ZHIJIAO_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  ZHIJIAO_DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  ZHIJIAO_SEED_DEMO: boolish.default(true),
  /** With a freshly seeded demo region: demo teachers set a unit test and demo students answer it. */
  ZHIJIAO_DEMO_ACTIVITY: boolish.default(true),
  /** 32 bytes, base64: encrypts personal data at rest. Embedded mode keeps a generated one in the data dir. */
  ZHIJIAO_DATA_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes encoded as base64')
    .optional(),
  ZHIJIAO_SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  ZHIJIAO_LOCKOUT_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  ZHIJIAO_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  ZHIJIAO_WEB_DIST: z.string().optional(),
  /**
   * The hub model (its registry name) that marks short answers and essays. The assessment module
   * calls it through the hub's own /v1 gateway with a module key, so approval, quotas, guardrails,
   * metering and the call log apply as to any school app. Unset: no language-model marking.
   */
  ZHIJIAO_MARKING_MODEL: z.string().min(1).max(64).optional(),
  /** Marks below this confidence (0..1) go to the teacher's review queue. */
  ZHIJIAO_REVIEW_THRESHOLD: z.coerce.number().min(0).max(1).default(0.7),
  /** AI regular use: a person who used AI features in at least N of the last M complete weeks. */
  ZHIJIAO_AI_REGULAR_N: z.coerce.number().int().min(1).max(26).default(3),
  ZHIJIAO_AI_REGULAR_M: z.coerce.number().int().min(1).max(26).default(4),
  /**
   * A CJK font file (.ttc/.otf/.ttf) for PDF reports. Unset: the Noto Sans CJK collection of the
   * Debian/Ubuntu package fonts-noto-cjk is looked for in its usual places.
   */
  ZHIJIAO_PDF_FONT: z.string().min(1).optional(),
}).superRefine((e, ctx) => {
  if (e.ZHIJIAO_AI_REGULAR_N > e.ZHIJIAO_AI_REGULAR_M)
    ctx.addIssue({ code: 'custom', path: ['ZHIJIAO_AI_REGULAR_N'], message: `must not exceed ZHIJIAO_AI_REGULAR_M (${e.ZHIJIAO_AI_REGULAR_M})` });
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  logLevel: string;
  dataDir: string;
  databaseUrl: string | undefined;
  demoPassword: string | undefined;
  seedDemo: boolean;
  demoActivity: boolean;
  dataKey: string | undefined;
  sessionHours: number;
  lockout: { attempts: number; minutes: number };
  webDist: string;
  markingModel: string | null;
  reviewThreshold: number;
  /** AI regular use: used AI features in at least `n` of the last `m` complete weeks. */
  aiRegular: { n: number; m: number };
  /** ZHIJIAO_PDF_FONT, or null to look for Noto Sans CJK in the usual places. */
  pdfFont: string | null;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration (environment variables):\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    dataDir: resolve(e.ZHIJIAO_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    demoPassword: e.ZHIJIAO_DEMO_PASSWORD,
    seedDemo: e.ZHIJIAO_SEED_DEMO,
    demoActivity: e.ZHIJIAO_DEMO_ACTIVITY,
    dataKey: e.ZHIJIAO_DATA_KEY,
    sessionHours: e.ZHIJIAO_SESSION_HOURS,
    lockout: { attempts: e.ZHIJIAO_LOCKOUT_ATTEMPTS, minutes: e.ZHIJIAO_LOCKOUT_MINUTES },
    markingModel: e.ZHIJIAO_MARKING_MODEL ?? null,
    reviewThreshold: e.ZHIJIAO_REVIEW_THRESHOLD,
    aiRegular: { n: e.ZHIJIAO_AI_REGULAR_N, m: e.ZHIJIAO_AI_REGULAR_M },
    pdfFont: e.ZHIJIAO_PDF_FONT ?? null,
    webDist: resolve(e.ZHIJIAO_WEB_DIST ?? new URL('../../../web/dist', import.meta.url).pathname),
  };
}
