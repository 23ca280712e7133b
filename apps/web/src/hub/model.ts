/**
 * Types of the hub API (mirroring apps/server/src/modules/hub/schema.ts, names kept identical so
 * they can later be swapped for z.infer imports) and the pure helpers the hub pages share:
 * money and token formatting, the region/school tree for pickers, the usage chart pivot, the
 * lexicon bulk-input parser and the guardrail summary of a call.
 */
import type { Lang } from '@zhijiao/server/api-types';

export const GRADE_BANDS = ['primary', 'junior', 'senior', 'adult'] as const;
export type GradeBand = (typeof GRADE_BANDS)[number];
export const CHECKLIST = ['data_handling', 'content_safety', 'age_suitability', 'evaluation_evidence'] as const;
export type ChecklistKey = (typeof CHECKLIST)[number];

export interface Model {
  id: string;
  name: string;
  kind: 'chat' | 'embedding';
  vendor: string;
  description: string;
  /** 分 per million tokens. */
  promptPrice: number;
  completionPrice: number;
  contextTokens: number;
  /** Whether an approved model product currently puts it into service somewhere. */
  approved: boolean;
  nodes: number;
}
export interface ModelInput {
  name: string;
  kind?: 'chat' | 'embedding';
  vendor: string;
  description?: string;
  promptPrice: number;
  completionPrice: number;
  contextTokens?: number;
}
export type ModelPatch = Partial<Omit<ModelInput, 'name' | 'kind'>>;

export interface NodeModel {
  modelId: string;
  upstreamModel: string;
}
export type NodeTier = 'main' | 'sub' | 'rented';
export type NodeStatus = 'unknown' | 'up' | 'down';
export type BreakerState = 'closed' | 'open' | 'half_open';
export interface Node {
  id: string;
  name: string;
  tier: NodeTier;
  baseUrl: string;
  /** Whether an upstream key is stored (the key itself is never returned). */
  hasCredential: boolean;
  weight: number;
  maxConcurrency: number;
  enabled: boolean;
  status: NodeStatus;
  lastCheckAt: string | null;
  lastError: string | null;
  latencyMs: number | null;
  /** Live, from the server's scheduler. */
  outstanding: number;
  breaker: BreakerState;
  models: (NodeModel & { modelName: string })[];
}
export interface NodeInput {
  name: string;
  tier: NodeTier;
  baseUrl: string;
  apiKey?: string;
  weight?: number;
  maxConcurrency?: number;
  enabled?: boolean;
  models: NodeModel[];
}
export type NodePatch = Partial<Omit<NodeInput, 'apiKey'>> & { apiKey?: string | null };

export interface ChecklistEntry {
  pass: boolean;
  note: string;
}
export type Checklist = Record<ChecklistKey, ChecklistEntry>;

export interface ApprovalScope {
  regionIds: string[];
  schoolIds: string[];
  gradeBands: GradeBand[];
  expiresAt: string | null;
}
export type ApprovalState = 'active' | 'expired' | 'revoked';
export interface Approval {
  id: string;
  productId: string;
  regionIds: string[];
  schoolIds: string[];
  /** Names of the regions and schools, for display. */
  scopeNames: string[];
  gradeBands: string[];
  expiresAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  state: ApprovalState;
  createdAt: string;
}
export type Decision = 'approve' | 'reject' | 'changes_requested';
export interface Review {
  id: string;
  reviewer: string;
  decision: Decision;
  checklist: Record<string, ChecklistEntry>;
  comment: string;
  createdAt: string;
}
export const PRODUCT_STATUSES = ['submitted', 'approved', 'changes_requested', 'rejected', 'revoked'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];
export type ProductKind = 'model' | 'agent' | 'app';
export interface Product {
  id: string;
  name: string;
  kind: ProductKind;
  modelId: string | null;
  modelName: string | null;
  vendor: string;
  purpose: string;
  dataTouched: string[];
  gradeBands: string[];
  evidence: string;
  status: ProductStatus;
  registeredBy: string;
  createdAt: string;
  updatedAt: string;
  activeApprovals: number;
}
export interface ProductDetail extends Product {
  reviews: Review[];
  approvals: Approval[];
}
export interface ProductInput {
  name: string;
  kind: ProductKind;
  modelId: string | null;
  vendor: string;
  purpose: string;
  dataTouched: string[];
  gradeBands: GradeBand[];
  evidence: string;
}
export interface ReviewInput {
  decision: Decision;
  checklist: Checklist;
  comment: string;
  /** Required to approve. */
  scope?: ApprovalScope;
}
export interface RevokeInput {
  reason: string;
}

