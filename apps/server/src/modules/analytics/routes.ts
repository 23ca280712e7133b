/** HTTP routes of the analytics module. Thin: parse, call, shape. */
import { z } from 'zod';
import { requirePrincipal, type App } from '../../platform/http/app.js';
import { AssignmentReport, CalibrationRequest, CalibrationStatus } from './schema.js';
import type { Analytics } from './service.js';

const IdParam = z.object({ id: z.string().uuid() });

export function analyticsRoutes(app: App, a: Analytics) {
  const tags = ['analytics'];
  app.get(
    '/api/analytics/assignments/:id/report',
    {
      schema: {
        tags,
        summary:
          'Homework/exam report: score distribution, reliability, item and distractor analysis, knowledge points, students to follow up (names for their teachers only), k-anonymous comparison',
        params: IdParam,
        response: { 200: AssignmentReport },
      },
    },
    async (req) => a.report(requirePrincipal(req), req.params.id),
  );
  app.get(
    '/api/analytics/assignments/:id/report.xlsx',
    { schema: { tags, summary: 'The report as a workbook (sheets 概况, 小题分析, 知识点, 需关注学生)', params: IdParam } },
    async (req, reply) => {
      const buf = await a.reportXlsx(requirePrincipal(req), req.params.id);
      reply.header('content-disposition', `attachment; filename="report.xlsx"; filename*=UTF-8''${encodeURIComponent('作业分析报告.xlsx')}`);
      return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(buf);
    },
  );
  app.get(
    '/api/analytics/assignments/:id/report.pdf',
    {
      schema: {
        tags,
        summary: 'The report as an A4 PDF with an embedded Chinese font (503 analytics.pdf_font_missing when the server has none)',
        params: IdParam,
      },
    },
    async (req, reply) => {
      const buf = await a.reportPdf(requirePrincipal(req), req.params.id);
      reply.header('content-disposition', `attachment; filename="report.pdf"; filename*=UTF-8''${encodeURIComponent('作业分析报告.pdf')}`);
      return reply.type('application/pdf').send(buf);
    },
  );
  app.post(
    '/api/analytics/calibrations',
    { schema: { tags, summary: 'Calibrate item difficulty (IRT, Rasch or 2PL) of a subject from marked answers and write it to the item bank (a job)', body: CalibrationRequest, response: { 202: CalibrationStatus } } },
    async (req, reply) => reply.code(202).send(await a.requestCalibration(requirePrincipal(req), req.body)),
  );
  app.get(
    '/api/analytics/calibrations/:id',
    { schema: { tags, summary: 'Progress and result of a calibration: items calibrated, items skipped and why', params: IdParam, response: { 200: CalibrationStatus } } },
    async (req) => a.calibrationFor(requirePrincipal(req), req.params.id),
  );
}
