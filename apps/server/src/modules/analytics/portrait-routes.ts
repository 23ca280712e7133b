/** HTTP routes of the student portrait, the comprehensive-quality records and the teaching check-up. Thin. */
import { z } from 'zod';
import { requirePrincipal, type App } from '../../platform/http/app.js';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Db } from '../../platform/db/index.js';
import { Checkups, type CheckupSources } from './checkup.js';
import { Portraits, type PortraitSources } from './portrait.js';
import { Checkup, PeriodQuery, Portrait, PortraitQuery, QualityInput, QualityList, QualityRecord, TeacherList, WithdrawInput } from './portrait-schema.js';
import { QualityRecords, type PortraitDeps } from './quality.js';

const IdParam = z.object({ id: z.string().uuid() });
const EntryParam = IdParam.extend({ entryId: z.string().uuid() });

export function portraitRoutes(app: App, s: ReturnType<typeof createPortraitServices>) {
  const tags = ['analytics'];
  app.get(
    '/api/analytics/students/:id/portrait',
    {
      schema: {
        tags,
        summary: 'Student portrait (成长档案): mastery over time, homework completion, error-notebook progress, quality records; for the student, guardians, class teachers, school admin',
        params: IdParam,
        querystring: PortraitQuery,
        response: { 200: Portrait },
      },
    },
    async (req) => s.portraits.portrait(requirePrincipal(req), req.params.id, req.query),
  );
  app.get(
    '/api/analytics/students/:id/quality',
    { schema: { tags, summary: 'Comprehensive-quality records (德智体美劳) of a student; withdrawn ones for staff only', params: IdParam, response: { 200: QualityList } } },
    async (req) => s.quality.list(requirePrincipal(req), req.params.id),
  );
  app.post(
    '/api/analytics/students/:id/quality',
    { schema: { tags, summary: 'Record an evidence-based quality entry (teachers of the class, head teacher, school admin)', params: IdParam, body: QualityInput, response: { 201: QualityRecord } } },
    async (req, reply) => reply.code(201).send(await s.quality.add(requirePrincipal(req), req.params.id, req.body)),
  );
  app.post(
    '/api/analytics/students/:id/quality/:entryId/withdraw',
    { schema: { tags, summary: 'The recorder withdraws a quality entry with a reason (kept, hidden from student and parents)', params: EntryParam, body: WithdrawInput, response: { 200: QualityRecord } } },
    async (req) => s.quality.withdraw(requirePrincipal(req), req.params.id, req.params.entryId, req.body.reason),
  );
  app.get(
    '/api/analytics/checkup/teachers',
    { schema: { tags, summary: 'Teachers whose check-up the caller may open (themself; a school admin: the school’s teachers)', response: { 200: TeacherList } } },
    async (req) => s.checkups.teachers(requirePrincipal(req)),
  );
  app.get(
    '/api/analytics/teachers/:id/checkup',
    {
      schema: {
        tags,
        summary: 'Teaching check-up (教学体检报告): coverage, homework load and completion, marking turnaround, mastery trend, AI use; the teacher and their school admin',
        params: IdParam,
        querystring: PeriodQuery,
        response: { 200: Checkup },
      },
    },
    async (req) => s.checkups.checkup(requirePrincipal(req), req.params.id, req.query),
  );
}

/** Everything the portrait part of the analytics module needs from other modules' doors. */
export type PortraitModuleDeps = PortraitDeps & PortraitSources & CheckupSources;

/** The portrait, quality-record and check-up services over the analytics database. */
export function createPortraitServices(db: Db, audit: AuditLog, d: PortraitModuleDeps) {
  const quality = new QualityRecords(db, audit, d);
  return { quality, portraits: new Portraits(audit, d, quality), checkups: new Checkups(db, audit, d) };
}
