/** API shapes of the hub (registry, review, nodes, keys, quotas, usage, statements, compute requests, guardrails). */
import { z } from 'zod';

export const GRADE_BANDS = ['primary', 'junior', 'senior', 'adult'] as const;
export const GradeBand = z.enum(GRADE_BANDS);
/** The review checklist every decision answers (seed 000/002: data handling, content safety, age suitability, evaluation evidence). */
export const CHECKLIST = ['data_handling', 'content_safety', 'age_suitability', 'evaluation_evidence'] as const;
const Iso = z.string();
const Name = z.string().trim().min(1).max(120);

export const Model = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['chat', 'embedding']),
  vendor: z.string(),
  description: z.string(),
  /** 分 per million tokens. */
  promptPrice: z.number().int(),
  completionPrice: z.number().int(),
  contextTokens: z.number().int(),
  /** Whether an approved model product currently puts it into service somewhere. */
  approved: z.boolean(),
  nodes: z.number().int(),
});
export const ModelInput = z.object({
  name: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, 'letters, digits and . _ : / - (what callers put in `model`)'),
  kind: z.enum(['chat', 'embedding']).default('chat'),
  vendor: Name,
  description: z.string().max(2000).default(''),
  promptPrice: z.number().int().min(0).max(100_000_000),
  completionPrice: z.number().int().min(0).max(100_000_000),
  contextTokens: z.number().int().min(256).max(10_000_000).default(8192),
});
export const ModelPatch = ModelInput.omit({ name: true, kind: true }).partial();

export const NodeModel = z.object({ modelId: z.string().uuid(), upstreamModel: z.string().trim().min(1).max(200) });
export const Node = z.object({
  id: z.string(),
  name: z.string(),
  tier: z.enum(['main', 'sub', 'rented']),
  baseUrl: z.string(),
  /** Whether an upstream key is stored (the key itself is never returned). */
  hasCredential: z.boolean(),
  weight: z.number().int(),
  maxConcurrency: z.number().int(),
  enabled: z.boolean(),
  status: z.enum(['unknown', 'up', 'down']),
  lastCheckAt: Iso.nullable(),
  lastError: z.string().nullable(),
  latencyMs: z.number().int().nullable(),
  /** Live, from this process's scheduler. */
  outstanding: z.number().int(),
  breaker: z.enum(['closed', 'open', 'half_open']),
  models: z.array(NodeModel.extend({ modelName: z.string() })),
});
export const NodeInput = z.object({
  name: Name,
  tier: z.enum(['main', 'sub', 'rented']),
  baseUrl: z.string().url().max(500),
  apiKey: z.string().max(500).optional(),
  weight: z.number().int().min(1).max(1000).default(1),
  maxConcurrency: z.number().int().min(1).max(10_000).default(16),
  enabled: z.boolean().default(true),
  models: z.array(NodeModel).max(200),
});
export const NodePatch = NodeInput.partial().extend({ apiKey: z.string().max(500).nullable().optional() });

export const ChecklistEntry = z.object({ pass: z.boolean(), note: z.string().max(2000).default('') });
export const Checklist = z.object(Object.fromEntries(CHECKLIST.map((k) => [k, ChecklistEntry])) as Record<(typeof CHECKLIST)[number], typeof ChecklistEntry>);

export const ApprovalScope = z.object({
  regionIds: z.array(z.string().uuid()).max(500).default([]),
  schoolIds: z.array(z.string().uuid()).max(5000).default([]),
  gradeBands: z.array(GradeBand).min(1),
  expiresAt: Iso.datetime({ offset: true }).nullable().default(null),
});
export const Approval = z.object({
  id: z.string(),
  productId: z.string(),
  regionIds: z.array(z.string()),
  schoolIds: z.array(z.string()),
  /** Names of the regions and schools, for display. */
  scopeNames: z.array(z.string()),
  gradeBands: z.array(z.string()),
  expiresAt: Iso.nullable(),
  revokedAt: Iso.nullable(),
  revokeReason: z.string().nullable(),
  state: z.enum(['active', 'expired', 'revoked']),
  createdAt: Iso,
});
export const Review = z.object({
  id: z.string(),
  reviewer: z.string(),
  decision: z.enum(['approve', 'reject', 'changes_requested']),
  checklist: z.record(z.string(), ChecklistEntry),
  comment: z.string(),
  createdAt: Iso,
});
export const ProductStatus = z.enum(['submitted', 'approved', 'rejected', 'changes_requested', 'revoked']);
export const Product = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['model', 'agent', 'app']),
  modelId: z.string().nullable(),
  modelName: z.string().nullable(),
  vendor: z.string(),
  purpose: z.string(),
  dataTouched: z.array(z.string()),
  gradeBands: z.array(z.string()),
  evidence: z.string(),
  status: ProductStatus,
  registeredBy: z.string(),
  createdAt: Iso,
  updatedAt: Iso,
  activeApprovals: z.number().int(),
});
export const ProductDetail = Product.extend({ reviews: z.array(Review), approvals: z.array(Approval) });
export const ProductInput = z
  .object({
    name: Name,
    kind: z.enum(['model', 'agent', 'app']),
    modelId: z.string().uuid().nullable().default(null),
    vendor: Name,
    purpose: z.string().trim().min(1).max(4000),
    /** What personal data it touches, e.g. 学生作答, 姓名, 成绩. */
    dataTouched: z.array(z.string().trim().min(1).max(60)).max(50),
    gradeBands: z.array(GradeBand).min(1),
    evidence: z.string().max(20_000).default(''),
  })
  .refine((p) => (p.kind === 'model') === (p.modelId !== null), { message: 'a model product names its registry model; others do not', path: ['modelId'] });