export type KeyOwnerType = 'school' | 'region' | 'module';
export interface KeyInfo {
  id: string;
  name: string;
  ownerType: KeyOwnerType;
  ownerId: string | null;
  ownerName: string;
  module: string | null;
  productId: string | null;
  productName: string | null;
  gradeBand: GradeBand;
  models: string[] | null;
  prefix: string;
  expiresAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}
export interface KeyInput {
  name: string;
  ownerType: KeyOwnerType;
  ownerId: string | null;
  module: string | null;
  productId: string | null;
  gradeBand: GradeBand;
  models: string[] | null;
  expiresAt: string | null;
}
export interface KeyCreated extends KeyInfo {
  key: string;
}

export type QuotaSubject = 'school' | 'product' | 'key' | 'region';
export interface Quota {
  id: string;
  subjectType: QuotaSubject;
  subjectId: string;
  subjectName: string;
  period: 'day' | 'month';
  tokenLimit: number | null;
  rpm: number | null;
  requestId: string | null;
  startsAt: string | null;
  endsAt: string | null;
  /** Tokens used in the current period (live). */
  used: number;
}
export interface QuotaInput {
  subjectType: QuotaSubject;
  subjectId: string;
  period: 'day' | 'month';
  tokenLimit: number | null;
  rpm: number | null;
}

export type ComputeStatus = 'submitted' | 'approved' | 'rejected';
export interface ComputeRequest {
  id: string;
  schoolId: string;
  schoolName: string;
  requester: string;
  scenario: string;
  needs: string;
  modelIds: string[];
  startsOn: string;
  days: number;
  monthlyTokens: number;
  rpm: number;
  status: ComputeStatus;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionComment: string | null;
  quotaId: string | null;
  /** Usage by the school since the request started. */
  usage: { tokens: number; calls: number };
  createdAt: string;
}
export interface ComputeRequestInput {
  schoolId: string;
  scenario: string;
  needs: string;
  modelIds: string[];
  startsOn: string;
  days: number;
  monthlyTokens: number;
  rpm: number;
}
export interface ComputeDecision {
  approve: boolean;
  comment: string;
}

export interface UsageRow {
  day: string;
  model: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costFen: number;
  blocked: number;
  errors: number;
}
export interface Usage {
  from: string;
  to: string;
  rows: UsageRow[];
  totals: { calls: number; promptTokens: number; completionTokens: number; costFen: number; p50LatencyMs: number | null; p95LatencyMs: number | null };
  bySchool: { schoolId: string | null; name: string; calls: number; tokens: number; costFen: number }[];
}

export interface StatementLine {
  schoolId: string | null;
  name: string;
  regionName: string;
  model: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** 分, exact. */
  costFen: number;
}
export interface Statement {
  month: string;
  lines: StatementLine[];
  byRegion: { regionId: string; name: string; level: string; calls: number; tokens: number; costFen: number }[];
  total: { calls: number; tokens: number; costFen: number };
}

export type CallOutcome = 'ok' | 'error' | 'blocked' | 'refused';
export interface CallEntry {
  id: number;
  at: string;
  keyId: string;
  keyName: string;
  owner: string;
  product: string | null;
  model: string;
  node: string | null;
  endpoint: string;
  stream: boolean;
  status: number;
  outcome: CallOutcome;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  usageEstimated: boolean;
  costFen: number;
  latencyMs: number;
  attempts: number;
  guardrails: Record<string, unknown>;
  hasContent: boolean;
}

