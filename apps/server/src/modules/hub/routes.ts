/** HTTP routes of the hub: the administration API under /api/hub and the OpenAI-compatible gateway under /v1. */
import { z } from 'zod';
import { requirePrincipal, type App } from '../../platform/http/app.js';
import type { Gateway } from './gateway.js';
import type { HubReports } from './reports.js';
import {
  CallEntry,
  ChatRequest,
  ComputeDecision,
  ComputeRequest,
  ComputeRequestInput,
  EmbeddingRequest,
  GradeBand,
  KeyCreated,
  KeyInfo,
  KeyInput,
  LexiconInput,
  LexiconTerm,
  Model,
  ModelInput,
  ModelPatch,
  Node,
  NodeInput,
  NodePatch,
  Policy,
  Product,
  ProductDetail,
  ProductInput,
  ProductStatus,
  Quota,
  QuotaInput,
  ReviewInput,
  RevokeInput,
  ScopeTree,
  Statement,
  Usage,
  UsageQuery,
} from './schema.js';
import type { HubAdmin } from './service.js';

const Id = z.object({ id: z.string().uuid() });
const Month = z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/) });

export function hubRoutes(app: App, h: { admin: HubAdmin; reports: HubReports; gateway: Gateway }) {
  const { admin, reports, gateway } = h;
  const tags = ['hub'];

  // ------------------------------------------------------------ registry
  app.get('/api/hub/scopes', { schema: { tags, summary: 'Regions and schools the caller administers (for scope pickers)', response: { 200: ScopeTree } } }, async (req) => admin.scopes(requirePrincipal(req)));
  app.get('/api/hub/models', { schema: { tags, summary: 'Registry models with prices (分 per million tokens) and whether an approved product serves them', response: { 200: z.array(Model) } } }, async (req) => admin.listModels(requirePrincipal(req)));
  app.post('/api/hub/models', { schema: { tags, summary: 'Register a model (the name callers use in `model`) with its prices', body: ModelInput, response: { 201: Model } } }, async (req, reply) =>
    reply.code(201).send(await admin.createModel(requirePrincipal(req), req.body)),
  );
  app.patch('/api/hub/models/:id', { schema: { tags, summary: "Change a model's vendor, description, prices or context", params: Id, body: ModelPatch, response: { 200: Model } } }, async (req) =>
    admin.patchModel(requirePrincipal(req), req.params.id, req.body),
  );
  app.get('/api/hub/nodes', { schema: { tags, summary: 'Compute nodes with live health, breaker state and outstanding requests', response: { 200: z.array(Node) } } }, async (req) => admin.listNodes(requirePrincipal(req)));
  app.post('/api/hub/nodes', { schema: { tags, summary: 'Add a compute node (an OpenAI-compatible endpoint) and the models it serves; its upstream key is stored encrypted and never returned', body: NodeInput, response: { 201: Node } } }, async (req, reply) =>
    reply.code(201).send(await admin.createNode(requirePrincipal(req), req.body)),
  );
  app.patch('/api/hub/nodes/:id', { schema: { tags, summary: 'Change a node: weight, concurrency, models, endpoint, credential, enabled', params: Id, body: NodePatch, response: { 200: Node } } }, async (req) =>
    admin.patchNode(requirePrincipal(req), req.params.id, req.body),
  );
  app.post('/api/hub/nodes/:id/check', { schema: { tags, summary: 'Run a health check of the node now', params: Id, response: { 200: Node } } }, async (req) => admin.checkNodeNow(requirePrincipal(req), req.params.id));

  // ------------------------------------------------------------ registration and review
  app.get('/api/hub/products', { schema: { tags, summary: 'Registered AI products (备案)', querystring: z.object({ status: ProductStatus.optional() }), response: { 200: z.array(Product) } } }, async (req) =>
    admin.listProducts(requirePrincipal(req), req.query.status),
  );
  app.post('/api/hub/products', { schema: { tags, summary: 'Register (备案) an AI product — a model, an agent or a school app — for review', body: ProductInput, response: { 201: Product } } }, async (req, reply) =>
    reply.code(201).send(await admin.registerProduct(requirePrincipal(req), req.body)),
  );
  app.get('/api/hub/products/:id', { schema: { tags, summary: 'A product with its reviews and approvals', params: Id, response: { 200: ProductDetail } } }, async (req) => admin.getProduct(requirePrincipal(req), req.params.id));
  app.post('/api/hub/products/:id/reviews', { schema: { tags, summary: 'School-entry review: a decision against the checklist; approving grants a scoped, optionally expiring approval', params: Id, body: ReviewInput, response: { 200: ProductDetail } } }, async (req) =>
    admin.review(requirePrincipal(req), req.params.id, req.body),
  );
  app.post('/api/hub/approvals/:id/revoke', { schema: { tags, summary: 'Revoke an approval (the gateway refuses the product at once)', params: Id, body: RevokeInput, response: { 200: ProductDetail } } }, async (req) =>
    admin.revokeApproval(requirePrincipal(req), req.params.id, req.body.reason),
  );

  // ------------------------------------------------------------ keys, quotas, compute requests
  app.get('/api/hub/keys', { schema: { tags, summary: 'Gateway keys in scope (never the key itself)', response: { 200: z.array(KeyInfo) } } }, async (req) => admin.listKeys(requirePrincipal(req)));
  app.post('/api/hub/keys', { schema: { tags, summary: 'Issue a gateway key to a school, a region node or a module (returned once)', body: KeyInput, response: { 201: KeyCreated } } }, async (req, reply) =>
    reply.code(201).send(await admin.createKey(requirePrincipal(req), req.body)),
  );
  app.post('/api/hub/keys/:id/revoke', { schema: { tags, summary: 'Revoke a gateway key', params: Id, response: { 200: KeyInfo } } }, async (req) => admin.revokeKey(requirePrincipal(req), req.params.id));
  app.get('/api/hub/quotas', { schema: { tags, summary: 'Quotas in scope with tokens used this period', response: { 200: z.array(Quota) } } }, async (req) => admin.listQuotas(requirePrincipal(req)));
  app.post('/api/hub/quotas', { schema: { tags, summary: 'Set a quota: tokens per day or month and/or requests per minute, on a school, region, app or key', body: QuotaInput, response: { 201: Quota } } }, async (req, reply) =>
    reply.code(201).send(await admin.createQuota(requirePrincipal(req), req.body)),
  );
  app.delete('/api/hub/quotas/:id', { schema: { tags, summary: 'Remove a quota', params: Id } }, async (req, reply) => {
    await admin.deleteQuota(requirePrincipal(req), req.params.id);
    return reply.code(204).send();
  });
  app.get('/api/hub/compute-requests', { schema: { tags, summary: 'Compute requests (算力资源申请) with usage against them', response: { 200: z.array(ComputeRequest) } } }, async (req) => admin.listComputeRequests(requirePrincipal(req)));
  app.post('/api/hub/compute-requests', { schema: { tags, summary: 'A school requests compute: scenario, needs, models, period and volume', body: ComputeRequestInput, response: { 201: ComputeRequest } } }, async (req, reply) =>
    reply.code(201).send(await admin.submitComputeRequest(requirePrincipal(req), req.body)),
  );
  app.post('/api/hub/compute-requests/:id/decision', { schema: { tags, summary: 'Approve (provisions a monthly quota for the period) or reject a compute request', params: Id, body: ComputeDecision, response: { 200: ComputeRequest } } }, async (req) =>
    admin.decideComputeRequest(requirePrincipal(req), req.params.id, req.body),
  );

  // ------------------------------------------------------------ usage, statements, call log
  app.get('/api/hub/usage', { schema: { tags, summary: 'Usage per day and model, totals with latency percentiles, and per school (China time)', querystring: UsageQuery, response: { 200: Usage } } }, async (req) =>
    reports.usage(requirePrincipal(req), req.query),
  );
  app.get('/api/hub/statements', { schema: { tags, summary: 'Monthly pay-per-use statement per school and region node', querystring: Month, response: { 200: Statement } } }, async (req) =>
    reports.statement(requirePrincipal(req), req.query.month),
  );
  app.get('/api/hub/statements.xlsx', { schema: { tags, summary: 'The monthly statement as an Excel workbook', querystring: Month } }, async (req, reply) => {
    const buf = await reports.statementXlsx(requirePrincipal(req), req.query.month);
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="statement-${req.query.month}.xlsx"; filename*=UTF-8''${encodeURIComponent(`AI调用账单-${req.query.month}.xlsx`)}`)
      .send(buf);
  });
  app.get('/api/hub/calls', { schema: { tags, summary: 'The call log, newest first (metadata; contents are encrypted)', querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), before: z.coerce.number().int().positive().optional(), outcome: z.enum(['ok', 'error', 'blocked', 'refused']).optional(), model: z.string().min(1).max(128).optional() }), response: { 200: z.array(CallEntry) } } }, async (req) =>
    reports.calls(requirePrincipal(req), req.query),
  );
  app.get('/api/hub/calls/:id/content', { schema: { tags, summary: "Decrypt one call's stored (masked) contents; audited", params: z.object({ id: z.coerce.number().int().positive() }), response: { 200: z.object({ id: z.number().int(), content: z.unknown() }) } } }, async (req) =>
    reports.callContent(requirePrincipal(req), req.params.id),
  );

  // ------------------------------------------------------------ guardrails
  app.get('/api/hub/lexicon', { schema: { tags, summary: 'The content-safety lexicon', response: { 200: z.array(LexiconTerm) } } }, async (req) => admin.listLexicon(requirePrincipal(req)));
  app.post('/api/hub/lexicon', { schema: { tags, summary: 'Add lexicon terms (category, block or flag, grade bands)', body: LexiconInput, response: { 201: z.array(LexiconTerm) } } }, async (req, reply) =>
    reply.code(201).send(await admin.addLexicon(requirePrincipal(req), req.body)),
  );
  app.delete('/api/hub/lexicon/:id', { schema: { tags, summary: 'Remove a lexicon term', params: Id } }, async (req, reply) => {
    await admin.deleteLexicon(requirePrincipal(req), req.params.id);
    return reply.code(204).send();
  });
  app.get('/api/hub/policies', { schema: { tags, summary: 'Guardrail policy per grade band', response: { 200: z.array(Policy) } } }, async (req) => admin.listPolicies(requirePrincipal(req)));
  app.put('/api/hub/policies/:band', { schema: { tags, summary: 'Set the guardrails of a grade band: PII masking and restoring, lexicon scans, content retention', params: z.object({ band: GradeBand }), body: Policy.omit({ gradeBand: true }), response: { 200: Policy } } }, async (req) =>
    admin.putPolicy(requirePrincipal(req), req.params.band, req.body),
  );

  // ------------------------------------------------------------ the gateway (OpenAI-compatible)
  const v1 = ['gateway (OpenAI-compatible)'];
  const security = [{ apiKey: [] }];
  app.get('/v1/models', { logLevel: 'warn', schema: { tags: v1, security, summary: 'Models the key may call (approved for its school or region and grade band)' } }, (req, reply) => gateway.models(req, reply));
  app.post('/v1/chat/completions', { logLevel: 'warn', bodyLimit: 8 * 1024 * 1024, schema: { tags: v1, security, summary: 'Chat completion through the hub (stream: true for SSE). Approval, quota, guardrails, metering and logging apply.', body: ChatRequest } }, (req, reply) =>
    gateway.chat(req, reply),
  );
  app.post('/v1/embeddings', { logLevel: 'warn', bodyLimit: 8 * 1024 * 1024, schema: { tags: v1, security, summary: 'Embeddings through the hub', body: EmbeddingRequest } }, (req, reply) => gateway.embeddings(req, reply));
}
