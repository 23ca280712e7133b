/**
 * Curriculum: subjects and the versioned knowledge-point graph (prerequisites), its import and
 * export, the demo graphs, and the graph queries other modules need. The item bank joins it next.
 * This file is the module's only public door.
 */
import { readFileSync } from 'node:fs';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Db } from '../../platform/db/index.js';
import type { App } from '../../platform/http/app.js';
import { curriculumRoutes } from './routes.js';
import { GraphDocument } from './schema.js';
import { Curriculum } from './service.js';

export type { Graph, KnowledgePoint } from './schema.js';

const DEMO_FILES = ['math-junior.json', 'english-junior.json'];

function demoDocuments() {
  return DEMO_FILES.map((f) => {
    const raw = JSON.parse(readFileSync(new URL(`./demo/${f}`, import.meta.url), 'utf8'));
    return { ...GraphDocument.parse(raw), subject: raw.subject as { code: string; name: string; nameEn: string } };
  });
}

export function createCurriculum(d: { db: Db; audit: AuditLog }) {
  const c = new Curriculum(d.db, d.audit);
  return {
    routes: (app: App) => curriculumRoutes(app, c),
    seedDemoIfEmpty: () => c.seedIfEmpty(demoDocuments()),
    /** Transitive prerequisites of a point in the latest published graph, nearest first. */
    prerequisitesOf: async (subject: string, code: string) => (await c.published(subject)).kp.ancestors(code),
    /** The unmastered points to learn before `goal`, in order, ending with the goal. */
    learningPath: async (subject: string, goal: string, known?: ReadonlySet<string>) => (await c.published(subject)).kp.pathTo(goal, known),
    /** Points of a subject, optionally of one grade, in the latest published graph. */
    pointsOf: async (subject: string, grade?: number) =>
      (await c.published(subject)).graph.points.filter((p) => grade === undefined || p.grade === grade),
  };
}
export type CurriculumModule = ReturnType<typeof createCurriculum>;
