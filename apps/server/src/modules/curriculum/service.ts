/**
 * The versioned knowledge-point graph: read a version, keep one draft per subject, replace the
 * draft from an import (validated whole: every offending row named, nothing written if any),
 * publish it as the next immutable version, and answer graph queries for other modules.
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { KpGraph, validateKpGraph, type GraphProblem } from '@zhijiao/engine';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { Db, Queryable } from '../../platform/db/index.js';
import { AppError } from '../../platform/http/errors.js';
import { authorizeEdit } from './policies.js';
import { GraphDocument, type Graph, type Subject } from './schema.js';
import { xlsxToGraphDocument } from './xlsx.js';
import { domains, graphVersions, knowledgePoints, prerequisites, subjects } from './tables.js';

type VersionRef = 'published' | 'draft' | number;
const BATCH = 500;

const noSubject = (code: string) =>
  new AppError(404, 'curriculum.subject_not_found', { zh: `没有学科“${code}”。`, en: `No subject "${code}".` });

export class Curriculum {
  /** Published versions never change, so their graphs are cached by version id. */
  private readonly cache = new Map<string, { graph: Graph; kp: KpGraph }>();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
  ) {}

  async listSubjects(): Promise<Subject[]> {
    const rows = await this.db
      .select({
        code: subjects.code,
        name: subjects.name,
        nameEn: subjects.nameEn,
        publishedVersion: sql<number | null>`(select max(version) from kp_graph_versions v where v.subject_code = ${subjects.code} and v.status = 'published')`,
        hasDraft: sql<boolean>`exists (select 1 from kp_graph_versions v where v.subject_code = ${subjects.code} and v.status = 'draft')`,
      })
      .from(subjects)
      .orderBy(asc(subjects.code));
    const out: Subject[] = [];
    for (const r of rows) {
      const graph = r.publishedVersion ? await this.load(this.db, r.code, 'published') : null;
      out.push({ ...r, pointCount: graph?.points.length ?? 0 });
    }
    return out;
  }

  async createSubject(p: Principal, s: { code: string; name: string; nameEn: string }): Promise<void> {
    authorizeEdit(p);
    await this.db.transaction(async (tx) => {
      const inserted = await tx.insert(subjects).values(s).onConflictDoNothing().returning();
      if (inserted.length === 0)
        throw new AppError(409, 'curriculum.subject_exists', { zh: `学科“${s.code}”已存在。`, en: `Subject "${s.code}" already exists.` });
      await this.audit.append({ actor: p, action: 'curriculum.subject_create', resourceType: 'subject', resourceId: s.code, outcome: 'success', ip: p.ip }, tx);
    });
  }

  async getGraph(subject: string, version: VersionRef): Promise<Graph> {
    return this.load(this.db, subject, version);
  }

  /** The subject's draft, created from the latest published version when there is none. */
  async ensureDraft(p: Principal, subject: string): Promise<Graph> {
    authorizeEdit(p);
    return this.db.transaction(async (tx) => {
      await this.lockSubject(tx, subject);
      const existing = await this.versionRow(tx, subject, 'draft');
      if (existing) return this.load(tx, subject, 'draft');
      const base = (await this.versionRow(tx, subject, 'published')) ? await this.load(tx, subject, 'published') : null;
      const [draft] = await tx
        .insert(graphVersions)
        .values({ subjectCode: subject, status: 'draft', createdBy: p.userId })
        .returning({ id: graphVersions.id });
      if (base) await this.writeContent(tx, draft.id, base);
      await this.audit.append(
        { actor: p, action: 'curriculum.draft_create', resourceType: 'subject', resourceId: subject, outcome: 'success', detail: { from: base?.version ?? null }, ip: p.ip },
        tx,
      );
      return this.load(tx, subject, 'draft');
    });
  }

  /** Replaces the draft's content with an imported document, or rejects it whole. */
  async replaceDraft(p: Principal, subject: string, doc: GraphDocument, rowOf?: (index: number) => number): Promise<Graph> {
    authorizeEdit(p);
    const problems = validateDocument(doc, rowOf ?? ((i) => i + 1));
    if (problems.length)
      throw new AppError(
        422,
        'curriculum.invalid_graph',
        {
          zh: `导入被拒绝：发现 ${problems.length} 处问题，未写入任何内容。`,
          en: `Import rejected: ${problems.length} problem(s) found; nothing was written.`,
        },
        { details: { problems } },
      );
    return this.db.transaction(async (tx) => {
      await this.lockSubject(tx, subject);
      let draft = await this.versionRow(tx, subject, 'draft');
      if (!draft)
        [draft] = await tx.insert(graphVersions).values({ subjectCode: subject, status: 'draft', createdBy: p.userId }).returning();
      await tx.delete(prerequisites).where(eq(prerequisites.versionId, draft.id));
      await tx.delete(knowledgePoints).where(eq(knowledgePoints.versionId, draft.id));
      await tx.delete(domains).where(eq(domains.versionId, draft.id));
      await this.writeContent(tx, draft.id, {
        domains: doc.domains.map((d) => ({ code: d.code, name: d.name, nameEn: d.nameEn ?? null })),
        points: doc.points.map((pt) => ({
          code: pt.code.trim(),
          name: pt.name.trim(),
          description: pt.description.trim(),
          grade: pt.grade,
          domain: pt.domain ?? null,
          prerequisites: [...new Set(pt.prerequisites.map((c) => c.trim()))],
        })),
      });
      await this.audit.append(
        { actor: p, action: 'curriculum.draft_import', resourceType: 'subject', resourceId: subject, outcome: 'success', detail: { points: doc.points.length }, ip: p.ip },
        tx,
      );
      return this.load(tx, subject, 'draft');
    });
  }

  /** Replaces the draft from an uploaded .xlsx (template layout) or .json (export format) file. */
  async importDraftFile(p: Principal, subject: string, upload: { filename: string; data: Buffer } | undefined): Promise<Graph> {
    authorizeEdit(p);
    if (!upload || upload.data.length === 0)
      throw new AppError(400, 'curriculum.file_missing', { zh: '没有收到文件。', en: 'No file received.' });
    const { filename, data } = upload;
    if (/\.json$/i.test(filename)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString('utf8'));
      } catch {
        throw new AppError(400, 'curriculum.unreadable_file', { zh: 'JSON 文件格式不正确。', en: 'The JSON file is malformed.' });
      }
      const doc = GraphDocument.safeParse(parsed);
      if (!doc.success) {
        const where = doc.error.issues[0]?.path.join('.') ?? '';
        throw new AppError(422, 'curriculum.invalid_document', {
          zh: `JSON 内容不符合知识图谱格式：${where}`,
          en: `The JSON is not a graph document: ${where}`,
        });
      }
      return this.replaceDraft(p, subject, doc.data);
    }
    if (!/\.xlsx$/i.test(filename))
      throw new AppError(400, 'curriculum.unsupported_format', { zh: '请上传 .xlsx 或 .json 文件。', en: 'Upload an .xlsx or .json file.' });
    const { doc, rows } = await xlsxToGraphDocument(data);
    return this.replaceDraft(p, subject, doc, (i) => rows[i]);
  }

  async publish(p: Principal, subject: string, note?: string): Promise<Graph> {
    authorizeEdit(p);
    const graph = await this.db.transaction(async (tx) => {
      await this.lockSubject(tx, subject);
      const draft = await this.versionRow(tx, subject, 'draft');
      if (!draft)
        throw new AppError(409, 'curriculum.no_draft', { zh: '没有待发布的草稿。', en: 'There is no draft to publish.' });
      const [{ next }] = await tx
        .select({ next: sql<number>`coalesce(max(${graphVersions.version}), 0) + 1` })
        .from(graphVersions)
        .where(eq(graphVersions.subjectCode, subject));
      await tx
        .update(graphVersions)
        .set({ status: 'published', version: next, note: note ?? null, publishedBy: p.userId, publishedAt: new Date() })
        .where(eq(graphVersions.id, draft.id));
      await this.audit.append(
        { actor: p, action: 'curriculum.publish', resourceType: 'subject', resourceId: subject, outcome: 'success', detail: { version: next }, ip: p.ip },
        tx,
      );
      return this.load(tx, subject, next);
    });
    return graph;
  }

  async discardDraft(p: Principal, subject: string): Promise<void> {
    authorizeEdit(p);
    await this.db.transaction(async (tx) => {
      const draft = await this.versionRow(tx, subject, 'draft');
      if (!draft) throw new AppError(404, 'curriculum.no_draft', { zh: '没有草稿。', en: 'There is no draft.' });
      await tx.delete(graphVersions).where(eq(graphVersions.id, draft.id));
      await this.audit.append({ actor: p, action: 'curriculum.draft_discard', resourceType: 'subject', resourceId: subject, outcome: 'success', ip: p.ip }, tx);
    });
  }

  /** The latest published graph with its query structure (for other modules). */
  async published(subject: string): Promise<{ graph: Graph; kp: KpGraph }> {
    const graph = await this.load(this.db, subject, 'published');
    let hit = this.cache.get(graph.versionId);
    if (!hit) {
      hit = { graph, kp: new KpGraph(graph.points) };
      this.cache.set(graph.versionId, hit);
    }
    return hit;
  }

  /** Seeds subjects and their first published graphs when the database has no subject yet. */
  async seedIfEmpty(documents: (GraphDocument & { subject: { code: string; name: string; nameEn: string } })[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(4243)`);
      const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(subjects);
      if (n > 0) return 0;
      for (const doc of documents) {
        const problems = validateDocument(doc, (i) => i + 1);
        if (problems.length) throw new Error(`demo graph ${doc.subject.code} is invalid: ${JSON.stringify(problems.slice(0, 3))}`);
        await tx.insert(subjects).values(doc.subject);
        // Written as a draft and then published: the database refuses writes into published versions.
        const [v] = await tx
          .insert(graphVersions)
          .values({ subjectCode: doc.subject.code, status: 'draft' })
          .returning({ id: graphVersions.id });
        await this.writeContent(tx, v.id, {
          domains: doc.domains.map((d) => ({ code: d.code, name: d.name, nameEn: d.nameEn ?? null })),
          points: doc.points.map((pt) => ({ ...pt, domain: pt.domain ?? null })),
        });
        await tx
          .update(graphVersions)
          .set({ status: 'published', version: 1, note: 'demo', publishedAt: new Date() })
          .where(eq(graphVersions.id, v.id));
      }
      await this.audit.append({ actor: null, action: 'system.seed_curriculum', outcome: 'success', detail: { subjects: documents.length } }, tx);
      return documents.length;
    });
  }

  private async lockSubject(tx: Queryable, subject: string) {
    const [s] = await tx.select({ code: subjects.code }).from(subjects).where(eq(subjects.code, subject)).for('update');
    if (!s) throw noSubject(subject);
  }

  private async versionRow(q: Queryable, subject: string, ref: VersionRef) {
    const where =
      ref === 'draft'
        ? and(eq(graphVersions.subjectCode, subject), eq(graphVersions.status, 'draft'))
        : ref === 'published'
          ? and(eq(graphVersions.subjectCode, subject), eq(graphVersions.status, 'published'))
          : and(eq(graphVersions.subjectCode, subject), eq(graphVersions.version, ref));
    const [row] = await q.select().from(graphVersions).where(where).orderBy(desc(graphVersions.version)).limit(1);
    return row;
  }

  private async load(q: Queryable, subject: string, ref: VersionRef): Promise<Graph> {
    const [s] = await q.select().from(subjects).where(eq(subjects.code, subject));
    if (!s) throw noSubject(subject);
    const v = await this.versionRow(q, subject, ref);
    if (!v)
      throw new AppError(404, 'curriculum.version_not_found', {
        zh: ref === 'draft' ? '该学科没有草稿。' : ref === 'published' ? '该学科还没有发布的知识图谱。' : `没有第 ${ref} 版。`,
        en: ref === 'draft' ? 'The subject has no draft.' : ref === 'published' ? 'The subject has no published graph yet.' : `No version ${ref}.`,
      });
    const cached = v.status === 'published' ? this.cache.get(v.id) : undefined;
    if (cached) return cached.graph;
    const [ds, pts, edges] = await Promise.all([
      q.select().from(domains).where(eq(domains.versionId, v.id)).orderBy(asc(domains.position)),
      q.select().from(knowledgePoints).where(eq(knowledgePoints.versionId, v.id)).orderBy(asc(knowledgePoints.position)),
      q.select().from(prerequisites).where(eq(prerequisites.versionId, v.id)),
    ]);
    const pre = new Map<string, string[]>();
    for (const e of edges) (pre.get(e.pointCode) ?? pre.set(e.pointCode, []).get(e.pointCode)!).push(e.prerequisiteCode);
    const graph: Graph = {
      subject: { code: s.code, name: s.name, nameEn: s.nameEn },
      versionId: v.id,
      version: v.version,
      status: v.status,
      publishedAt: v.publishedAt ? v.publishedAt.toISOString() : null,
      domains: ds.map((d) => ({ code: d.code, name: d.name, nameEn: d.nameEn })),
      points: pts.map((pt) => ({
        code: pt.code,
        name: pt.name,
        description: pt.description,
        grade: pt.grade,
        domain: pt.domain,
        prerequisites: (pre.get(pt.code) ?? []).sort(),
      })),
    };
    if (v.status === 'published') this.cache.set(v.id, { graph, kp: new KpGraph(graph.points) });
    return graph;
  }

  private async writeContent(tx: Queryable, versionId: string, g: Pick<Graph, 'domains' | 'points'>) {
    if (g.domains.length)
      await tx.insert(domains).values(g.domains.map((d, i) => ({ versionId, code: d.code, name: d.name, nameEn: d.nameEn, position: i })));
    for (let i = 0; i < g.points.length; i += BATCH) {
      const chunk = g.points.slice(i, i + BATCH);
      await tx.insert(knowledgePoints).values(
        chunk.map((pt, j) => ({
          versionId,
          code: pt.code,
          name: pt.name,
          description: pt.description,
          grade: pt.grade,
          domain: pt.domain,
          position: i + j,
        })),
      );
      const edges = chunk.flatMap((pt) => pt.prerequisites.map((pre) => ({ versionId, pointCode: pt.code, prerequisiteCode: pre })));
      if (edges.length) await tx.insert(prerequisites).values(edges);
    }
  }
}

/** The engine's graph checks plus the document-level ones (domains that exist). */
export function validateDocument(doc: GraphDocument, rowOf: (index: number) => number): GraphProblem[] {
  const problems = validateKpGraph(
    doc.points.map((pt, i) => ({
      row: rowOf(i),
      code: pt.code.trim(),
      name: pt.name.trim(),
      description: pt.description,
      subject: doc.subject?.code ?? '',
      grade: pt.grade,
      prerequisites: pt.prerequisites.map((c) => c.trim()),
    })),
  );
  const known = new Set(doc.domains.map((d) => d.code));
  doc.points.forEach((pt, i) => {
    if (pt.domain && !known.has(pt.domain))
      problems.push({
        row: rowOf(i),
        code: pt.code,
        kind: 'invalid_field',
        field: 'domain',
        message: { zh: `领域“${pt.domain}”不存在。`, en: `Unknown domain "${pt.domain}".` },
        related: [pt.domain],
      });
  });
  return problems.sort((a, b) => a.row - b.row);
}
