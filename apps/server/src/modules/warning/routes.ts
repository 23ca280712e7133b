/** HTTP routes of the warning module. Thin: parse, call, shape. */
import { z } from 'zod';
import { requirePrincipal, type App } from '../../platform/http/app.js';
import { AppError } from '../../platform/http/errors.js';
import type { Alerts } from './alerts.js';
import type { AttendanceBook } from './attendance.js';
import { attendanceTemplate } from './attendance-file.js';
import type { Referrals } from './referrals.js';
import {
  AlertDetail,
  AlertQuery,
  AlertSummary,
  AttendanceEntry,
  AttendanceQuery,
  AttendanceSaved,
  ClassAttendance,
  NoteBody,
  Referral,
  ReferralInput,
  RequiredNoteBody,
  StaffMember,
  WarningCounts,
} from './schema.js';

const IdParam = z.object({ id: z.string().uuid() });

export function warningRoutes(app: App, s: { alerts: Alerts; attendance: AttendanceBook; referrals: Referrals }) {
  const tags = ['warning'];
  app.post(
    '/api/warning/attendance',
    { schema: { tags, summary: "Record a class's attendance for one school day (teachers of the class, head teacher, school admin); re-entering a day corrects it", body: AttendanceEntry, response: { 200: AttendanceSaved } } },
    async (req) => s.attendance.enter(requirePrincipal(req), req.body),
  );
  app.get(
    '/api/warning/attendance/template.xlsx',
    { schema: { tags, summary: 'The attendance import template (学号, 日期, 状态, 原因)' } },
    async (req, reply) => {
      requirePrincipal(req);
      reply.header('content-disposition', `attachment; filename="attendance-template.xlsx"; filename*=UTF-8''${encodeURIComponent('考勤导入模板.xlsx')}`);
      return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await attendanceTemplate());
    },
  );
  app.post(
    '/api/warning/attendance/import',
    {
      schema: {
        tags,
        summary: 'Import attendance from an .xlsx (multipart fields "file" and "classId"; columns 学号, 日期, 状态 出勤/缺勤/迟到/请假, 原因). All or nothing: 422 lists every bad row',
        consumes: ['multipart/form-data'],
        response: { 200: AttendanceSaved },
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      if (!req.isMultipart())
        throw new AppError(415, 'warning.multipart_required', { zh: '请以 multipart/form-data 上传文件（字段名 file）。', en: 'Upload the file as multipart/form-data (field "file").' });
      let file: Buffer | null = null;
      let classId: string | null = null;
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          const data = await part.toBuffer();
          if (part.fieldname === 'file' && !file) file = data;
        } else if (part.fieldname === 'classId' && typeof part.value === 'string') classId = part.value;
      }
      if (!classId || !z.string().uuid().safeParse(classId).success)
        throw new AppError(400, 'request.invalid', { zh: '请选择要导入考勤的班级。', en: 'Choose the class to import attendance for (field "classId").' });
      if (!file || file.length === 0) throw new AppError(400, 'warning.file_missing', { zh: '没有收到文件，请选择考勤表。', en: 'No file received: choose an attendance sheet.' });
      return s.attendance.import(p, classId, file);
    },
  );
  app.get(
    '/api/warning/classes/:id/attendance',
    { schema: { tags, summary: "A class's attendance between two dates (inclusive)", params: IdParam, querystring: AttendanceQuery, response: { 200: ClassAttendance } } },
    async (req) => s.attendance.forClass(requirePrincipal(req), req.params.id, req.query.from, req.query.to),
  );
  app.get(
    '/api/warning/alerts',
    { schema: { tags, summary: 'Alerts I may see: mine, my classes’, my school’s (school staff only)', querystring: AlertQuery, response: { 200: z.array(AlertSummary) } } },
    async (req) => s.alerts.list(requirePrincipal(req), req.query),
  );
  app.get(
    '/api/warning/alerts/:id',
    { schema: { tags, summary: 'An alert with its evidence (the records that triggered it) and its follow-up log', params: IdParam, response: { 200: AlertDetail } } },
    async (req) => s.alerts.get(requirePrincipal(req), req.params.id),
  );
  app.post(
    '/api/warning/alerts/:id/verify',
    { schema: { tags, summary: 'Verify an open alert (stops its escalation)', params: IdParam, body: NoteBody, response: { 200: AlertDetail } } },
    async (req) => s.alerts.act(requirePrincipal(req), req.params.id, 'verify', req.body.note),
  );
  app.post(
    '/api/warning/alerts/:id/follow-up',
    { schema: { tags, summary: 'Record a follow-up (a note is required)', params: IdParam, body: RequiredNoteBody, response: { 200: AlertDetail } } },
    async (req) => s.alerts.act(requirePrincipal(req), req.params.id, 'follow_up', req.body.note),
  );
  app.post(
    '/api/warning/alerts/:id/close',
    { schema: { tags, summary: 'Close a followed-up alert', params: IdParam, body: NoteBody, response: { 200: AlertDetail } } },
    async (req) => s.alerts.act(requirePrincipal(req), req.params.id, 'close', req.body.note),
  );
  app.post(
    '/api/warning/alerts/:id/dismiss',
    { schema: { tags, summary: 'Dismiss an alert as a false positive (the reason is required)', params: IdParam, body: RequiredNoteBody, response: { 200: AlertDetail } } },
    async (req) => s.alerts.act(requirePrincipal(req), req.params.id, 'dismiss', req.body.note),
  );
  app.get(
    '/api/warning/counts',
    { schema: { tags, summary: 'Alert counts per school by status and kind, no names (school and region admins)', response: { 200: WarningCounts } } },
    async (req) => s.alerts.counts(requirePrincipal(req)),
  );
  app.get(
    '/api/warning/students/:id/referral-recipients',
    { schema: { tags, summary: 'Staff of the student’s school a wellbeing concern may be referred to', params: IdParam, response: { 200: z.array(StaffMember) } } },
    async (req) => s.referrals.recipients(requirePrincipal(req), req.params.id),
  );
  app.post(
    '/api/warning/referrals',
    { schema: { tags, summary: 'Refer a wellbeing concern about a student to a named staff member of the school (note encrypted)', body: ReferralInput, response: { 201: Referral } } },
    async (req, reply) => reply.code(201).send(await s.referrals.create(requirePrincipal(req), req.body)),
  );
  app.get(
    '/api/warning/referrals',
    { schema: { tags, summary: 'Referrals I made, referred to me, or (school admin) of my school', response: { 200: z.array(Referral) } } },
    async (req) => s.referrals.list(requirePrincipal(req)),
  );
  app.post(
    '/api/warning/referrals/:id/close',
    { schema: { tags, summary: 'Close a referral (the named person or a school admin)', params: IdParam, response: { 200: Referral } } },
    async (req) => s.referrals.close(requirePrincipal(req), req.params.id),
  );
}
