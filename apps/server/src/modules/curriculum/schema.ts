/** Request and response shapes of the curriculum module. */
import { z } from 'zod';

const noNul = (s: string) => !s.includes('\u0000');
const text = (max: number) => z.string().trim().max(max).refine(noNul, 'must not contain NUL characters');

export const SubjectCode = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/);

export const Subject = z.object({
  code: z.string(),
  name: z.string(),
  nameEn: z.string(),
  publishedVersion: z.number().int().nullable(),
  hasDraft: z.boolean(),
  pointCount: z.number().int(),
});
export type Subject = z.infer<typeof Subject>;

export const Domain = z.object({ code: text(32).min(1), name: text(60).min(1), nameEn: text(100).nullable().optional() });

export const KnowledgePoint = z.object({
  code: z.string(),
  name: z.string(),
  description: z.string(),
  grade: z.number().int(),
  domain: z.string().nullable(),
  prerequisites: z.array(z.string()),
});
export type KnowledgePoint = z.infer<typeof KnowledgePoint>;

export const Graph = z.object({
  subject: z.object({ code: z.string(), name: z.string(), nameEn: z.string() }),
  versionId: z.string(),
  version: z.number().int().nullable(),
  status: z.enum(['draft', 'published']),
  publishedAt: z.string().nullable(),
  domains: z.array(z.object({ code: z.string(), name: z.string(), nameEn: z.string().nullable() })),
  points: z.array(KnowledgePoint),
});
export type Graph = z.infer<typeof Graph>;

export const GraphVersionQuery = z.object({
  /** 'published' (the latest published, default), 'draft', or a version number. */
  version: z.union([z.enum(['published', 'draft']), z.coerce.number().int().min(1)]).default('published'),
});

/** The JSON exchange format: what export writes and import reads. */
export const GraphDocument = z.object({
  subject: z.object({ code: SubjectCode, name: text(30).min(1), nameEn: text(60).min(1) }).optional(),
  domains: z.array(Domain).max(100).default([]),
  points: z
    .array(
      z.object({
        code: z.string().max(200),
        name: z.string().max(1000),
        description: z.string().max(5000).default(''),
        grade: z.number(),
        domain: z.string().max(64).nullable().optional(),
        prerequisites: z.array(z.string().max(200)).max(100).default([]),
      }),
    )
    .max(20000),
});
export type GraphDocument = z.infer<typeof GraphDocument>;

export const GraphProblem = z.object({
  row: z.number().int(),
  code: z.string(),
  kind: z.string(),
  field: z.string().nullable(),
  message: z.object({ zh: z.string(), en: z.string() }),
  related: z.array(z.string()),
});

export const CreateSubjectBody = z.object({ code: SubjectCode, name: text(30).min(1), nameEn: text(60).min(1) });
export const PublishBody = z.object({ note: text(500).optional() });
