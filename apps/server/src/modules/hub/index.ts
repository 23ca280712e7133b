/**
 * The AI hub: model registry, registration (备案) and school-entry review, compute nodes with
 * health and routing, the OpenAI-compatible gateway (/v1) with keys, quotas, metering, guardrails
 * and the call log, compute requests and statements. The module's only public door.
 */
import type { Logger } from 'pino';
import { NodeScheduler } from '@zhijiao/engine';
import type { AuditLog } from '../../platform/audit/index.js';
import type { DataCipher } from '../../platform/crypto/index.js';
import type { Db } from '../../platform/db/index.js';
import type { App } from '../../platform/http/app.js';
import { seedHubDemoIfEmpty } from './demo.js';
import { Gateway } from './gateway.js';
import { HealthChecker } from './health.js';
import { aiUseByWeek, Meter } from './meter.js';
import { HubReports } from './reports.js';
import { hubRoutes } from './routes.js';
import { HubAdmin } from './service.js';
import { loadSnapshot, type Snapshot, type Tree } from './state.js';

export interface HubDeps {
  db: Db;
  audit: AuditLog;
  cipher: DataCipher;
  log: Logger;
  directory: {
    regionTree: () => Promise<Tree>;
    rosterTerms: (schoolId: string) => Promise<{ names: string[]; studentNos: string[] }>;
    userNames: (ids: string[]) => Promise<Map<string, string>>;
  };
  /** Seconds between snapshot reloads (picks up changes made by other processes). */
  reloadSeconds?: number;
  healthSeconds?: number;
}

export async function createHub(d: HubDeps) {
  const scheduler = new NodeScheduler();
  const meter = new Meter(d.db, d.log);
  let snap: Snapshot = await loadSnapshot(d.db, d.cipher, await d.directory.regionTree());
  let reloading: Promise<void> | null = null;
  const reload = async () => {
    // Coalesce concurrent reloads: one in flight, one queued behind it at most.
    if (reloading) await reloading.catch(() => undefined);
    reloading = (async () => {
      snap = await loadSnapshot(d.db, d.cipher, await d.directory.regionTree());
      gateway.syncNodes(snap);
    })();
    try {
      await reloading;
    } finally {
      reloading = null;
    }
  };
  const gateway = new Gateway({ snapshot: () => snap, refresh: reload, meter, scheduler, cipher: d.cipher, rosterTerms: d.directory.rosterTerms, log: d.log });
  gateway.syncNodes(snap);
  const health = new HealthChecker(d.db, d.log, () => [...snap.nodes.values()], (id, up) => scheduler.setHealth(id, up));
  const admin = new HubAdmin(d.db, d.audit, d.cipher, {
    snapshot: () => snap,
    reload,
    meter,
    nodeLive: (id) => ({ outstanding: scheduler.outstanding(id), breaker: scheduler.breakerState(id) }),
    checkNode: async (id) => {
      const n = snap.nodes.get(id);
      if (n) await health.check(n);
    },
  }, d.directory.userNames);
  const reports = new HubReports(d.db, d.audit, d.cipher, () => snap, () => meter.flush());
  await meter.loadQuotas();
  const timers: NodeJS.Timeout[] = [];

  return {
    routes: (app: App) => hubRoutes(app, { admin, reports, gateway }),
    start: () => {
      meter.start();
      health.start((d.healthSeconds ?? 15) * 1000);
      const t = setInterval(() => void reload().catch((err: unknown) => d.log.error({ err }, 'hub reload failed')), (d.reloadSeconds ?? 10) * 1000);
      t.unref();
      const purge = setInterval(() => void reports.purgeExpired().catch((err: unknown) => d.log.error({ err }, 'call content purge failed')), 3600_000);
      purge.unref();
      timers.push(t, purge);
    },
    stop: async () => {
      for (const t of timers) clearInterval(t);
      health.stop();
      await meter.stop();
      await gateway.close();
    },
    /** Writes buffered call-log rows now (tests, shutdown). */
    flush: () => meter.flush(),
    reload,
    checkNodes: () => health.checkAll(),
    /** A fresh gateway key for one of the platform's own modules (they call /v1 like any school app). */
    issueModuleKey: (module: string) => admin.issueModuleKey(module),
    forgetRoster: (schoolId?: string) => gateway.forgetRoster(schoolId),
    /** The demo region's models, node, products, lexicon and policies, once, on an empty hub. */
    seedDemoIfEmpty: async (rootRegionId: string | null) => {
      const seeded = await seedHubDemoIfEmpty(d.db, rootRegionId);
      if (seeded) await reload();
      return seeded;
    },
    purgeExpired: (now?: Date) => reports.purgeExpired(now),
    /** Answered calls made for platform users since `since`, per user, key school and week (China time): AI-use statistics. */
    aiUseSince: async (since: Date) => {
      await meter.flush();
      return aiUseByWeek(d.db, since);
    },
  };
}
export type Hub = Awaited<ReturnType<typeof createHub>>;
