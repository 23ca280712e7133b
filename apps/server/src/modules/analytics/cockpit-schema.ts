/** API shapes of the region cockpit (区域驾驶舱): aggregates only, never a person. */
import { z } from 'zod';

const rate = z.number().nullable();
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const CockpitQuery = z.object({
  /** A region in the viewer's subtree; default: the viewer's own region. */
  region: z.string().uuid().optional(),
  /** The subject of the knowledge-point heatmap; default: the one with most answers. */
  subject: z.string().min(1).max(32).optional(),
  /** Period (China-time dates, rounded out to whole weeks); default: the last 12 weeks. */
  from: Day.optional(),
  to: Day.optional(),
});

export const TraceQuery = CockpitQuery.extend({
  figure: z.enum(['participation', 'mastery', 'ai']),
  /** participation and mastery: the school; ai: a school, or none for the region's district figure. */
  school: z.string().uuid().optional(),
  /** mastery: the knowledge point (with `subject`). */
  kp: z.string().min(1).max(64).optional(),
});

const AiFigure = z.object({
  active: z.number().int(),
  activeTeachers: z.number().int(),
  activeStudents: z.number().int(),
  regular: z.number().int().nullable(),
  rate,
  target: z.number(),
  /** null when suppressed or unknown. */
  met: z.boolean().nullable(),
  suppressed: z.boolean(),
});

export const CockpitView = z.object({
  viewer: z.enum(['admin', 'researcher']),
  region: z.object({ id: z.string(), name: z.string(), level: z.string() }),
  /** Regions the viewer may pick (their subtree). */
  regions: z.array(z.object({ id: z.string(), name: z.string(), level: z.string(), parentId: z.string().nullable() })),
  period: z.object({ from: z.string(), to: z.string(), weeks: z.number().int() }),
  minGroupSize: z.number().int(),
  totals: z.object({
    schools: z.number().int(),
    /** Active (enabled) enrolled students, as of the last AI-use sync. */
    students: z.number().int(),
    participating: z.number().int(),
    participation: rate,
  }),
  ai: z.object({
    n: z.number().int(),
    m: z.number().int(),
    /** The M complete weeks (Mondays), oldest first. */
    weeks: z.array(z.string()),
    targets: z.object({ school: z.number(), district: z.number() }),
    computedAt: z.string().nullable(),
    /** The whole region (all its schools' people), held to the district target. */
    region: AiFigure,
    districts: z.array(z.object({ id: z.string(), name: z.string(), schools: z.number().int() }).merge(AiFigure)),
  }),
  schools: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      districtId: z.string().nullable(),
      districtName: z.string(),
      enrolled: z.number().int(),
      participating: z.number().int(),
      participation: rate,
      participationSuppressed: z.boolean(),
      ai: AiFigure,
    }),
  ),
  subjects: z.array(z.object({ code: z.string(), name: z.string(), rate, responses: z.number().int() })),
  mastery: z.object({
    subject: z.string().nullable(),
    subjectName: z.string().nullable(),
    points: z.array(z.object({ code: z.string(), name: z.string() })),
    /** One per (school, point) with answers; `rate` null when fewer than minGroupSize students are behind it. */
    cells: z.array(z.object({ school: z.string(), kp: z.string(), rate, responses: z.number().int(), suppressed: z.boolean() })),
  }),
});

export const CockpitTrace = z.object({
  figure: z.enum(['participation', 'mastery', 'ai']),
  /** What the rows add up to (the figure on the dashboard). */
  total: z.record(z.string(), z.number().nullable()),
  columns: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
  note: z.object({ 'zh-CN': z.string(), en: z.string() }).nullable(),
});

export type CockpitView = z.infer<typeof CockpitView>;
export type CockpitTrace = z.infer<typeof CockpitTrace>;
export type CockpitQuery = z.infer<typeof CockpitQuery>;
