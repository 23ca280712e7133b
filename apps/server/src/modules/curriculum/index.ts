/**
 * Curriculum: subjects and the versioned knowledge-point graph (prerequisites), its import and
 * export, the demo graphs, and the graph queries other modules need. The item bank joins it next.
 * This file is the module's only public door.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Db } from '../../platform/db/index.js';
import type { App } from '../../platform/http/app.js';
import { itemRoutes } from './item-routes.js';
import { ItemInput } from './item-schema.js';
import { ItemBank, type Workplaces } from './items.js';
import { curriculumRoutes } from './routes.js';
import { GraphDocument } from './schema.js';
import { Curriculum } from './service.js';

export type { Graph, KnowledgePoint } from './schema.js';
export type { Item, ItemBody, ItemInput } from './item-schema.js';
export type { ItemSearch } from './items.js';
export { ITEM_TYPES } from './item-schema.js';

const DEMO_FILES = ['math-junior.json', 'english-junior.json'];

function demoDocuments() {
  return DEMO_FILES.map((f) => {
    const raw = JSON.parse(readFileSync(new URL(`./demo/${f}`, import.meta.url), 'utf8'));
    return { ...GraphDocument.parse(raw), subject: raw.subject as { code: string; name: string; nameEn: string } };
  });
}

/** Every demo/items-*.json file: original items written for the demo graphs. */
function demoItems(): ItemInput[] {
  const dir = new URL('./demo/', import.meta.url);
  return readdirSync(dir)
    .filter((f) => /^items-.*\.json$/.test(f))
    .sort()
    .flatMap((f) => (JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as unknown[]).map((it) => ItemInput.parse(it)));
}

export function createCurriculum(d: { db: Db; audit: AuditLog; workplaces: Workplaces }) {
  const c = new Curriculum(d.db, d.audit);
  const bank = new ItemBank(d.db, d.audit, c, d.workplaces);
  return {
    routes: (app: App) => {
      curriculumRoutes(app, c);
      itemRoutes(app, bank);
    },
    /** Demo graphs, and demo items in the bank of `regionId`; each only into an empty database. */
    seedDemoIfEmpty: async (regionId: string) => ({ subjects: await c.seedIfEmpty(demoDocuments()), items: await bank.seedIfEmpty(regionId, demoItems()) }),
    /** For the assessment module: a student answered this item version, which is frozen from now on. */
    markItemAnswered: bank.markAnswered.bind(bank),
    /** For analytics: write an item's calibrated IRT parameters back to the bank (shown in the item editor). */
    recordCalibration: bank.recordCalibration.bind(bank),
    /** Practice items for students: region and school banks, tagged with any of the codes. */
    itemsOnPoints: bank.itemsOnPoints.bind(bank),
    /** An item's current version for a module that shapes what its reader sees. */
    loadItem: bank.loadCurrent.bind(bank),
    /** The latest published graph of a subject (points with prerequisites). */
    graphOf: async (subject: string) => (await c.published(subject)).graph,
    /** An item (a given version, or the latest) the caller may see. */
    getItem: bank.get.bind(bank),
    /** Bank search with the caller's visibility: filters incl. knowledge-point descendants, ranked. */
    searchItems: bank.search.bind(bank),
    /** Transitive prerequisites of a point in the latest published graph, nearest first. */
    prerequisitesOf: async (subject: string, code: string) => (await c.published(subject)).kp.ancestors(code),
    /** The unmastered points to learn before `goal`, in order, ending with the goal. */
    learningPath: async (subject: string, goal: string, known?: ReadonlySet<string>) => (await c.published(subject)).kp.pathTo(goal, known),
    /** Subjects by code with their names (e.g. math -> 数学), for matching teachers' subjects. */
    listSubjects: c.listSubjects.bind(c),
    /** Points of a subject, optionally of one grade, in the latest published graph. */
    pointsOf: async (subject: string, grade?: number) =>
      (await c.published(subject)).graph.points.filter((p) => grade === undefined || p.grade === grade),
  };
}
export type CurriculumModule = ReturnType<typeof createCurriculum>;
