/** Item-bank helpers shared by the list, detail and editor pages. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../shell/api';
import type { Graph, Item, ItemBody, ItemInput, KnowledgePoint, Me, Subject } from '@zhijiao/server/api-types';
import { REGION_ADMIN_ROLES, hasRole } from '../shell/session';
import { useApi } from '../shell/useApi';

export type { Item, ItemBody, ItemInput };
export type ItemType = ItemBody['type'];
export type PartBody = Extract<ItemBody, { type: 'composite' }>['parts'][number]['body'];
export type PartType = PartBody['type'];
export type Bank = 'mine' | 'school' | 'region';
export type SearchHit = Item & { relevance: number | null };

/** One entry per item type: the Record type makes the compiler reject a missing one. */
export const TYPE_COLORS: Record<ItemType, string> = {
  single_choice: 'blue',
  multiple_choice: 'geekblue',
  true_false: 'cyan',
  fill_blank: 'green',
  math: 'purple',
  short_answer: 'orange',
  essay: 'magenta',
  composite: 'gold',
};
export const ITEM_TYPES = Object.keys(TYPE_COLORS) as ItemType[];
export const PART_TYPES = ITEM_TYPES.filter((t) => t !== 'composite') as PartType[];
export const OWNER_COLORS: Record<Item['owner']['type'], string> = { teacher: 'default', school: 'processing', region: 'success' };
export const DIFFICULTY_COLORS = ['', '#52c41a', '#a0d911', '#faad14', '#fa8c16', '#f5222d'];

export const ITEM_ROLES = [
  'teacher',
  'head_teacher',
  'school_admin',
  'county_admin',
  'city_admin',
  'province_admin',
  'researcher',
  'sysadmin',
] as const;
const REGION_EDITORS = ['researcher', 'province_admin', 'sysadmin'] as const;

/** Mirrors the server's rule (the server decides; this only hides buttons that cannot work). */
export function mayEdit(me: Me | null | undefined, item: Item): boolean {
  if (!me) return false;
  if (item.owner.type === 'teacher') return item.owner.id === me.id;
  if (item.owner.type === 'school')
    return item.authorId === me.id || me.roles.some((r) => r.role === 'school_admin' && r.scopeId === item.owner.id);
  return hasRole(me, ...REGION_EDITORS);
}

export function shareTargets(me: Me | null | undefined, item: Item): ('school' | 'region')[] {
  if (!me) return [];
  const out: ('school' | 'region')[] = [];
  if (item.owner.type === 'teacher' && hasRole(me, 'teacher', 'head_teacher', 'school_admin')) out.push('school');
  if (item.owner.type !== 'region' && hasRole(me, 'school_admin', ...REGION_EDITORS)) out.push('region');
  return out;
}

/** Banks a user can save a new item into. */
export function banksFor(me: Me | null | undefined): Bank[] {
  const out: Bank[] = ['mine'];
  if (hasRole(me, 'teacher', 'head_teacher', 'school_admin')) out.push('school');
  if (hasRole(me, 'school_admin', ...REGION_EDITORS)) out.push('region');
  return out;
}

export const isRegionAdmin = (me: Me | null | undefined) => hasRole(me, ...REGION_ADMIN_ROLES);

/** The {{n}} markers of a stem, in order of appearance, without duplicates. */
export function blankIds(stem: string): string[] {
  const ids: string[] = [];
  for (const m of stem.matchAll(/\{\{(\d{1,2})\}\}/g)) if (!ids.includes(m[1]!)) ids.push(m[1]!);
  return ids;
}

/** A fresh body of a type, keeping the stem. */
export function emptyBody(type: ItemType, stem = ''): ItemBody {
  const options = ['A', 'B', 'C', 'D'].map((key) => ({ key, text: '' }));
  switch (type) {
    case 'single_choice':
      return { type, stem, options, answer: 'A' };
    case 'multiple_choice':
      return { type, stem, options, answer: ['A'], partialCredit: 'lenient' };
    case 'true_false':
      return { type, stem, answer: true };
    case 'fill_blank':
      return { type, stem: stem || '{{1}}', blanks: syncBlanks(stem || '{{1}}', []) };
    case 'math':
      return { type, stem, answer: '', tolerance: 0, unit: null };
    case 'short_answer':
      return { type, stem, referenceAnswer: '', keyPoints: [{ id: 'k1', meaning: '', variants: [], score: 1 }] };
    case 'essay':
      return {
        type,
        stem,
        minWords: null,
        dimensions: [{ id: 'd1', name: '', min: 0, max: 5, levels: [{ score: 5, descriptor: '' }] }],
      };
    case 'composite':
      return { type, stem, parts: [{ body: emptyBody('single_choice') as PartBody, score: 1 }] };
  }
}

type Blank = Extract<ItemBody, { type: 'fill_blank' }>['blanks'][number];

/** The blanks of a fill-in stem: one per {{n}} marker, keeping the settings of existing ones. */
export function syncBlanks(stem: string, blanks: Blank[]): Blank[] {
  return blankIds(stem).map(
    (id) => blanks.find((b) => b.id === id) ?? { id, accepted: [], ignoreWidth: true, ignoreSpaces: true, ignoreCase: false, score: 1 },
  );
}

/** The subjects and, for one subject, its published knowledge points by code. */
export function useSubjects() {
  return useApi<Subject[]>('/api/curriculum/subjects');
}

export function usePoints(subject: string | undefined) {
  const graph = useApi<Graph>(subject ? `/api/curriculum/subjects/${encodeURIComponent(subject)}/graph` : null);
  const byCode = useMemo(() => {
    const m = new Map<string, KnowledgePoint>();
    for (const p of graph.data?.points ?? []) m.set(p.code, p);
    return m;
  }, [graph.data]);
  return { ...graph, points: graph.data?.points ?? [], byCode };
}

export function subjectName(subjects: Subject[] | undefined, code: string, lang: string): string {
  const s = subjects?.find((x) => x.code === code);
  if (!s) return code;
  return lang === 'en' ? s.nameEn : s.name;
}

export function toInput(item: Item): ItemInput {
  return {
    subject: item.subject,
    grade: item.grade,
    body: item.body,
    explanation: item.explanation,
    knowledgePoints: item.knowledgePoints,
    difficulty: item.difficulty,
    score: item.score,
  };
}

/** Knowledge-point names of several subjects' published graphs, each graph fetched once per page load. */
const graphCache = new Map<string, Promise<Graph | null>>();
function loadGraph(subject: string): Promise<Graph | null> {
  let p = graphCache.get(subject);
  if (!p) {
    p = api.get<Graph>(`/api/curriculum/subjects/${encodeURIComponent(subject)}/graph`).catch(() => {
      graphCache.delete(subject);
      return null;
    });
    graphCache.set(subject, p);
  }
  return p;
}

export function usePointNames(subjects: string[]): (subject: string, code: string) => string {
  const key = [...new Set(subjects)].sort().join(',');
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let cancelled = false;
    const list = key ? key.split(',') : [];
    void Promise.all(list.map(loadGraph)).then((graphs) => {
      if (cancelled) return;
      const m = new Map<string, string>();
      graphs.forEach((g, i) => g?.points.forEach((p) => m.set(`${list[i]}:${p.code}`, p.name)));
      setNames(m);
    });
    return () => {
      cancelled = true;
    };
  }, [key]);
  return useCallback((subject: string, code: string) => names.get(`${subject}:${code}`) ?? code, [names]);
}
