/** HTTP routes of the item bank. */
import { z } from 'zod';
import { requirePrincipal, type App } from '../../platform/http/app.js';
import { AppError } from '../../platform/http/errors.js';
import { Item, ItemInput, ITEM_TYPES } from './item-schema.js';
import type { ItemBank } from './items.js';

const IdParam = z.object({ id: z.string().uuid() });
const tags = ['items'];
const Bank = z.enum(['mine', 'school', 'region']);

const SearchQuery = z.object({
  q: z.string().trim().max(200).refine((s) => !s.includes('\u0000')).optional(),
  subject: z.string().max(32).optional(),
  grade: z.coerce.number().int().min(1).max(12).optional(),
  knowledgePoint: z.string().max(64).optional(),
  type: z.enum(ITEM_TYPES).optional(),
  /** 1…5, on the calibrated level where an item has an IRT calibration, else the author's estimate. */
  difficultyMin: z.coerce.number().int().min(1).max(5).optional(),
  difficultyMax: z.coerce.number().int().min(1).max(5).optional(),
  owner: Bank.optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

const ImportResult = z.object({ imported: z.number().int(), ids: z.array(z.string()) });
const ExportQuery = SearchQuery.omit({ page: true, pageSize: true }).extend({
  ids: z
    .string()
    .max(40_000)
    .transform((s) => s.split(/[,\s]+/).filter(Boolean))
    .pipe(z.array(z.string().uuid()).min(1).max(1000))
    .optional(),
});
const attachment = (ascii: string, name: string) => `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;

export function itemRoutes(app: App, bank: ItemBank) {
  // Static paths: find-my-way prefers them over /api/items/:id, registered here first for readers.
  app.get(
    '/api/items/template.xlsx',
    { schema: { tags, summary: 'The .xlsx template for authoring items in bulk (single/multiple choice, true/false, fill-in, math)' } },
    async (req, reply) => {
      const buf = await bank.template(requirePrincipal(req));
      reply.header('content-disposition', attachment('item-template.xlsx', '题目导入模板.xlsx'));
      return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(buf);
    },
  );
  app.post(
    '/api/items/import',
    {
      schema: {
        tags,
        summary:
          'Import items from an .xlsx (template) or a QTI 3.0 package (.zip): multipart field "file", optional fields bank, subject, grade, knowledgePoints, difficulty (defaults for foreign QTI items). All or nothing: 422 item.import_invalid lists every bad row.',
        consumes: ['multipart/form-data'],
        response: { 201: ImportResult },
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      bank.authorize(p);
      let upload: { filename: string; data: Buffer } | undefined;
      const fields: Record<string, string> = {};
      if (req.isMultipart())
        for await (const part of req.parts()) {
          if (part.type === 'file') {
            if (part.fieldname === 'file' && !upload) upload = { filename: part.filename, data: await part.toBuffer() };
            else await part.toBuffer();
          } else fields[part.fieldname] = String(part.value ?? '');
        }
      const where = Bank.safeParse(fields.bank || 'mine');
      if (!where.success)
        throw new AppError(400, 'request.invalid', { zh: '题库（bank）应为 mine、school 或 region。', en: 'bank must be mine, school or region.' });
      const int = (s: string | undefined) => (s && /^\d+$/.test(s.trim()) ? Number(s) : undefined);
      const result = await bank.importFile(p, upload, {
        bank: where.data,
        defaults: {
          subject: fields.subject?.trim() || undefined,
          grade: int(fields.grade),
          knowledgePoints: fields.knowledgePoints ? fields.knowledgePoints.split(/[,，、;；\s]+/).filter(Boolean) : undefined,
          difficulty: int(fields.difficulty),
        },
      });
      return reply.status(201).send(result);
    },
  );
  app.get(
    '/api/items/export.qti.zip',
    {
      schema: {
        tags,
        summary: 'Export items as a QTI 3.0 content package: ids=<uuid,uuid,…>, or the search filters (up to 1000 items)',
        querystring: ExportQuery,
      },
    },
    async (req, reply) => {
      const { ids, ...filters } = req.query;
      const { zip, count } = await bank.exportQti(requirePrincipal(req), ids ? { ids } : { ...filters, page: 1, pageSize: 1000 });
      reply.header('content-disposition', attachment('items.qti.zip', '题目-QTI.zip'));
      reply.header('x-item-count', String(count));
      return reply.type('application/zip').send(zip);
    },
  );
  app.get(
    '/api/items',
    {
      schema: {
        tags,
        summary: 'Search the item bank: Chinese full text (BM25) with filters; a knowledge point includes its descendants',
        querystring: SearchQuery,
        response: { 200: z.object({ items: z.array(Item.extend({ relevance: z.number().nullable() })), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }) },
      },
    },
    async (req) => ({ ...(await bank.search(requirePrincipal(req), req.query)), page: req.query.page, pageSize: req.query.pageSize }),
  );
  app.post(
    '/api/items',
    { schema: { tags, summary: 'Create an item in my bank (or my school’s / the region’s)', body: ItemInput.extend({ bank: Bank.default('mine') }), response: { 201: Item } } },
    async (req, reply) => {
      const { bank: where, ...input } = req.body;
      return reply.status(201).send(await bank.create(requirePrincipal(req), input, where));
    },
  );
  app.get('/api/items/:id', { schema: { tags, summary: 'An item (current version)', params: IdParam, response: { 200: Item } } }, async (req) =>
    bank.get(requirePrincipal(req), req.params.id),
  );
  app.put(
    '/api/items/:id',
    { schema: { tags, summary: 'Edit an item: in place, or as a new version once the current one was answered', params: IdParam, body: ItemInput, response: { 200: Item } } },
    async (req) => bank.update(requirePrincipal(req), req.params.id, req.body),
  );
  app.get(
    '/api/items/:id/versions',
    {
      schema: {
        tags,
        summary: 'Versions of an item',
        params: IdParam,
        response: { 200: z.array(z.object({ version: z.number().int(), locked: z.boolean(), createdAt: z.string() })) },
      },
    },
    async (req) => bank.versions(requirePrincipal(req), req.params.id),
  );
  app.get(
    '/api/items/:id/versions/:version',
    { schema: { tags, summary: 'One version of an item', params: IdParam.extend({ version: z.coerce.number().int().min(1) }), response: { 200: Item } } },
    async (req) => bank.get(requirePrincipal(req), req.params.id, req.params.version),
  );
  app.post(
    '/api/items/:id/share',
    { schema: { tags, summary: 'Share an item up: into my school’s bank or the region’s (owner only)', params: IdParam, body: z.object({ to: z.enum(['school', 'region']) }), response: { 200: Item } } },
    async (req) => bank.share(requirePrincipal(req), req.params.id, req.body.to),
  );
}
