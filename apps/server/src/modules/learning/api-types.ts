/** Types of the learning API for the web client (inferred from the zod schemas). */
import type { z } from 'zod';
import type * as S from './schema.js';

export type PointMastery = z.infer<typeof S.PointMastery>;
export type PracticeItem = z.infer<typeof S.PracticeItem>;
export type Plan = z.infer<typeof S.Plan>;
export type PathResult = z.infer<typeof S.PathResult>;
export type PracticeResult = z.infer<typeof S.PracticeResult>;
export type MasteryHistory = z.infer<typeof S.MasteryHistory>;
export type ClassMastery = z.infer<typeof S.ClassMastery>;
export type TierRequest = z.input<typeof S.TierRequest>;
export type TierPlan = z.infer<typeof S.TierPlan>;
export type TierAssign = z.input<typeof S.TierAssign>;
export type TierAssignResult = z.infer<typeof S.TierAssignResult>;
export type RefitStatus = z.infer<typeof S.RefitStatus>;
