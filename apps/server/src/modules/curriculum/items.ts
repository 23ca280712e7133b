/**
 * The item bank: create, read and edit items (an edit of an answered version makes a new version),
 * share them up (teacher -> school bank -> region bank, by the owner), and search them with
 * Chinese full-text ranking (jieba + BM25) combined with filters.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { Bm25Index, difficultyLevelFromB, effectiveDifficulty, tokenize, tokenizeQuery } from '@zhijiao/engine';
import type { AuditLog } from '../../platform/audit/index.js';
import { hasRole, type Principal } from '../../platform/auth/principal.js';
import type { Db, Queryable } from '../../platform/db/index.js';
import { AppError, type Bilingual } from '../../platform/http/errors.js';
import { Irt, ItemInput, type Item, type ItemBody } from './item-schema.js';
import { itemTemplateXlsx, xlsxToItems } from './item-xlsx.js';
import { packageItems, qtiToItem, unpackItems } from './qti.js';
import type { Curriculum } from './service.js';
import { items, itemVersions } from './tables.js';

const STAFF = ['teacher', 'head_teacher', 'school_admin', 'county_admin', 'city_admin', 'province_admin', 'researcher', 'sysadmin'];
const REGION_EDITORS = ['researcher', 'province_admin', 'sysadmin'];
const BATCH = 500;
const MIN_RELATIVE_SCORE = 0.25;
const MAX_IMPORT = 2000;
const MAX_EXPORT = 1000;

/** One bad item of an import: its sheet row or package file, and what is wrong. */
export interface ImportError {
  /** Position among the items read, from 0; -1 for a row or file that could not be read into an item. */
  index: number;
  row?: number;
  file?: string;
  column?: string;
  code: string;
  message: Bilingual;
  value?: unknown;
}
export type ImportSource = { row: number } | { file: string };

/** What other modules tell the bank about the caller's place (identity's public door). */
export interface Workplaces {
  schoolIdsOf(p: Principal): Promise<string[]>;
}

export interface ItemSearch {
  q?: string;
  subject?: string;
  grade?: number;
  knowledgePoint?: string;
  type?: string;
  difficultyMin?: number;
  difficultyMax?: number;
  owner?: 'mine' | 'school' | 'region';
  page: number;
  pageSize: number;
}

interface Meta {
  subject: string;
  grade: number;
  type: string;
  /** The calibrated level once the item has an IRT calibration, else the author's estimate. */
  difficulty: number;
  kps: string[];
  ownerType: 'teacher' | 'school' | 'region';
  ownerId: string;
}

type ItemRow = typeof items.$inferSelect;
type VersionRow = typeof itemVersions.$inferSelect;

const forbiddenItem = (id?: string) =>
  new AppError(403, 'authz.forbidden', { zh: '您没有权限访问这道题。', en: 'You do not have permission to access this item.' }, { details: { permission: 'item.read', resourceType: 'item', resourceId: id ?? null } });
const notFound = () => new AppError(404, 'item.not_found', { zh: '没有找到这道题。', en: 'No such item.' });

/** All text of an item that search should find: stem, options, parts, answers' wording, explanation. */
function bodyText(b: ItemBody): string {
  const parts: string[] = [b.stem];
  if (b.type === 'single_choice' || b.type === 'multiple_choice') parts.push(...b.options.map((o) => o.text));
  if (b.type === 'short_answer') parts.push(b.referenceAnswer);
  if (b.type === 'composite') parts.push(...b.parts.map((p) => bodyText(p.body)));
  return parts.join('\n');
}