export type LexiconAction = 'block' | 'flag';
export interface LexiconTerm {
  id: string;
  term: string;
  category: string;
  action: LexiconAction;
  gradeBands: string[] | null;
}
export interface LexiconInput {
  terms: { term: string; category: string; action: LexiconAction; gradeBands: GradeBand[] | null }[];
}
export interface Policy {
  gradeBand: GradeBand;
  maskPii: boolean;
  restorePii: boolean;
  scanInput: boolean;
  scanOutput: boolean;
  retentionDays: number;
}

export interface ScopeRegion {
  id: string;
  parentId: string | null;
  name: string;
  level: string;
}
export interface ScopeSchool {
  id: string;
  regionId: string;
  name: string;
}
export interface ScopeTree {
  regions: ScopeRegion[];
  schools: ScopeSchool[];
}

// ---------------------------------------------------------------- formatting

const locale = (lang: Lang) => (lang === 'zh-CN' ? 'zh-CN' : 'en-US');

/** 分 → "1,234.56" (元, two decimals unless told: a single call may cost far less than 0.01 元). */
export function fenToYuan(fen: number, lang: Lang, digits = 2): string {
  return new Intl.NumberFormat(locale(lang), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(fen / 100);
}

/** 元 typed in a form → integer 分 (prices are stored in 分). */
export function yuanToFen(yuan: number): number {
  return Math.round(yuan * 100);
}

/** An integer with thousands separators. */
export function formatInt(n: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: 0 }).format(n);
}