export const ReviewInput = z.object({
  decision: z.enum(['approve', 'reject', 'changes_requested']),
  checklist: Checklist,
  comment: z.string().max(4000).default(''),
  /** Required to approve. */
  scope: ApprovalScope.optional(),
});
export const RevokeInput = z.object({ reason: z.string().trim().min(1).max(1000) });

export const KeyInfo = z.object({
  id: z.string(),
  name: z.string(),
  ownerType: z.enum(['school', 'region', 'module']),
  ownerId: z.string().nullable(),
  ownerName: z.string(),
  module: z.string().nullable(),
  productId: z.string().nullable(),
  productName: z.string().nullable(),
  gradeBand: GradeBand,
  models: z.array(z.string()).nullable(),
  prefix: z.string(),
  expiresAt: Iso.nullable(),
  revokedAt: Iso.nullable(),
  createdAt: Iso,
});
export const KeyInput = z
  .object({
    name: Name,
    ownerType: z.enum(['school', 'region', 'module']),
    ownerId: z.string().uuid().nullable().default(null),
    module: z.string().regex(/^[a-z][a-z0-9_-]{1,31}$/).nullable().default(null),
    productId: z.string().uuid().nullable().default(null),
    gradeBand: GradeBand,
    models: z.array(z.string().min(1).max(64)).max(100).nullable().default(null),
    expiresAt: Iso.datetime({ offset: true }).nullable().default(null),
  })
  .refine((k) => (k.ownerType === 'module' ? k.module !== null && k.ownerId === null : k.ownerId !== null && k.module === null), {
    message: 'a school or region key names its owner; a module key names the module',
    path: ['ownerId'],
  });
export const KeyCreated = KeyInfo.extend({ key: z.string() });

export const Quota = z.object({
  id: z.string(),
  subjectType: z.enum(['school', 'product', 'key', 'region']),
  subjectId: z.string(),
  subjectName: z.string(),
  period: z.enum(['day', 'month']),
  tokenLimit: z.number().int().nullable(),
  rpm: z.number().int().nullable(),
  requestId: z.string().nullable(),
  startsAt: Iso.nullable(),
  endsAt: Iso.nullable(),
  /** Tokens used in the current period (live). */
  used: z.number().int(),
});
export const QuotaInput = z
  .object({
    subjectType: z.enum(['school', 'product', 'key', 'region']),
    subjectId: z.string().uuid(),
    period: z.enum(['day', 'month']),
    tokenLimit: z.number().int().min(0).max(1e13).nullable().default(null),
    rpm: z.number().int().min(1).max(1_000_000).nullable().default(null),
  })
  .refine((q) => q.tokenLimit !== null || q.rpm !== null, { message: 'a quota limits tokens, requests per minute, or both', path: ['tokenLimit'] });

