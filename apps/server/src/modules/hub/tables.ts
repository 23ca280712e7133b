/**
 * Tables owned by the hub: the model registry, AI products and their review and approvals,
 * compute nodes, gateway keys, quotas, compute requests, the safety lexicon, guardrail policies
 * and the call log. Other modules never query them: they call the hub's index.ts.
 */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => Buffer.from(v),
});
const id = () => uuid('id').primaryKey().default(sql`gen_random_uuid()`);
const at = (name: string) => timestamp(name, { withTimezone: true });
const createdAt = () => at('created_at').notNull().defaultNow();

/** A model as callers name it in /v1 (`model`), with its price. Nodes serve it under their own upstream names. */
export const hubModels = pgTable(
  'hub_models',
  {
    id: id(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['chat', 'embedding'] }).notNull(),
    vendor: text('vendor').notNull(),
    description: text('description').notNull().default(''),
    /** Prices in 分 (0.01 元) per million tokens: integers, so statements add up exactly. */
    promptPrice: integer('prompt_price').notNull().default(0),
    completionPrice: integer('completion_price').notNull().default(0),
    contextTokens: integer('context_tokens').notNull().default(8192),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('hub_models_name_uq').on(t.name)],
);

/** A compute node: the provincial main node, a university sub-node, rented capacity. */
export const hubNodes = pgTable(
  'hub_nodes',
  {
    id: id(),
    name: text('name').notNull(),
    tier: text('tier', { enum: ['main', 'sub', 'rented'] }).notNull(),
    baseUrl: text('base_url').notNull(),
    /** The upstream's API key, AES-256-GCM encrypted; never returned by the API. */
    credentialEnc: bytea('credential_enc'),
    weight: integer('weight').notNull().default(1),
    maxConcurrency: integer('max_concurrency').notNull().default(16),
    enabled: boolean('enabled').notNull().default(true),
    status: text('status', { enum: ['unknown', 'up', 'down'] }).notNull().default('unknown'),
    lastCheckAt: at('last_check_at'),
    lastError: text('last_error'),
    latencyMs: integer('latency_ms'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('hub_nodes_name_uq').on(t.name)],
);

export const hubNodeModels = pgTable(
  'hub_node_models',
  {
    nodeId: uuid('node_id')
      .notNull()
      .references(() => hubNodes.id, { onDelete: 'cascade' }),
    modelId: uuid('model_id')
      .notNull()
      .references(() => hubModels.id),
    upstreamModel: text('upstream_model').notNull(),
  },
  (t) => [primaryKey({ columns: [t.nodeId, t.modelId] })],
);

/** An AI product registered (备案) for use in schools: a model, an agent or a third-party app. */
export const hubProducts = pgTable('hub_products', {
  id: id(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['model', 'agent', 'app'] }).notNull(),
  /** For kind = model: the registry model it puts into service. */
  modelId: uuid('model_id').references(() => hubModels.id),
  vendor: text('vendor').notNull(),
  purpose: text('purpose').notNull(),
  dataTouched: jsonb('data_touched').$type<string[]>().notNull(),
  gradeBands: jsonb('grade_bands').$type<string[]>().notNull(),
  evidence: text('evidence').notNull().default(''),
  status: text('status', { enum: ['submitted', 'approved', 'rejected', 'changes_requested', 'revoked'] }).notNull(),
  registeredBy: uuid('registered_by').notNull(),
  createdAt: createdAt(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/** A reviewer's decision against the checklist. */
export const hubReviews = pgTable(
  'hub_reviews',
  {
    id: id(),
    productId: uuid('product_id')
      .notNull()
      .references(() => hubProducts.id),
    reviewerId: uuid('reviewer_id').notNull(),
    decision: text('decision', { enum: ['approve', 'reject', 'changes_requested'] }).notNull(),
    checklist: jsonb('checklist').$type<Record<string, { pass: boolean; note: string }>>().notNull(),
    comment: text('comment').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [index('hub_reviews_product_idx').on(t.productId)],
);

/** What an approval allows: regions (every school under them) and schools, for some grade bands, until it expires or is revoked. */
export const hubApprovals = pgTable(
  'hub_approvals',
  {
    id: id(),
    productId: uuid('product_id')
      .notNull()
      .references(() => hubProducts.id),
    reviewId: uuid('review_id').notNull(),
    regionIds: jsonb('region_ids').$type<string[]>().notNull(),
    schoolIds: jsonb('school_ids').$type<string[]>().notNull(),
    gradeBands: jsonb('grade_bands').$type<string[]>().notNull(),
    expiresAt: at('expires_at'),
    revokedAt: at('revoked_at'),
    revokedBy: uuid('revoked_by'),
    revokeReason: text('revoke_reason'),
    createdAt: createdAt(),
  },
  (t) => [index('hub_approvals_product_idx').on(t.productId)],
);

/** A gateway key (Authorization: Bearer zg_…) issued to a school, a region node or a platform module. */
export const hubKeys = pgTable(
  'hub_keys',
  {
    id: id(),
    name: text('name').notNull(),
    ownerType: text('owner_type', { enum: ['school', 'region', 'module'] }).notNull(),
    /** School or region id; null for a module. */
    ownerId: uuid('owner_id'),
    /** The school/region an owner belongs under, as a region path ("/p/c/k/"), for approval scope. */
    regionPath: text('region_path').notNull(),
    module: text('module'),
    /** The app product this key is for (its approval is checked too); null for a school's own use. */
    productId: uuid('product_id').references(() => hubProducts.id),
    gradeBand: text('grade_band', { enum: ['primary', 'junior', 'senior', 'adult'] }).notNull(),
    /** Model names the key may call; null = every model approved for its scope. */
    models: jsonb('models').$type<string[] | null>(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    expiresAt: at('expires_at'),
    revokedAt: at('revoked_at'),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('hub_keys_hash_uq').on(t.keyHash)],
);

/** A limit on a school, a product (app) or a key: tokens per period and requests per minute. */
export const hubQuotas = pgTable(
  'hub_quotas',
  {
    id: id(),
    subjectType: text('subject_type', { enum: ['school', 'product', 'key', 'region'] }).notNull(),
    subjectId: uuid('subject_id').notNull(),
    period: text('period', { enum: ['day', 'month'] }).notNull(),
    tokenLimit: bigint('token_limit', { mode: 'number' }),
    rpm: integer('rpm'),
    /** Set when an approved compute request provisioned the quota. */
    requestId: uuid('request_id'),
    startsAt: at('starts_at'),
    endsAt: at('ends_at'),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
  },
  (t) => [index('hub_quotas_subject_idx').on(t.subjectType, t.subjectId)],
);

/** 算力资源申请: a school's request for compute, approved into a quota. */
export const hubComputeRequests = pgTable('hub_compute_requests', {
  id: id(),
  schoolId: uuid('school_id').notNull(),
  requesterId: uuid('requester_id').notNull(),
  scenario: text('scenario').notNull(),
  needs: text('needs').notNull(),
  modelIds: jsonb('model_ids').$type<string[]>().notNull(),
  startsOn: text('starts_on').notNull(),
  days: integer('days').notNull(),
  monthlyTokens: bigint('monthly_tokens', { mode: 'number' }).notNull(),
  rpm: integer('rpm').notNull(),
  status: text('status', { enum: ['submitted', 'approved', 'rejected'] }).notNull().default('submitted'),
  decidedBy: uuid('decided_by'),
  decidedAt: at('decided_at'),
  decisionComment: text('decision_comment'),
  quotaId: uuid('quota_id'),
  createdAt: createdAt(),
});

/** Content-safety terms, matched in prompts and replies by one Aho–Corasick automaton. */
export const hubLexicon = pgTable(
  'hub_lexicon',
  {
    id: id(),
    term: text('term').notNull(),
    category: text('category').notNull(),
    action: text('action', { enum: ['block', 'flag'] }).notNull(),
    gradeBands: jsonb('grade_bands').$type<string[] | null>(),
    createdAt: createdAt(),
  },
  (t) => [index('hub_lexicon_term_idx').on(t.term)],
);

/** Guardrails per grade band. */
export const hubPolicies = pgTable('hub_policies', {
  gradeBand: text('grade_band').primaryKey(),
  maskPii: boolean('mask_pii').notNull().default(true),
  restorePii: boolean('restore_pii').notNull().default(true),
  scanInput: boolean('scan_input').notNull().default(true),
  scanOutput: boolean('scan_output').notNull().default(true),
  retentionDays: integer('retention_days').notNull().default(180),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/** One row per gateway call: who, which app, model, node, tokens, cost, latency, guardrails; contents encrypted. */
export const hubCalls = pgTable(
  'hub_calls',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: at('at').notNull(),
    keyId: uuid('key_id').notNull(),
    ownerType: text('owner_type').notNull(),
    schoolId: uuid('school_id'),
    regionPath: text('region_path').notNull(),
    productId: uuid('product_id'),
    modelId: uuid('model_id'),
    modelName: text('model_name').notNull(),
    nodeId: uuid('node_id'),
    endpoint: text('endpoint').notNull(),
    stream: boolean('stream').notNull().default(false),
    status: integer('status').notNull(),
    outcome: text('outcome', { enum: ['ok', 'error', 'blocked', 'refused'] }).notNull(),
    errorCode: text('error_code'),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    usageEstimated: boolean('usage_estimated').notNull().default(false),
    /** 分 × 10⁻⁶ (micro-fen) so that sums are exact integers. */
    costMicroFen: bigint('cost_micro_fen', { mode: 'number' }).notNull().default(0),
    latencyMs: integer('latency_ms').notNull(),
    attempts: integer('attempts').notNull().default(1),
    guardrails: jsonb('guardrails').$type<Record<string, unknown>>().notNull(),
    /** AES-256-GCM (iv | tag | ciphertext), base64: text, so batched inserts need no bytea encoding. */
    contentEnc: text('content_enc'),
    retainUntil: at('retain_until'),
    /** The platform user the call was made for (the request's OpenAI `user` field when it is a user id): AI-use statistics. */
    userId: uuid('user_id'),
  },
  (t) => [index('hub_calls_at_idx').on(t.at), index('hub_calls_school_idx').on(t.schoolId, t.at), index('hub_calls_key_idx').on(t.keyId, t.at)],
);