export class ItemBank {
  private index: Bm25Index<string> | null = null;
  private ready: Promise<Bm25Index<string>> | null = null;
  private readonly meta = new Map<string, Meta>();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly curriculum: Curriculum,
    private readonly workplaces: Workplaces,
  ) {}

  async create(p: Principal, input: ItemInput, bank: 'mine' | 'school' | 'region' = 'mine', regionId?: string): Promise<Item> {
    if (!hasRole(p, ...STAFF)) throw forbiddenItem();
    const owner = await this.ownerFor(p, bank, regionId);
    await this.checkKnowledgePoints(input);
    const id = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(items)
        .values({ subjectCode: input.subject, ownerType: owner.type, ownerId: owner.id, authorId: p.userId })
        .returning({ id: items.id });
      await tx.insert(itemVersions).values(this.versionValues(row.id, 1, input, p.userId));
      await this.audit.append({ actor: p, action: 'item.create', resourceType: 'item', resourceId: row.id, outcome: 'success', detail: { bank: owner.type }, ip: p.ip }, tx);
      return row.id;
    });
    const item = await this.load(this.db, id);
    await this.indexItem(item);
    return item;
  }

  async get(p: Principal, id: string, version?: number): Promise<Item> {
    const item = await this.load(this.db, id, version);
    await this.assertVisible(p, item);
    return item;
  }

  async versions(p: Principal, id: string): Promise<{ version: number; locked: boolean; createdAt: string }[]> {
    await this.get(p, id);
    const rows = await this.db
      .select({ version: itemVersions.version, locked: itemVersions.locked, createdAt: itemVersions.createdAt })
      .from(itemVersions)
      .where(eq(itemVersions.itemId, id))
      .orderBy(asc(itemVersions.version));
    return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
  }

  /** Edits in place while no student answered the current version; otherwise writes the next version. */
  async update(p: Principal, id: string, input: ItemInput): Promise<Item> {
    const current = await this.load(this.db, id);
    await this.assertEditable(p, current);
    if (input.subject !== current.subject)
      throw new AppError(400, 'item.subject_change', { zh: '不能修改题目的学科。', en: 'The subject of an item cannot change.' });
    await this.checkKnowledgePoints(input);
    await this.db.transaction(async (tx) => {
      const [cur] = await tx.select().from(items).where(eq(items.id, id)).for('update');
      const [ver] = await tx
        .select({ locked: itemVersions.locked })
        .from(itemVersions)
        .where(and(eq(itemVersions.itemId, id), eq(itemVersions.version, cur.currentVersion)));
      const next = ver.locked ? cur.currentVersion + 1 : cur.currentVersion;
      if (ver.locked) await tx.insert(itemVersions).values(this.versionValues(id, next, input, p.userId));
      else
        await tx
          .update(itemVersions)
          .set(this.versionValues(id, next, input, p.userId))
          .where(and(eq(itemVersions.itemId, id), eq(itemVersions.version, next)));
      await tx.update(items).set({ currentVersion: next, updatedAt: new Date() }).where(eq(items.id, id));
      await this.audit.append(
        { actor: p, action: 'item.update', resourceType: 'item', resourceId: id, outcome: 'success', detail: { version: next, newVersion: ver.locked }, ip: p.ip },
        tx,
      );
    });
    const item = await this.load(this.db, id);
    await this.indexItem(item);
    return item;
  }

  /** Sharing up is the owner's act: a teacher's item into their school's bank, a school's into the region's. */
  async share(p: Principal, id: string, to: 'school' | 'region', regionId?: string): Promise<Item> {
    const item = await this.load(this.db, id);
    await this.assertEditable(p, item);
    const rank = { teacher: 0, school: 1, region: 2 } as const;
    if (rank[to] <= rank[item.owner.type])
      throw new AppError(409, 'item.share_not_up', { zh: '只能向上共享（个人 → 学校 → 区域）。', en: 'Items can only be shared upwards (teacher → school → region).' });
    if (to === 'region' && !hasRole(p, 'school_admin', ...REGION_EDITORS)) throw forbiddenItem(id);
    const owner = await this.ownerFor(p, to === 'school' ? 'school' : 'region', regionId);
    await this.db.transaction(async (tx) => {
      await tx.update(items).set({ ownerType: owner.type, ownerId: owner.id, updatedAt: new Date() }).where(eq(items.id, id));
      await this.audit.append(
        { actor: p, action: 'item.share', resourceType: 'item', resourceId: id, outcome: 'success', detail: { from: item.owner.type, to }, ip: p.ip },
        tx,
      );
    });
    const shared = await this.load(this.db, id);
    await this.indexItem(shared);
    return shared;
  }

  /**
   * For analytics: an item's calibrated IRT parameters (with standard errors and sample size),
   * written back once enough responses exist. Replaces the previous calibration; audited.
   */
  async recordCalibration(itemId: string, irt: Omit<Item['irt'] & object, 'calibratedAt' | 'level'>): Promise<Item> {
    const value = Irt.parse({ ...irt, level: difficultyLevelFromB(irt.b), calibratedAt: new Date().toISOString() });
    const rows = await this.db.transaction(async (tx) => {
      const r = await tx.update(items).set({ irt: value }).where(eq(items.id, itemId)).returning({ id: items.id });
      if (r.length)
        await this.audit.append(
          { actor: null, action: 'item.calibrate', resourceType: 'item', resourceId: itemId, outcome: 'success', detail: { model: value.model, a: value.a, b: value.b, n: value.n } },
          tx,
        );
      return r;
    });
    if (!rows.length) throw notFound();
    const item = await this.load(this.db, itemId);
    // Search and blueprint assembly filter on the calibrated level from now on.
    const m = this.meta.get(itemId);
    if (m) m.difficulty = effectiveDifficulty(item).level;
    return item;
  }

  /**
   * For modules that serve students (practice): items of a subject tagged with any of `codes`, from
   * the region bank or the given schools' banks (never a teacher's private items), current versions.
   */
  async itemsOnPoints(subject: string, codes: string[], schoolIds: string[], types?: string[]): Promise<Item[]> {
    await this.ensureIndex();
    const want = new Set(codes);
    const ids: string[] = [];
    for (const [id, m] of this.meta) {
      if (m.subject !== subject || !m.kps.some((k) => want.has(k))) continue;
      if (types && !types.includes(m.type)) continue;
      if (m.ownerType === 'region' || (m.ownerType === 'school' && schoolIds.includes(m.ownerId))) ids.push(id);
    }
    const loaded = await this.loadMany(ids);
    return ids.map((id) => loaded.get(id)!).filter(Boolean);
  }

  /** For modules: one item's current version, without a caller (the module decides what a reader sees). */
  async loadCurrent(id: string): Promise<Item> {
    return this.load(this.db, id);
  }

  /** For the assessment module: a student answered this version, so it is frozen from now on. */
  async markAnswered(itemId: string, version: number): Promise<void> {
    await this.db
      .update(itemVersions)
      .set({ locked: true })
      .where(and(eq(itemVersions.itemId, itemId), eq(itemVersions.version, version), eq(itemVersions.locked, false)));
  }

  async search(p: Principal, f: ItemSearch): Promise<{ items: (Item & { relevance: number | null })[]; total: number }> {
    if (!hasRole(p, ...STAFF)) throw forbiddenItem();
    const index = await this.ensureIndex();
    const visible = await this.visibility(p);
    let kpSet: Set<string> | null = null;
    if (f.knowledgePoint && f.subject) {
      const { kp } = await this.curriculum.published(f.subject);
      kpSet = new Set([f.knowledgePoint, ...kp.descendants(f.knowledgePoint)]);
    } else if (f.knowledgePoint) kpSet = new Set([f.knowledgePoint]);
    const keep = (id: string) => {
      const m = this.meta.get(id);
      if (!m || !visible(m)) return false;
      if (f.subject && m.subject !== f.subject) return false;
      if (f.grade && m.grade !== f.grade) return false;
      if (f.type && m.type !== f.type) return false;
      if (f.difficultyMin && m.difficulty < f.difficultyMin) return false;
      if (f.difficultyMax && m.difficulty > f.difficultyMax) return false;
      if (f.owner === 'mine' && !(m.ownerType === 'teacher' && m.ownerId === p.userId)) return false;
      if (f.owner === 'school' && m.ownerType !== 'school') return false;
      if (f.owner === 'region' && m.ownerType !== 'region') return false;
      if (kpSet && !m.kps.some((k) => kpSet.has(k))) return false;
      return true;
    };
    let ranked: { id: string; relevance: number | null }[];
    if (f.q?.trim()) {
      const hits = index.search(f.q, { limit: 10_000, filter: keep });
      // Items that share only a stray character or sub-word with the query score a small fraction of the best match.
      const floor = (hits[0]?.score ?? 0) * MIN_RELATIVE_SCORE;
      ranked = hits.filter((h) => h.score >= floor).map((h) => ({ id: h.id, relevance: h.score }));
    }
    else ranked = [...this.meta.keys()].filter(keep).sort().map((id) => ({ id, relevance: null }));
    const pageIds = ranked.slice((f.page - 1) * f.pageSize, f.page * f.pageSize);
    const loaded = await this.loadMany(pageIds.map((r) => r.id));
    return { total: ranked.length, items: pageIds.map((r) => ({ ...loaded.get(r.id)!, relevance: r.relevance })) };
  }

  /** Staff only: the item bank's gate for templates, import and export. */
  authorize(p: Principal): void {
    if (!hasRole(p, ...STAFF)) throw forbiddenItem();
  }

  /** The .xlsx template for bulk authoring. */
  async template(p: Principal): Promise<Buffer> {
    this.authorize(p);
    return itemTemplateXlsx();
  }

  /**
   * Writes all items in one transaction, or none: every item is validated and its knowledge points
   * checked against the published graph first; any problem gives 422 item.import_invalid naming
   * each bad item (by sheet row or package file when `sources` says where it came from).
   */
  async importItems(
    p: Principal,
    input: ItemInput[],
    bank: 'mine' | 'school' | 'region' = 'mine',
    opts: { sources?: ImportSource[]; regionId?: string; errors?: ImportError[] } = {},
  ): Promise<{ imported: number; ids: string[] }> {
    this.authorize(p);
    const owner = await this.ownerFor(p, bank, opts.regionId);
    const errors: ImportError[] = [...(opts.errors ?? [])];
    const where = (i: number): { row?: number; file?: string } => opts.sources?.[i] ?? {};
    const label = (i: number): Bilingual => {
      const s = where(i);
      return s.row !== undefined ? { zh: `第 ${s.row} 行`, en: `Row ${s.row}` } : s.file !== undefined ? { zh: s.file, en: s.file } : { zh: `第 ${i + 1} 题`, en: `Item ${i + 1}` };
    };
    if (input.length + errors.length === 0)
      throw new AppError(422, 'item.import_empty', { zh: '文件中没有题目。', en: 'The file contains no items.' });
    if (input.length > MAX_IMPORT)
      throw new AppError(422, 'item.import_too_many', { zh: `一次最多导入 ${MAX_IMPORT} 道题。`, en: `At most ${MAX_IMPORT} items per import.` });
    const valid: ItemInput[] = [];
    input.forEach((raw, i) => {
      const parsed = ItemInput.safeParse(raw);
      if (parsed.success) return void (valid[i] = parsed.data);
      for (const issue of parsed.error.issues) {
        const path = issue.path.join('.');
        const l = label(i);
        errors.push({ index: i, ...where(i), column: path, code: 'item.invalid', message: { zh: `${l.zh}：${path} 不正确（${issue.message}）`, en: `${l.en}: ${path} is invalid (${issue.message})` } });
      }
    });
    const subjects = [...new Set(valid.filter(Boolean).map((it) => it.subject))];
    const known = new Map<string, Set<string> | null>();
    for (const s of subjects) {
      try {
        known.set(s, new Set((await this.curriculum.published(s)).graph.points.map((pt) => pt.code)));
      } catch (e) {
        if (!(e instanceof AppError) || e.status >= 500) throw e;
        known.set(s, null);
      }
    }
    valid.forEach((it, i) => {
      if (!it) return;
      const codes = known.get(it.subject);
      const l = label(i);
      if (!codes) {
        errors.push({ index: i, ...where(i), column: 'subject', code: 'item.unknown_subject', value: it.subject, message: { zh: `${l.zh}：没有已发布的学科“${it.subject}”。`, en: `${l.en}: no published subject "${it.subject}".` } });
        return;
      }
      const unknown = it.knowledgePoints.filter((c) => !codes.has(c));
      if (unknown.length)
        errors.push({ index: i, ...where(i), column: 'knowledgePoints', code: 'item.unknown_knowledge_point', value: unknown, message: { zh: `${l.zh}：知识点不存在：${unknown.join('、')}。`, en: `${l.en}: unknown knowledge point(s): ${unknown.join(', ')}.` } });
    });
    if (errors.length)
      throw new AppError(
        422,
        'item.import_invalid',
        { zh: `导入失败，${errors.length} 处有误，未写入任何题目。`, en: `Import failed with ${errors.length} problem(s); no item was written.` },
        { details: { errors: errors.sort((a, b) => (a.row ?? a.index) - (b.row ?? b.index)) } },
      );
    const ids = await this.db.transaction(async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < valid.length; i += BATCH) {
        const chunk = valid.slice(i, i + BATCH);
        const rows = await tx
          .insert(items)
          .values(chunk.map((it) => ({ subjectCode: it.subject, ownerType: owner.type, ownerId: owner.id, authorId: p.userId })))
          .returning({ id: items.id });
        await tx.insert(itemVersions).values(rows.map((r, j) => this.versionValues(r.id, 1, chunk[j], p.userId)));
        out.push(...rows.map((r) => r.id));
      }
      await this.audit.append({ actor: p, action: 'item.import', resourceType: 'item', outcome: 'success', detail: { bank: owner.type, items: out.length }, ip: p.ip }, tx);
      return out;
    });
    if (this.index) for (const item of (await this.loadMany(ids)).values()) await this.indexItem(item);
    return { imported: ids.length, ids };
  }

  /**
   * Import from an upload: an .xlsx filled from the template, a QTI 3.0 content package (.zip) or a
   * single QTI item (.xml). `defaults` fill in what foreign QTI items do not say.
   */
  async importFile(
    p: Principal,
    upload: { filename: string; data: Buffer } | undefined,
    opts: { bank?: 'mine' | 'school' | 'region'; defaults?: { subject?: string; grade?: number; knowledgePoints?: string[]; difficulty?: number } } = {},
  ): Promise<{ imported: number; ids: string[] }> {
    this.authorize(p);
    if (!upload || upload.data.length === 0) throw new AppError(400, 'item.file_missing', { zh: '没有收到文件。', en: 'No file received.' });
    const bank = opts.bank ?? 'mine';
    if (/\.xlsx$/i.test(upload.filename)) {
      const { items: list, rows, errors } = await xlsxToItems(upload.data);
      return this.importItems(p, list, bank, {
        sources: rows.map((row) => ({ row })),
        errors: errors.map((e) => ({ index: -1, row: e.row, column: e.column, code: e.code, message: e.message, value: e.value })),
      });
    }
    let files: { file: string; xml: string }[];
    if (/\.zip$/i.test(upload.filename)) files = await unpackItems(upload.data);
    else if (/\.xml$/i.test(upload.filename)) files = [{ file: upload.filename, xml: upload.data.toString('utf8') }];
    else
      throw new AppError(400, 'item.unsupported_format', { zh: '请上传 .xlsx 表格或 QTI 3.0 题目包（.zip）。', en: 'Upload an .xlsx spreadsheet or a QTI 3.0 package (.zip).' });
    const d = opts.defaults ?? {};
    const defaults = { subject: d.subject ?? '', grade: d.grade ?? 0, knowledgePoints: d.knowledgePoints, difficulty: d.difficulty };
    const list: ItemInput[] = [];
    const sources: ImportSource[] = [];
    const errors: ImportError[] = [];
    for (const f of files) {
      try {
        list.push(qtiToItem(f.xml, defaults));
        sources.push({ file: f.file });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        errors.push({ index: -1, file: f.file, code: e.code, message: { zh: `${f.file}：${e.messages.zh}`, en: `${f.file}: ${e.messages.en}` } });
      }
    }
    return this.importItems(p, list, bank, { sources, errors });
  }

  /** The items of a list of ids (each must be visible) or of a search (up to 1000), as a QTI 3.0 package. */
  async exportQti(p: Principal, sel: { ids: string[] } | ItemSearch): Promise<{ zip: Buffer; count: number }> {
    this.authorize(p);
    let list: Item[];
    if ('ids' in sel) {
      if (sel.ids.length > MAX_EXPORT)
        throw new AppError(422, 'item.export_too_many', { zh: `一次最多导出 ${MAX_EXPORT} 道题。`, en: `At most ${MAX_EXPORT} items per export.` });
      const loaded = await this.loadMany([...new Set(sel.ids)]);
      const visible = await this.visibility(p);
      list = sel.ids.map((id) => {
        const item = loaded.get(id);
        if (!item) throw notFound();
        if (!visible({ ownerType: item.owner.type, ownerId: item.owner.id })) throw forbiddenItem(id);
        return item;
      });
    } else list = (await this.search(p, { ...sel, page: 1, pageSize: MAX_EXPORT })).items;
    const zip = await packageItems(
      list.map((it) => ({ id: it.id, subject: it.subject, grade: it.grade, body: it.body, explanation: it.explanation, knowledgePoints: it.knowledgePoints, difficulty: it.difficulty, score: it.score })),
    );
    return { zip, count: list.length };
  }

  /** Seeds the region bank with demo items when it is empty. */
  async seedIfEmpty(regionId: string, all: ItemInput[]): Promise<number> {
    const [{ n }] = await this.db.select({ n: sql<number>`count(*)::int` }).from(items);
    if (n > 0) return 0;
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < all.length; i += BATCH) {
        const chunk = all.slice(i, i + BATCH);
        const rows = await tx
          .insert(items)
          .values(chunk.map((it) => ({ subjectCode: it.subject, ownerType: 'region' as const, ownerId: regionId })))
          .returning({ id: items.id });
        await tx.insert(itemVersions).values(rows.map((r, j) => this.versionValues(r.id, 1, chunk[j], null)));
      }
      await this.audit.append({ actor: null, action: 'system.seed_items', outcome: 'success', detail: { items: all.length } }, tx);
    });
    this.index = null;
    this.ready = null;
    return all.length;
  }

  private versionValues(itemId: string, version: number, input: ItemInput, by: string | null) {
    return {
      itemId,
      version,
      grade: input.grade,
      type: input.body.type,
      body: input.body,
      explanation: input.explanation,
      knowledgePoints: input.knowledgePoints,
      difficulty: input.difficulty,
      score: input.score,
      createdBy: by,
    };
  }

  private async checkKnowledgePoints(input: ItemInput) {
    const { graph } = await this.curriculum.published(input.subject);
    const known = new Set(graph.points.map((pt) => pt.code));
    const unknown = input.knowledgePoints.filter((c) => !known.has(c));
    if (unknown.length)
      throw new AppError(
        422,
        'item.unknown_knowledge_point',
        { zh: `知识点不存在：${unknown.join('、')}。`, en: `Unknown knowledge point(s): ${unknown.join(', ')}.` },
        { details: { unknown } },
      );
  }

  private async ownerFor(p: Principal, bank: 'mine' | 'school' | 'region', regionId?: string): Promise<{ type: Meta['ownerType']; id: string }> {
    if (bank === 'mine') return { type: 'teacher', id: p.userId };
    if (bank === 'school') {
      const schools = await this.workplaces.schoolIdsOf(p);
      if (schools.length !== 1 || !hasRole(p, 'teacher', 'head_teacher', 'school_admin'))
        throw new AppError(400, 'item.school_unclear', { zh: '无法确定要放入哪所学校的题库。', en: 'It is unclear which school bank to use.' });
      return { type: 'school', id: schools[0] };
    }
    const region = regionId ?? p.roles.find((r) => r.scopeType === 'region' && REGION_EDITORS.includes(r.role))?.scopeId;
    if (!hasRole(p, 'school_admin', ...REGION_EDITORS) || !region)
      throw new AppError(400, 'item.region_unclear', { zh: '无法确定区域题库。', en: 'It is unclear which region bank to use.' });
    return { type: 'region', id: region };
  }

  /** Teachers see their own items, their schools' banks and the region bank; staff above schools their subtree's banks. */
  private async visibility(p: Principal): Promise<(m: Pick<Meta, 'ownerType' | 'ownerId'>) => boolean> {
    if (!hasRole(p, ...STAFF)) return () => false;
    if (hasRole(p, 'sysadmin')) return () => true;
    const schools = new Set(await this.workplaces.schoolIdsOf(p));
    return (m) =>
      m.ownerType === 'region' || (m.ownerType === 'school' && schools.has(m.ownerId)) || (m.ownerType === 'teacher' && m.ownerId === p.userId);
  }

  private async assertVisible(p: Principal, item: Item) {
    if (!(await this.visibility(p))({ ownerType: item.owner.type, ownerId: item.owner.id })) throw forbiddenItem(item.id);
  }

  private async assertEditable(p: Principal, item: Item) {
    await this.assertVisible(p, item);
    const ok =
      item.owner.type === 'teacher'
        ? item.owner.id === p.userId
        : item.owner.type === 'school'
          ? item.authorId === p.userId || p.roles.some((r) => r.role === 'school_admin' && r.scopeId === item.owner.id)
          : hasRole(p, ...REGION_EDITORS);
    if (!ok) throw new AppError(403, 'authz.forbidden', { zh: '只有题目的所有者可以修改或共享它。', en: 'Only the owner of an item may edit or share it.' }, { details: { permission: 'item.edit', resourceType: 'item', resourceId: item.id } });
  }

  /** Built once from the database on first use; concurrent first searches share the one build. */
  private ensureIndex(): Promise<Bm25Index<string>> {
    return (this.ready ??= this.build());
  }

  private async build(): Promise<Bm25Index<string>> {
    const index = new Bm25Index<string>({ tokenize, tokenizeQuery });
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await this.db
        .select()
        .from(items)
        .innerJoin(itemVersions, and(eq(itemVersions.itemId, items.id), eq(itemVersions.version, items.currentVersion)))
        .where(sql`${items.id} > ${after}`)
        .orderBy(asc(items.id))
        .limit(2000);
      if (rows.length === 0) break;
      for (const r of rows) await this.addTo(index, present(r.items, r.item_versions));
      after = rows.at(-1)!.items.id;
    }
    this.index = index;
    return index;
  }

  /** Names and descriptions of an item's knowledge points: a teacher searches by topic too. */
  private async topicText(subject: string, codes: string[]): Promise<string> {
    const { graph } = await this.curriculum.published(subject);
    const byCode = new Map(graph.points.map((pt) => [pt.code, `${pt.name} ${pt.description}`]));
    return codes.map((c) => byCode.get(c) ?? '').join('\n');
  }

  /** Keeps a built index current after a write in this process (before the first search there is none). */
  private async indexItem(item: Item) {
    if (this.index) await this.addTo(this.index, item);
  }

  private async addTo(index: Bm25Index<string>, item: Item) {
    index.add(item.id, [
      { text: bodyText(item.body), weight: 1 },
      { text: item.explanation, weight: 0.4 },
      { text: await this.topicText(item.subject, item.knowledgePoints), weight: 0.3 },
    ]);
    this.meta.set(item.id, {
      subject: item.subject,
      grade: item.grade,
      type: item.body.type,
      difficulty: effectiveDifficulty(item).level,
      kps: item.knowledgePoints,
      ownerType: item.owner.type,
      ownerId: item.owner.id,
    });
  }

  private async load(q: Queryable, id: string, version?: number): Promise<Item> {
    const [row] = await q
      .select()
      .from(items)
      .innerJoin(itemVersions, and(eq(itemVersions.itemId, items.id), eq(itemVersions.version, version ?? items.currentVersion)))
      .where(eq(items.id, id));
    if (!row) throw notFound();
    return present(row.items, row.item_versions);
  }

  private async loadMany(ids: string[]): Promise<Map<string, Item>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(items)
      .innerJoin(itemVersions, and(eq(itemVersions.itemId, items.id), eq(itemVersions.version, items.currentVersion)))
      .where(inArray(items.id, ids));
    return new Map(rows.map((r) => [r.items.id, present(r.items, r.item_versions)]));
  }
}

function present(i: ItemRow, v: VersionRow): Item {
  return {
    id: i.id,
    version: v.version,
    subject: i.subjectCode,
    grade: v.grade,
    body: v.body as ItemBody,
    explanation: v.explanation,
    knowledgePoints: v.knowledgePoints,
    difficulty: v.difficulty,
    score: v.score,
    owner: { type: i.ownerType, id: i.ownerId },
    authorId: i.authorId ?? '',
    locked: v.locked,
    irt: (i.irt as Item['irt']) ?? null,
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
  };
}
