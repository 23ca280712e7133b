/** HTTP routes of the curriculum module. */
import { z } from 'zod';
import { requirePrincipal, type App } from '../../platform/http/app.js';
import { AppError } from '../../platform/http/errors.js';
import { CreateSubjectBody, Graph, GraphDocument, GraphVersionQuery, PublishBody, Subject, SubjectCode } from './schema.js';
import type { Curriculum } from './service.js';
import { graphToXlsx } from './xlsx.js';

const SubjectParam = z.object({ subject: SubjectCode });
const PointParam = SubjectParam.extend({ code: z.string().min(1).max(64) });
const tags = ['curriculum'];

export function curriculumRoutes(app: App, c: Curriculum) {
  app.get('/api/curriculum/subjects', { schema: { tags, summary: 'Subjects and their published graph versions', response: { 200: z.array(Subject) } } }, async (req) => {
    requirePrincipal(req);
    return c.listSubjects();
  });
  app.post('/api/curriculum/subjects', { schema: { tags, summary: 'Create a subject', body: CreateSubjectBody } }, async (req, reply) => {
    await c.createSubject(requirePrincipal(req), req.body);
    return reply.status(201).send();
  });
  app.get(
    '/api/curriculum/subjects/:subject/graph',
    { schema: { tags, summary: 'A version of the knowledge-point graph (latest published by default)', params: SubjectParam, querystring: GraphVersionQuery, response: { 200: Graph } } },
    async (req) => {
      requirePrincipal(req);
      return c.getGraph(req.params.subject, req.query.version);
    },
  );
  app.get(
    '/api/curriculum/subjects/:subject/graph/export',
    {
      schema: {
        tags,
        summary: 'Export a graph version as JSON or .xlsx',
        params: SubjectParam,
        querystring: GraphVersionQuery.extend({ format: z.enum(['json', 'xlsx']).default('json') }),
      },
    },
    async (req, reply) => {
      requirePrincipal(req);
      const g = await c.getGraph(req.params.subject, req.query.version);
      const name = `${g.subject.code}-${g.version ? `v${g.version}` : 'draft'}.${req.query.format}`;
      reply.header('content-disposition', `attachment; filename="${name}"`);
      if (req.query.format === 'xlsx')
        return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await graphToXlsx(g));
      const doc: GraphDocument = { subject: g.subject, domains: g.domains, points: g.points };
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(doc, null, 2));
    },
  );
  app.get(
    '/api/curriculum/subjects/:subject/points/:code/prerequisites',
    {
      schema: {
        tags,
        summary: 'All prerequisites of a point (nearest first) and the order to learn them in',
        params: PointParam,
        response: { 200: z.object({ ancestors: z.array(z.string()), path: z.array(z.string()) }) },
      },
    },
    async (req) => {
      requirePrincipal(req);
      const { graph, kp } = await c.published(req.params.subject);
      if (!graph.points.some((p) => p.code === req.params.code))
        throw new AppError(404, 'curriculum.point_not_found', { zh: `没有知识点“${req.params.code}”。`, en: `No knowledge point "${req.params.code}".` });
      return { ancestors: kp.ancestors(req.params.code), path: kp.pathTo(req.params.code) };
    },
  );
  app.post(
    '/api/curriculum/subjects/:subject/draft',
    { schema: { tags, summary: 'Open the draft (a copy of the latest published version)', params: SubjectParam, response: { 200: Graph } } },
    async (req) => c.ensureDraft(requirePrincipal(req), req.params.subject),
  );
  app.put(
    '/api/curriculum/subjects/:subject/draft',
    {
      schema: { tags, summary: 'Replace the draft with a JSON graph document (rejected whole if any row is bad)', params: SubjectParam, body: GraphDocument, response: { 200: Graph } },
      bodyLimit: 10 * 1024 * 1024,
    },
    async (req) => c.replaceDraft(requirePrincipal(req), req.params.subject, req.body),
  );
  app.post(
    '/api/curriculum/subjects/:subject/draft/import',
    {
      schema: { tags, summary: 'Replace the draft from an .xlsx or .json file (multipart field "file")', params: SubjectParam, consumes: ['multipart/form-data'], response: { 200: Graph } },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const file = req.isMultipart() ? await req.file() : undefined;
      const upload = file ? { filename: file.filename, data: await file.toBuffer() } : undefined;
      return c.importDraftFile(p, req.params.subject, upload);
    },
  );
  app.post(
    '/api/curriculum/subjects/:subject/draft/publish',
    { schema: { tags, summary: 'Publish the draft as the next immutable version', params: SubjectParam, body: PublishBody.optional(), response: { 200: Graph } } },
    async (req) => c.publish(requirePrincipal(req), req.params.subject, req.body?.note),
  );
  app.delete('/api/curriculum/subjects/:subject/draft', { schema: { tags, summary: 'Discard the draft', params: SubjectParam } }, async (req, reply) => {
    await c.discardDraft(requirePrincipal(req), req.params.subject);
    return reply.status(204).send();
  });
}
