/** HTTP routes of the item bank. */
import { z } from 'zod';
import { requirePrincipal, type App } from '../../platform/http/app.js';
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
  difficultyMin: z.coerce.number().int().min(1).max(5).optional(),
  difficultyMax: z.coerce.number().int().min(1).max(5).optional(),
  owner: Bank.optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export function itemRoutes(app: App, bank: ItemBank) {
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