/** A large count in short form: 1.2万 / 3.4亿 in Chinese, 12K / 3.4M in English. */
export function formatCompact(n: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang), { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** Used ÷ limit as a percentage for a progress bar (0 when there is no limit). */
export function percentOf(used: number, limit: number | null | undefined): number {
  if (!limit || limit <= 0) return 0;
  return Math.round((used / limit) * 1000) / 10;
}

// ---------------------------------------------------------------- region/school tree

export interface ScopeTreeNode {
  /** "r:<id>" for a region, "s:<id>" for a school. */
  value: string;
  key: string;
  title: string;
  selectable?: boolean;
  checkable?: boolean;
  disabled?: boolean;
  isLeaf?: boolean;
  children?: ScopeTreeNode[];
}

export const regionValue = (id: string) => `r:${id}`;
export const schoolValue = (id: string) => `s:${id}`;

/** Splits tree-select values back into region and school ids. */
export function splitScopeValues(values: readonly string[]): { regionIds: string[]; schoolIds: string[] } {
  const regionIds: string[] = [];
  const schoolIds: string[] = [];
  for (const v of values) {
    if (v.startsWith('r:')) regionIds.push(v.slice(2));
    else if (v.startsWith('s:')) schoolIds.push(v.slice(2));
  }
  return { regionIds, schoolIds };
}

/**
 * TreeSelect data from the scope tree: regions nested by parent (a region whose parent the caller
 * cannot see becomes a root), schools as leaves under their region (or as roots when their region
 * is not visible, e.g. for a school administrator).
 * - mixed: regions and schools are both choosable;
 * - school: only schools (regions just group them, branches without schools are dropped);
 * - region: only regions (no schools).
 */
export function scopeTreeData(tree: ScopeTree, mode: 'mixed' | 'school' | 'region', regionTitle: (r: ScopeRegion) => string = (r) => r.name): ScopeTreeNode[] {
  const ids = new Set(tree.regions.map((r) => r.id));
  const childRegions = new Map<string | null, ScopeRegion[]>();
  for (const r of tree.regions) {
    const parent = r.parentId && ids.has(r.parentId) ? r.parentId : null;
    childRegions.set(parent, [...(childRegions.get(parent) ?? []), r]);
  }
  const schoolsOf = new Map<string | null, ScopeSchool[]>();
  if (mode !== 'region') {
    for (const s of tree.schools) {
      const parent = ids.has(s.regionId) ? s.regionId : null;
      schoolsOf.set(parent, [...(schoolsOf.get(parent) ?? []), s]);
    }
  }
  const schoolNode = (s: ScopeSchool): ScopeTreeNode => ({ value: schoolValue(s.id), key: schoolValue(s.id), title: s.name, isLeaf: true });
  const build = (parent: string | null): ScopeTreeNode[] => {
    const out: ScopeTreeNode[] = [];
    for (const r of childRegions.get(parent) ?? []) {
      const children = [...build(r.id), ...(schoolsOf.get(r.id) ?? []).map(schoolNode)];
      if (mode === 'school' && children.length === 0) continue;
      const node: ScopeTreeNode = { value: regionValue(r.id), key: regionValue(r.id), title: regionTitle(r) };
      if (mode === 'school') {
        node.selectable = false;
        node.checkable = false;
      }
      if (children.length) node.children = children;
      else node.isLeaf = true;
      out.push(node);
    }
    if (parent === null) out.push(...(schoolsOf.get(null) ?? []).map(schoolNode));
    return out;
  };
  return build(null);
}

/** Every node's value of a tree (for "expand all" of small trees). */
export function treeValues(nodes: ScopeTreeNode[]): string[] {
  return nodes.flatMap((n) => [n.value, ...treeValues(n.children ?? [])]);
}

// ---------------------------------------------------------------- dates

/**
 * Today's date in China time (YYYY-MM-DD): the server counts usage days and statement months in
 * China time, so "the last 30 days" and "this month" must not follow a browser set to another zone.
 */
export function chinaToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

// ---------------------------------------------------------------- usage chart

/** The days from..to inclusive as YYYY-MM-DD (calendar days, no time zone shifts). */
export function dayRange(from: string, to: string): string[] {
  const out: string[] = [];
  const d = new Date(`${from.slice(0, 10)}T00:00:00Z`);
  const end = new Date(`${to.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || Number.isNaN(end.getTime())) return out;
  while (d <= end && out.length < 3700) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** Usage rows (day × model) pivoted for the chart: every day of the range, tokens per model, calls per day. */
export function usageSeries(u: Usage): { days: string[]; models: string[]; tokens: Record<string, number[]>; calls: number[]; blocked: number[]; errors: number[] } {
  const days = dayRange(u.from, u.to);
  const index = new Map(days.map((d, i) => [d, i]));
  const models = [...new Set(u.rows.map((r) => r.model))].sort();
  const tokens: Record<string, number[]> = Object.fromEntries(models.map((m) => [m, days.map(() => 0)]));
  const calls = days.map(() => 0);
  const blocked = days.map(() => 0);
  const errors = days.map(() => 0);
  for (const r of u.rows) {
    const i = index.get(r.day.slice(0, 10));
    if (i === undefined) continue;
    tokens[r.model]![i]! += r.promptTokens + r.completionTokens;
    calls[i]! += r.calls;
    blocked[i]! += r.blocked;
    errors[i]! += r.errors;
  }
  return { days, models, tokens, calls, blocked, errors };
}

// ---------------------------------------------------------------- lexicon bulk input

export interface ParsedLexicon {
  terms: { term: string; category: string; action: LexiconAction }[];
  errors: { line: number; text: string }[];
}

const ACTION_WORDS: Record<string, LexiconAction> = { block: 'block', flag: 'flag', 拦截: 'block', 阻断: 'block', 标记: 'flag' };

/**
 * One term per line: `词语,类别,block|flag` (ASCII or Chinese commas, or tabs as pasted from a
 * spreadsheet; 拦截/标记 accepted for the action). Blank lines and lines starting with # are
 * skipped; anything else that does not fit is reported by line number. Duplicates keep the first.
 */
export function parseLexicon(text: string): ParsedLexicon {
  const terms: ParsedLexicon['terms'] = [];
  const errors: ParsedLexicon['errors'] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const parts = line.split(/[,，\t]/).map((p) => p.trim());
    const [term, category, actionWord] = parts;
    const action = ACTION_WORDS[(actionWord ?? '').toLowerCase()];
    if (parts.length !== 3 || !term || !category || !action || term.length > 100 || category.length > 40) {
      errors.push({ line: i + 1, text: raw });
      return;
    }
    if (seen.has(term)) return;
    seen.add(term);
    terms.push({ term, category, action });
  });
  return { terms, errors };
}

// ---------------------------------------------------------------- guardrails of a call

export interface GuardrailFact {
  /** Dotted path in the call's guardrails record, e.g. "pii.phone". */
  key: string;
  /** Count, or the text of a non-numeric value. */
  value: string;
  /** A count of zero, or false: nothing happened. */
  empty: boolean;
}

/**
 * Flattens a call's guardrails record (its shape is open in the API: z.record(unknown)) into facts
 * to show as tags: numbers and booleans as they are, arrays as their length (or joined when they
 * are short strings), nested objects one level deep with dotted keys.
 */
export function guardrailFacts(g: Record<string, unknown> | null | undefined): GuardrailFact[] {
  const out: GuardrailFact[] = [];
  const visit = (key: string, v: unknown, depth: number) => {
    if (v === null || v === undefined) return;
    if (typeof v === 'number') out.push({ key, value: String(v), empty: v === 0 });
    else if (typeof v === 'boolean') out.push({ key, value: v ? '✓' : '✗', empty: !v });
    else if (typeof v === 'string') out.push({ key, value: v, empty: v === '' });
    else if (Array.isArray(v)) {
      const short = v.every((x) => typeof x === 'string' && x.length <= 20) && v.length <= 5;
      out.push({ key, value: short ? v.join('、') : String(v.length), empty: v.length === 0 });
    } else if (typeof v === 'object' && depth < 2) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) visit(key ? `${key}.${k}` : k, x, depth + 1);
    } else out.push({ key, value: JSON.stringify(v), empty: false });
  };
  visit('', g ?? {}, 0);
  return out;
}

export type GuardrailItem =
  | { kind: 'masked'; what: string; count: number }
  | { kind: 'flag'; stage: 'input' | 'output'; action: string; category: string }
  | { kind: 'blocked'; stage: string }
  | { kind: 'other'; key: string; value: string };

/**
 * A call's guardrails as the gateway writes them — `masked` (PII kind → count), `flags`
 * ("action:category", "out:action:category" for the reply) and `blocked` (["input"] / ["output"])
 * — turned into items to show; any other key falls back to guardrailFacts.
 */
export function guardrailSummary(g: Record<string, unknown> | null | undefined): GuardrailItem[] {
  const out: GuardrailItem[] = [];
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(g ?? {})) {
    if (k === 'masked' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [what, n] of Object.entries(v as Record<string, unknown>)) if (typeof n === 'number' && n > 0) out.push({ kind: 'masked', what, count: n });
    } else if (k === 'flags' && Array.isArray(v)) {
      for (const f of v) {
        if (typeof f !== 'string') continue;
        const parts = f.split(':');
        const output = parts[0] === 'out';
        if (output) parts.shift();
        const [action = '', ...category] = parts;
        out.push({ kind: 'flag', stage: output ? 'output' : 'input', action, category: category.join(':') });
      }
    } else if (k === 'blocked' && Array.isArray(v)) {
      for (const stage of v) out.push({ kind: 'blocked', stage: String(stage) });
    } else rest[k] = v;
  }
  for (const f of guardrailFacts(rest)) if (!f.empty) out.push({ kind: 'other', key: f.key, value: f.value });
  return out;
}

// ---------------------------------------------------------------- compute requests

/** The last day of a request (startsOn + days − 1), as YYYY-MM-DD. */
export function requestEnd(startsOn: string, days: number): string {
  const d = new Date(`${startsOn}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return startsOn;
  d.setUTCDate(d.getUTCDate() + Math.max(days, 1) - 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Tokens the request entitles the school to from its start until `today` (its monthly volume,
 * pro rata per 30 days, capped at the request's length); 0 before it starts.
 */
export function entitledSoFar(r: Pick<ComputeRequest, 'startsOn' | 'days' | 'monthlyTokens'>, today: string): number {
  const start = Date.parse(`${r.startsOn}T00:00:00Z`);
  const now = Date.parse(`${today.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(now) || now < start) return 0;
  const elapsed = Math.min(Math.floor((now - start) / 86_400_000) + 1, r.days);
  return Math.round((r.monthlyTokens * elapsed) / 30);
}
