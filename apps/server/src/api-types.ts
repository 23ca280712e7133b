/** Types of the HTTP API for the web app: derived from the routes' zod schemas, never redeclared. */
export type {
  Role,
  RoleBinding,
  Me,
  ClassSummary,
  StudentSummary,
  StudentDetail,
  SchoolSummary,
  ApiKeyInfo,
  RosterImport,
  RosterRowError,
} from './modules/identity/schema.js';
export type { Subject, Graph, KnowledgePoint } from './modules/curriculum/schema.js';
export type { Item, ItemBody, ItemInput } from './modules/curriculum/item-schema.js';
export type { AuditEntry } from './platform/audit/schema.js';
export type { AssignmentReport } from './modules/analytics/schema.js';
export type { CockpitTrace, CockpitView } from './modules/analytics/cockpit-schema.js';
export type { Checkup, Portrait, QualityDomain, QualityInput, QualityList, QualityRecord, TeacherList } from './modules/analytics/portrait-schema.js';
export type { Lang } from './platform/http/errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  messages: { 'zh-CN': string; en: string };
  [extra: string]: unknown;
}

export interface PageOf<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
export type {
  Assignment,
  AssignmentSummary,
  AssignmentInput,
  Blueprint,
  ReviewTask,
  Submission,
  SubmissionList,
  NotebookEntry,
  RetryResult,
  Agreement,
} from './modules/assessment/api-types.js';
export type {
  PointMastery,
  PracticeItem,
  Plan,
  PathResult,
  PracticeResult,
  MasteryHistory,
  ClassMastery,
  TierRequest,
  TierPlan,
  TierAssign,
  TierAssignResult,
  RefitStatus,
} from './modules/learning/api-types.js';
