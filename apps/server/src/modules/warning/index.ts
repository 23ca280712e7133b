/**
 * Early warning with a closed loop: attendance as schools record it, rules (consecutive
 * absences, missing homework, sharp mastery drops) that raise alerts with an owner, escalation of
 * unverified alerts to the head teacher and then the school admin, the verify → follow up → close
 * log, and wellbeing referrals to a named person. The module's only public door.
 */
import type { Logger } from 'pino';
import type { AuditLog } from '../../platform/audit/index.js';
import type { DataCipher } from '../../platform/crypto/index.js';
import type { Db } from '../../platform/db/index.js';
import type { App } from '../../platform/http/app.js';
import { Alerts } from './alerts.js';
import { AttendanceBook } from './attendance.js';
import { DEFAULT_WARNING_SETTINGS, type Clock, type WarningDeps, type WarningSettings } from './deps.js';
import { Referrals } from './referrals.js';
import { warningRoutes } from './routes.js';

export { DEFAULT_WARNING_SETTINGS, type Clock, type WarningSettings } from './deps.js';

export function createWarning(
  d: { db: Db; audit: AuditLog; cipher: DataCipher; log: Logger; now: Clock; settings?: Partial<WarningSettings> } & WarningDeps,
) {
  const settings = { ...DEFAULT_WARNING_SETTINGS, ...d.settings };
  const alerts = new Alerts(d.db, d.audit, d, settings, d.now);
  const attendance = new AttendanceBook(d.db, d.audit, d, alerts, d.now);
  const referrals = new Referrals(d.db, d.audit, d.cipher, d, d.now);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  const sweep = () => {
    running ??= alerts.sweep().finally(() => (running = null));
    return running as Promise<{ raised: number; escalated: number }>;
  };
  return {
    routes: (app: App) => warningRoutes(app, { alerts, attendance, referrals }),
    /** Runs the sweep every `sweepMinutes`: all rules over all classes, then escalations. */
    start: () => {
      timer = setInterval(() => void sweep().catch((err: unknown) => d.log.error({ err }, 'warning sweep failed')), settings.sweepMinutes * 60_000);
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
    /** The sweep now (rules and escalations at the module clock's time). */
    sweep,
  };
}