export const ComputeRequest = z.object({
  id: z.string(),
  schoolId: z.string(),
  schoolName: z.string(),
  requester: z.string(),
  scenario: z.string(),
  needs: z.string(),
  modelIds: z.array(z.string()),
  startsOn: z.string(),
  days: z.number().int(),
  monthlyTokens: z.number().int(),
  rpm: z.number().int(),
  status: z.enum(['submitted', 'approved', 'rejected']),
  decidedBy: z.string().nullable(),
  decidedAt: Iso.nullable(),
  decisionComment: z.string().nullable(),
  quotaId: z.string().nullable(),
  /** Usage by the school since the request started (tokens, calls). */
  usage: z.object({ tokens: z.number().int(), calls: z.number().int() }),
  createdAt: Iso,
});
export const ComputeRequestInput = z.object({
  schoolId: z.string().uuid(),
  scenario: z.string().trim().min(1).max(200),
  needs: z.string().trim().min(1).max(4000),
  modelIds: z.array(z.string().uuid()).min(1).max(20),
  startsOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  days: z.number().int().min(1).max(3650),
  monthlyTokens: z.number().int().min(1000).max(1e12),
  rpm: z.number().int().min(1).max(100_000),
});
export const ComputeDecision = z.object({ approve: z.boolean(), comment: z.string().max(2000).default('') });

export const UsageQuery = z.object({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  schoolId: z.string().uuid().optional(),
});
export const UsageRow = z.object({ day: z.string(), model: z.string(), calls: z.number().int(), promptTokens: z.number().int(), completionTokens: z.number().int(), costFen: z.number(), blocked: z.number().int(), errors: z.number().int() });
export const Usage = z.object({
  from: z.string(),
  to: z.string(),
  rows: z.array(UsageRow),
  totals: z.object({ calls: z.number().int(), promptTokens: z.number().int(), completionTokens: z.number().int(), costFen: z.number(), p50LatencyMs: z.number().nullable(), p95LatencyMs: z.number().nullable() }),
  bySchool: z.array(z.object({ schoolId: z.string().nullable(), name: z.string(), calls: z.number().int(), tokens: z.number().int(), costFen: z.number() })),
});

export const StatementLine = z.object({
  schoolId: z.string().nullable(),
  name: z.string(),
  regionName: z.string(),
  model: z.string(),
  calls: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  /** 分, exact (sum of calls' micro-fen / 10⁶, rounded once at the end). */
  costFen: z.number(),
});
export const Statement = z.object({
  month: z.string(),
  lines: z.array(StatementLine),
  byRegion: z.array(z.object({ regionId: z.string(), name: z.string(), level: z.string(), calls: z.number().int(), tokens: z.number().int(), costFen: z.number() })),
  total: z.object({ calls: z.number().int(), tokens: z.number().int(), costFen: z.number() }),
});

export const CallEntry = z.object({
  id: z.number().int(),
  at: Iso,
  keyId: z.string(),
  keyName: z.string(),
  owner: z.string(),
  product: z.string().nullable(),
  model: z.string(),
  node: z.string().nullable(),
  endpoint: z.string(),
  stream: z.boolean(),
  status: z.number().int(),
  outcome: z.enum(['ok', 'error', 'blocked', 'refused']),
  errorCode: z.string().nullable(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  usageEstimated: z.boolean(),
  costFen: z.number(),
  latencyMs: z.number().int(),
  attempts: z.number().int(),
  guardrails: z.record(z.string(), z.unknown()),
  hasContent: z.boolean(),
});

export const LexiconTerm = z.object({
  id: z.string(),
  term: z.string(),
  category: z.string(),
  action: z.enum(['block', 'flag']),
  gradeBands: z.array(z.string()).nullable(),
});
export const LexiconInput = z.object({
  terms: z
    .array(z.object({ term: z.string().trim().min(1).max(100), category: z.string().trim().min(1).max(40), action: z.enum(['block', 'flag']), gradeBands: z.array(GradeBand).nullable().default(null) }))
    .min(1)
    .max(10_000),
});
export const Policy = z.object({
  gradeBand: GradeBand,
  maskPii: z.boolean(),
  restorePii: z.boolean(),
  scanInput: z.boolean(),
  scanOutput: z.boolean(),
  retentionDays: z.number().int().min(1).max(3650),
});

export const ScopeTree = z.object({
  regions: z.array(z.object({ id: z.string(), parentId: z.string().nullable(), name: z.string(), level: z.string() })),
  schools: z.array(z.object({ id: z.string(), regionId: z.string(), name: z.string() })),
});

/** Chat completion request: validated for what the gateway needs; every other OpenAI field passes through unchanged. */
const Part = z.looseObject({ type: z.string() });
export const ChatMessage = z.looseObject({
  role: z.string().min(1).max(32),
  content: z.union([z.string(), z.array(Part), z.null()]).optional(),
});
export const ChatRequest = z.looseObject({
  model: z.string().min(1).max(128),
  messages: z.array(ChatMessage).min(1).max(1000),
  stream: z.boolean().optional(),
});
export const EmbeddingRequest = z.looseObject({
  model: z.string().min(1).max(128),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048), z.array(z.number()), z.array(z.array(z.number()))]),
});
