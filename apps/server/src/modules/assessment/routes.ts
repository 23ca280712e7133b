/** HTTP routes of assignments, submissions, review and the error notebook. Thin: parse, call, shape. */
import { z } from 'zod';
import { effectiveDifficulty } from '@zhijiao/engine';
import { requirePrincipal, type App } from '../../platform/http/app.js';
import { AppError } from '../../platform/http/errors.js';
import type { Marking } from './marking-service.js';
import type { PaperScores } from './paper.js';
import {
  Agreement,
  Assignment,
  AssignmentInput,
  AssignmentSummary,
  Blueprint,
  BulkAccept,
  Draft,
  DraftInput,
  NotebookEntry,
  RetryInput,
  RetryResult,
  ReviewDecision,
  ReviewTask,
  Submission,
  SubmissionList,
  SubmissionRow,
  SubmitInput,
} from './schema.js';
import type { Assignments } from './service.js';

const IdParam = z.object({ id: z.string().uuid() });
const MarkParam = z.object({ id: z.string().uuid(), position: z.coerce.number().int().min(1).max(1000) });

export function assessmentRoutes(app: App, a: Assignments, m: Marking, paper: PaperScores) {
  const tags = ['assessment'];
  app.post(
    '/api/assignments/assemble',
    {
      schema: {
        tags,
        summary: 'Preview the items a blueprint (knowledge points × type × difficulty × points; difficulty is the calibrated level where an item has one) picks from the banks you can see; 422 assessment.blueprint_short names rows the bank cannot fill',
        body: Blueprint,
        response: {
          200: z.object({
            items: z.array(z.object({ row: z.number().int(), itemId: z.string(), type: z.string(), stem: z.string(), difficulty: z.number().int(), difficultySource: z.enum(['calibrated', 'estimated']), knowledgePoints: z.array(z.string()), score: z.number() })),
            totalScore: z.number(),
          }),
        },
      },
    },
    async (req) => {
      const picked = await a.assemble(requirePrincipal(req), req.body);
      return {
        items: picked.map((x) => ({
          row: x.row,
          itemId: x.item.id,
          type: x.item.body.type,
          stem: x.item.body.stem,
          difficulty: effectiveDifficulty(x.item).level,
          difficultySource: effectiveDifficulty(x.item).source,
          knowledgePoints: x.item.knowledgePoints,
          score: x.score,
        })),
        totalScore: picked.reduce((s, x) => s + x.score, 0),
      };
    },
  );
  app.post(
    '/api/assignments',
    {
      schema: {
        tags,
        summary: 'Create homework or an exam from picked items or a blueprint and assign it to classes you teach (open/due times, attempts, late and feedback policy)',
        body: AssignmentInput,
        response: { 201: Assignment },
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const id = await a.create(p, req.body);
      return reply.code(201).send((await a.get(p, id)) as never);
    },
  );
  app.get(
    '/api/assignments',
    { schema: { tags, summary: 'Teachers: assignments of their classes. Students: assignments of their class that have opened', response: { 200: z.array(AssignmentSummary) } } },
    async (req) => a.list(requirePrincipal(req)),
  );
  app.get(
    '/api/assignments/:id',
    { schema: { tags, summary: 'An assignment with its items (students see questions without answers)', params: IdParam, response: { 200: Assignment } } },
    async (req) => (await a.get(requirePrincipal(req), req.params.id)) as never,
  );
  app.get(
    '/api/assignments/:id/draft',
    { schema: { tags, summary: "The student's autosaved answers", params: IdParam, response: { 200: Draft } } },
    async (req) => a.getDraft(requirePrincipal(req), req.params.id),
  );
  app.put(
    '/api/assignments/:id/draft',
    { schema: { tags, summary: 'Autosave answers (keys are question positions)', params: IdParam, body: DraftInput, response: { 200: Draft } } },
    async (req) => a.saveDraft(requirePrincipal(req), req.params.id, req.body.answers),
  );
  app.post(
    '/api/assignments/:id/submissions',
    {
      schema: {
        tags,
        summary:
          'Submit answers. Idempotent by clientId (a UUID the browser makes once per attempt): a retry returns the same submission with 200 instead of 201. Marking runs in the background.',
        params: IdParam,
        body: SubmitInput,
        response: { 201: SubmissionRow.pick({ id: true, status: true, attempt: true }), 200: SubmissionRow.pick({ id: true, status: true, attempt: true }) },
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const r = await a.submit(p, req.params.id, req.body.clientId, req.body.answers);
      const s = await a.submission(p, r.id);
      return reply.code(r.created ? 201 : 200).send({ id: s.id, status: s.status, attempt: s.attempt });
    },
  );
  app.get(
    '/api/assignments/:id/submissions',
    { schema: { tags, summary: 'Teachers: every submission, students who have not submitted, and similar answers to look at', params: IdParam, response: { 200: SubmissionList } } },
    async (req) => a.listSubmissions(requirePrincipal(req), req.params.id),
  );
  app.get(
    '/api/assignments/:id/my-submissions',
    { schema: { tags, summary: "A student's own attempts at an assignment", params: IdParam, response: { 200: z.array(SubmissionRow.omit({ studentNo: true, className: true })) } } },
    async (req) => a.mySubmissions(requirePrincipal(req), req.params.id),
  );
  app.get(
    '/api/assignments/:id/agreement',
    { schema: { tags, summary: 'Per question: marks decided by the engine alone, reviewed, pending, and engine–teacher agreement (QWK)', params: IdParam, response: { 200: Agreement } } },
    async (req) => m.agreement(requirePrincipal(req), req.params.id),
  );
  app.get(
    '/api/submissions/:id',
    { schema: { tags, summary: 'A submission with per-item scores and feedback (answers and explanations as the feedback policy allows)', params: IdParam, response: { 200: Submission } } },
    async (req) => (await a.submission(requirePrincipal(req), req.params.id)) as never,
  );
  app.get(
    '/api/review',
    {
      schema: {
        tags,
        summary: 'Marks waiting for a teacher: low confidence, always-review items, untrained essay prompts, unusable model replies',
        querystring: z.object({ assignmentId: z.string().uuid().optional() }),
        response: { 200: z.array(ReviewTask) },
      },
    },
    async (req) => (await m.queue(requirePrincipal(req), req.query.assignmentId)) as never,
  );
  app.post(
    '/api/review/:id/:position',
    {
      schema: {
        tags,
        summary: "Decide a pending mark: accept the engine's points or set per-point scores, with a comment",
        params: MarkParam,
        body: ReviewDecision,
        response: { 200: z.object({ submissionId: z.string(), position: z.number().int(), finalScore: z.number() }) },
      },
    },
    async (req) => m.decide(requirePrincipal(req), req.params.id, req.params.position, req.body),
  );
  app.post(
    '/api/review/bulk-accept',
    { schema: { tags, summary: 'Accept every pending mark of an assignment (or one question) at or above a confidence', body: BulkAccept, response: { 200: z.object({ accepted: z.number().int() }) } } },
    async (req) => m.bulkAccept(requirePrincipal(req), req.body),
  );
  app.get(
    '/api/notebook',
    {
      schema: {
        tags,
        summary: "The student's error notebook: wrong items with their knowledge points, due for review first",
        querystring: z.object({ status: z.enum(['open', 'mastered']).optional(), subject: z.string().max(32).optional() }),
        response: { 200: z.array(NotebookEntry) },
      },
    },
    async (req) => (await m.notebook(requirePrincipal(req), req.query)) as never,
  );
  app.post(
    '/api/notebook/:id/retry',
    { schema: { tags, summary: 'Answer a notebook item again; marked at once, with the correct answer and explanation', params: IdParam, body: RetryInput, response: { 200: RetryResult } } },
    async (req) => (await m.retry(requirePrincipal(req), req.params.id, req.body.answer)) as never,
  );
  app.post(
    '/api/notebook/:id/status',
    {
      schema: {
        tags,
        summary: 'Mark a notebook item mastered (or open again)',
        params: IdParam,
        body: z.object({ status: z.enum(['open', 'mastered']) }),
        response: { 200: NotebookEntry },
      },
    },
    async (req) => (await m.setStatus(requirePrincipal(req), req.params.id, req.body.status)) as never,
  );
  app.get(
    '/api/assignments/:id/paper-template.xlsx',
    { schema: { tags, summary: 'Score sheet for work done on paper: the classes\' students and one column per question', params: IdParam } },
    async (req, reply) => {
      const buf = await paper.template(requirePrincipal(req), req.params.id);
      reply.header('content-disposition', `attachment; filename="paper-scores.xlsx"; filename*=UTF-8''${encodeURIComponent('纸质作业成绩.xlsx')}`);
      return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(buf);
    },
  );
  app.post(
    '/api/assignments/:id/paper-scores',
    {
      schema: {
        tags,
        summary: 'Upload paper-homework scores (multipart field "file", the filled template). All or nothing: 422 assessment.paper_invalid lists every bad row.',
        consumes: ['multipart/form-data'],
        params: IdParam,
        response: { 201: z.object({ created: z.number().int(), skipped: z.number().int() }) },
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      let data: Buffer | undefined;
      if (!req.isMultipart())
        throw new AppError(400, 'assessment.paper_file_missing', { zh: '请上传填写好的成绩表（.xlsx）。', en: 'Upload the filled score sheet (.xlsx).' });
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          const buf = await part.toBuffer();
          if (part.fieldname === 'file' && !data) data = buf;
        }
      }
      return reply.code(201).send(await paper.upload(p, req.params.id, data));
    },
  );
}
