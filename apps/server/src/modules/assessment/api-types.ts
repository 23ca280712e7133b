/** Types of the assessment API for the web client (inferred from the zod schemas). */
import type { z } from 'zod';
import type * as S from './schema.js';

export type Assignment = z.infer<typeof S.Assignment>;
export type AssignmentSummary = z.infer<typeof S.AssignmentSummary>;
export type AssignmentInput = z.input<typeof S.AssignmentInput>;
export type Blueprint = z.input<typeof S.Blueprint>;
export type ReviewTask = z.infer<typeof S.ReviewTask>;
export type Submission = z.infer<typeof S.Submission>;
export type SubmissionList = z.infer<typeof S.SubmissionList>;
export type NotebookEntry = z.infer<typeof S.NotebookEntry>;
export type RetryResult = z.infer<typeof S.RetryResult>;
export type Agreement = z.infer<typeof S.Agreement>;
