/**
 * The authorization matrix: for every route of the API and every role, the expected allow or
 * deny, asserted against the running server. A route without an entry here fails the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type RunningServer } from '../support/server.js';

const ROLE_USERS = {
  student: 'student1',
  parent: 'parent1',
  teacher: 'teacher1',
  head_teacher: 'head_teacher1',
  school_admin: 'school_admin1',
  county_admin: 'county_admin1',
  city_admin: 'city_admin1',
  province_admin: 'province_admin',
  researcher: 'researcher1',
  sysadmin: 'sysadmin',
  auditor: 'auditor1',
} as const;
type Role = keyof typeof ROLE_USERS;
const ALL = Object.keys(ROLE_USERS) as Role[];
const ADMINS: Role[] = ['school_admin', 'county_admin', 'city_admin', 'province_admin', 'sysadmin'];
const REGION: Role[] = ['county_admin', 'city_admin', 'province_admin', 'sysadmin'];
const CURRICULUM_EDITORS: Role[] = ['researcher', 'province_admin', 'sysadmin'];
const STAFF: Role[] = ['teacher', 'head_teacher', 'school_admin', 'county_admin', 'city_admin', 'province_admin', 'researcher', 'sysadmin'];
const TEACHERS: Role[] = ['teacher', 'head_teacher'];
const WARNING_STAFF: Role[] = ['teacher', 'head_teacher', 'school_admin'];
const HUB_READ: Role[] = ['school_admin', 'county_admin', 'city_admin', 'province_admin', 'sysadmin', 'auditor'];
const HUB_OPS: Role[] = ['province_admin', 'sysadmin'];
const CHECKLIST_FAIL = Object.fromEntries(['data_handling', 'content_safety', 'age_suitability', 'evaluation_evidence'].map((k) => [k, { pass: false, note: '' }]));
const blueprint = { subject: 'math', grade: 7, rows: [{ knowledgePoints: ['M7-NA-01'], type: 'single_choice', count: 1, score: 2 }] };
const homework = () => ({
  title: '矩阵测试作业',
  openAt: new Date(Date.now() - 3600_000).toISOString(),
  dueAt: new Date(Date.now() + 86_400_000).toISOString(),
  attemptsAllowed: 10,
  blueprint,
});
let matrixIds: Ids | null = null;
const newItem = () => ({
  subject: 'english',
  grade: 7,
  body: { type: 'true_false', stem: 'Matrix test: "She go to school." is correct.', answer: false },
  explanation: '主语为第三人称单数，应为 goes。',
  knowledgePoints: ['E7-GR-01'],
  difficulty: 1,
});

interface Ids {
  ownStudent: string; // student1: school 1, 七年级(1)班
  otherSchoolStudent: string; // first student of school 2 (same county)
  otherCountyStudent: string; // first student of school 3 (余杭区)
  ownClass: string; // school 1 七年级(1)班
  otherSchoolClass: string; // school 2 七年级(1)班
  unknown: string;
  regionItem: string; // a demo item in the region bank
  assignment: string; // teacher1's homework for ownClass, with attempts left
  submission: string; // student1's submission to it
  ownSchool: string; // XHSY, 西湖区
  teacher: string; // teacher1's user id
}

interface Case {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  route: string;
  path: (ids: Ids) => string;
  body?: () => unknown;
  /** 'public': anyone, signed in or not. Otherwise the roles allowed; everyone else gets 403, anonymous 401. */
  allow: Role[] | 'public';
  /** Authenticated by a gateway key: a session is not enough (401 hub.key_missing for everyone). */
  keyAuth?: boolean;
}

const rosterUpload = () => {
  const fd = new FormData();
  fd.set('file', new Blob(['\ufeff姓名,学号,性别,年级,班级\n'], { type: 'text/csv' }), 'empty.csv');
  return fd;
};

const attendanceUpload = () => {
  const fd = new FormData();
  fd.set('classId', matrixIds!.ownClass);
  fd.set('file', new Blob(['not a workbook'], { type: 'application/octet-stream' }), 'attendance.xlsx');
  return fd;
};

const graphUpload = () => {
  const fd = new FormData();
  fd.set('file', new Blob(['not json'], { type: 'application/json' }), 'graph.json');
  return fd;
};
const tinyGraph = () => ({ domains: [], points: [{ code: 'E-A', name: '测试', grade: 7, prerequisites: [] }] });
const itemUpload = () => {
  const fd = new FormData();
  fd.set('file', new Blob(['not an item file'], { type: 'text/plain' }), 'items.txt');
  return fd;
};

const MATRIX: Case[] = [
  { method: 'GET', route: '/api/health', path: () => '/api/health', allow: 'public' },
  { method: 'POST', route: '/api/auth/login', path: () => '/api/auth/login', body: () => ({ username: 'nobody', password: 'x' }), allow: 'public' },
  { method: 'POST', route: '/api/auth/logout', path: () => '/api/auth/logout', allow: ALL },
  { method: 'POST', route: '/api/auth/password', path: () => '/api/auth/password', body: () => ({ currentPassword: 'wrong-password', newPassword: 'a-new-password-123' }), allow: ALL },
  { method: 'GET', route: '/api/me', path: () => '/api/me', allow: ALL },
  { method: 'GET', route: '/api/me/api-keys', path: () => '/api/me/api-keys', allow: ADMINS },
  { method: 'POST', route: '/api/me/api-keys', path: () => '/api/me/api-keys', body: () => ({ name: 'matrix' }), allow: ADMINS },
  { method: 'DELETE', route: '/api/me/api-keys/{id}', path: (i) => `/api/me/api-keys/${i.unknown}`, allow: ADMINS },
  { method: 'GET', route: '/api/schools', path: () => '/api/schools', allow: [...ADMINS, 'researcher'] },
  { method: 'GET', route: '/api/classes', path: () => '/api/classes', allow: ['teacher', 'head_teacher', ...ADMINS] },
  { method: 'GET', route: '/api/classes/{id}/students', path: (i) => `/api/classes/${i.ownClass}/students`, allow: ['teacher', 'head_teacher', ...ADMINS] },
  { method: 'GET', route: '/api/classes/{id}/students', path: (i) => `/api/classes/${i.otherSchoolClass}/students`, allow: REGION },
  { method: 'GET', route: '/api/students', path: () => '/api/students', allow: ['student', 'parent', 'teacher', 'head_teacher', ...ADMINS] },
  { method: 'GET', route: '/api/students/{id}', path: (i) => `/api/students/${i.ownStudent}`, allow: ['student', 'parent', 'teacher', 'head_teacher', ...ADMINS] },
  { method: 'GET', route: '/api/students/{id}', path: (i) => `/api/students/${i.otherSchoolStudent}`, allow: REGION },
  { method: 'GET', route: '/api/students/{id}', path: (i) => `/api/students/${i.otherCountyStudent}`, allow: ['city_admin', 'province_admin', 'sysadmin'] },
  { method: 'GET', route: '/api/roster/template', path: () => '/api/roster/template?format=csv', allow: ALL },
  { method: 'POST', route: '/api/roster/imports', path: () => '/api/roster/imports', body: rosterUpload, allow: ['school_admin'] },
  { method: 'GET', route: '/api/roster/imports', path: () => '/api/roster/imports', allow: ['school_admin'] },
  { method: 'GET', route: '/api/roster/imports/{id}', path: (i) => `/api/roster/imports/${i.unknown}`, allow: ['school_admin'] },
  { method: 'GET', route: '/api/curriculum/subjects', path: () => '/api/curriculum/subjects', allow: ALL },
  { method: 'POST', route: '/api/curriculum/subjects', path: () => '/api/curriculum/subjects', body: () => ({ code: 'matrix', name: '矩阵', nameEn: 'Matrix' }), allow: CURRICULUM_EDITORS },
  { method: 'GET', route: '/api/curriculum/subjects/{subject}/graph', path: () => '/api/curriculum/subjects/math/graph', allow: ALL },
  { method: 'GET', route: '/api/curriculum/subjects/{subject}/graph/export', path: () => '/api/curriculum/subjects/math/graph/export?format=xlsx', allow: ALL },
  { method: 'GET', route: '/api/curriculum/subjects/{subject}/points/{code}/prerequisites', path: () => '/api/curriculum/subjects/math/points/NO-SUCH/prerequisites', allow: ALL },
  { method: 'POST', route: '/api/curriculum/subjects/{subject}/draft', path: () => '/api/curriculum/subjects/math/draft', allow: CURRICULUM_EDITORS },
  { method: 'PUT', route: '/api/curriculum/subjects/{subject}/draft', path: () => '/api/curriculum/subjects/matrix/draft', body: tinyGraph, allow: CURRICULUM_EDITORS },
  { method: 'POST', route: '/api/curriculum/subjects/{subject}/draft/import', path: () => '/api/curriculum/subjects/matrix/draft/import', body: graphUpload, allow: CURRICULUM_EDITORS },
  { method: 'POST', route: '/api/curriculum/subjects/{subject}/draft/publish', path: () => '/api/curriculum/subjects/matrix/draft/publish', body: () => ({}), allow: CURRICULUM_EDITORS },
  { method: 'DELETE', route: '/api/curriculum/subjects/{subject}/draft', path: () => '/api/curriculum/subjects/math/draft', allow: CURRICULUM_EDITORS },
  { method: 'GET', route: '/api/items', path: () => '/api/items?q=%E6%96%B9%E7%A8%8B', allow: STAFF },
  { method: 'POST', route: '/api/items', path: () => '/api/items', body: newItem, allow: STAFF },
  { method: 'GET', route: '/api/items/{id}', path: (i) => `/api/items/${i.regionItem}`, allow: STAFF },
  { method: 'PUT', route: '/api/items/{id}', path: (i) => `/api/items/${i.regionItem}`, body: newItem, allow: CURRICULUM_EDITORS },
  { method: 'GET', route: '/api/items/{id}/versions', path: (i) => `/api/items/${i.regionItem}/versions`, allow: STAFF },
  { method: 'GET', route: '/api/items/{id}/versions/{version}', path: (i) => `/api/items/${i.regionItem}/versions/1`, allow: STAFF },
  { method: 'POST', route: '/api/items/{id}/share', path: (i) => `/api/items/${i.regionItem}/share`, body: () => ({ to: 'region' }), allow: CURRICULUM_EDITORS },
  { method: 'GET', route: '/api/items/template.xlsx', path: () => '/api/items/template.xlsx', allow: STAFF },
  { method: 'POST', route: '/api/items/import', path: () => '/api/items/import', body: itemUpload, allow: STAFF },
  { method: 'GET', route: '/api/items/export.qti.zip', path: (i) => `/api/items/export.qti.zip?ids=${i.regionItem}`, allow: STAFF },
  { method: 'POST', route: '/api/assignments/assemble', path: () => '/api/assignments/assemble', body: () => blueprint, allow: TEACHERS },
  { method: 'POST', route: '/api/assignments', path: () => '/api/assignments', body: () => ({ ...homework(), classIds: [matrixIds!.ownClass] }), allow: TEACHERS },
  { method: 'GET', route: '/api/assignments', path: () => '/api/assignments', allow: [...TEACHERS, 'student'] },
  { method: 'GET', route: '/api/assignments/{id}', path: (i) => `/api/assignments/${i.assignment}`, allow: [...TEACHERS, 'student'] },
  { method: 'GET', route: '/api/assignments/{id}/draft', path: (i) => `/api/assignments/${i.assignment}/draft`, allow: ['student'] },
  { method: 'PUT', route: '/api/assignments/{id}/draft', path: (i) => `/api/assignments/${i.assignment}/draft`, body: () => ({ answers: {} }), allow: ['student'] },
  { method: 'POST', route: '/api/assignments/{id}/submissions', path: (i) => `/api/assignments/${i.assignment}/submissions`, body: () => ({ clientId: crypto.randomUUID(), answers: {} }), allow: ['student'] },
  { method: 'GET', route: '/api/assignments/{id}/submissions', path: (i) => `/api/assignments/${i.assignment}/submissions`, allow: TEACHERS },
  { method: 'GET', route: '/api/assignments/{id}/my-submissions', path: (i) => `/api/assignments/${i.assignment}/my-submissions`, allow: ['student'] },
  { method: 'GET', route: '/api/assignments/{id}/agreement', path: (i) => `/api/assignments/${i.assignment}/agreement`, allow: TEACHERS },
  { method: 'GET', route: '/api/submissions/{id}', path: (i) => `/api/submissions/${i.submission}`, allow: [...TEACHERS, 'student'] },
  { method: 'GET', route: '/api/review', path: () => '/api/review', allow: TEACHERS },
  { method: 'POST', route: '/api/review/{id}/{position}', path: (i) => `/api/review/${i.unknown}/1`, body: () => ({}), allow: TEACHERS },
  { method: 'POST', route: '/api/review/bulk-accept', path: () => '/api/review/bulk-accept', body: () => ({ assignmentId: matrixIds!.assignment, minConfidence: 1 }), allow: TEACHERS },
  { method: 'GET', route: '/api/assignments/{id}/paper-template.xlsx', path: (i) => `/api/assignments/${i.assignment}/paper-template.xlsx`, allow: TEACHERS },
  { method: 'POST', route: '/api/assignments/{id}/paper-scores', path: (i) => `/api/assignments/${i.assignment}/paper-scores`, body: itemUpload, allow: TEACHERS },
  { method: 'GET', route: '/api/notebook', path: () => '/api/notebook', allow: ['student'] },
  { method: 'POST', route: '/api/notebook/{id}/retry', path: (i) => `/api/notebook/${i.unknown}/retry`, body: () => ({ answer: 'A' }), allow: ['student'] },
  { method: 'POST', route: '/api/notebook/{id}/status', path: (i) => `/api/notebook/${i.unknown}/status`, body: () => ({ status: 'mastered' }), allow: ['student'] },
  { method: 'GET', route: '/api/learning/plan', path: () => '/api/learning/plan?subject=math', allow: ['student'] },
  { method: 'GET', route: '/api/learning/mastery', path: () => '/api/learning/mastery?subject=math', allow: ['student'] },
  { method: 'GET', route: '/api/learning/history', path: () => '/api/learning/history?subject=math', allow: ['student'] },
  { method: 'GET', route: '/api/learning/path', path: () => '/api/learning/path?subject=math&goal=M7-NA-02', allow: ['student'] },
  { method: 'POST', route: '/api/learning/practice', path: () => '/api/learning/practice', body: () => ({ itemId: matrixIds!.unknown, answer: 'A' }), allow: ['student'] },
  { method: 'GET', route: '/api/learning/classes/{id}/mastery', path: (i) => `/api/learning/classes/${i.ownClass}/mastery?subject=math`, allow: TEACHERS },
  { method: 'POST', route: '/api/learning/tiers', path: () => '/api/learning/tiers', body: () => ({ classId: matrixIds!.ownClass, subject: 'math', knowledgePoints: ['M7-NA-01'] }), allow: TEACHERS },
  {
    method: 'POST',
    route: '/api/learning/tiers/assign',
    path: () => '/api/learning/tiers/assign',
    body: () => ({
      classId: matrixIds!.ownClass,
      title: '矩阵分层',
      openAt: new Date().toISOString(),
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      tiers: [{ label: 'A', studentIds: [matrixIds!.ownStudent], itemIds: [matrixIds!.regionItem] }],
    }),
    allow: TEACHERS,
  },
  { method: 'POST', route: '/api/learning/refits', path: () => '/api/learning/refits', body: () => ({ subject: 'math' }), allow: ['researcher', 'province_admin', 'sysadmin'] },
  { method: 'GET', route: '/api/learning/refits/{id}', path: (i) => `/api/learning/refits/${i.unknown}`, allow: ['researcher', 'province_admin', 'sysadmin'] },
  // The AI hub: operators run the registry, region admins review and meter their region, schools key and request.
  { method: 'GET', route: '/api/hub/scopes', path: () => '/api/hub/scopes', allow: HUB_READ },
  { method: 'GET', route: '/api/hub/models', path: () => '/api/hub/models', allow: HUB_READ },
  { method: 'POST', route: '/api/hub/models', path: () => '/api/hub/models', body: () => ({ name: 'matrix-model', vendor: '测试', promptPrice: 1, completionPrice: 1 }), allow: HUB_OPS },
  { method: 'PATCH', route: '/api/hub/models/{id}', path: (i) => `/api/hub/models/${i.unknown}`, body: () => ({ promptPrice: 2 }), allow: HUB_OPS },
  { method: 'GET', route: '/api/hub/nodes', path: () => '/api/hub/nodes', allow: HUB_READ },
  { method: 'POST', route: '/api/hub/nodes', path: () => '/api/hub/nodes', body: () => ({ name: 'matrix-node', tier: 'rented', baseUrl: 'http://127.0.0.1:9/v1', models: [] }), allow: HUB_OPS },
  { method: 'PATCH', route: '/api/hub/nodes/{id}', path: (i) => `/api/hub/nodes/${i.unknown}`, body: () => ({ weight: 2 }), allow: HUB_OPS },
  { method: 'POST', route: '/api/hub/nodes/{id}/check', path: (i) => `/api/hub/nodes/${i.unknown}/check`, allow: HUB_OPS },
  { method: 'GET', route: '/api/hub/products', path: () => '/api/hub/products', allow: HUB_READ },
  { method: 'POST', route: '/api/hub/products', path: () => '/api/hub/products', body: () => ({ name: '矩阵应用', kind: 'app', vendor: '测试公司', purpose: '测试', dataTouched: [], gradeBands: ['junior'] }), allow: ADMINS },
  { method: 'GET', route: '/api/hub/products/{id}', path: (i) => `/api/hub/products/${i.unknown}`, allow: HUB_READ },
  { method: 'POST', route: '/api/hub/products/{id}/reviews', path: (i) => `/api/hub/products/${i.unknown}/reviews`, body: () => ({ decision: 'reject', checklist: CHECKLIST_FAIL, comment: '矩阵' }), allow: REGION },
  { method: 'POST', route: '/api/hub/approvals/{id}/revoke', path: (i) => `/api/hub/approvals/${i.unknown}/revoke`, body: () => ({ reason: '矩阵' }), allow: REGION },
  { method: 'GET', route: '/api/hub/keys', path: () => '/api/hub/keys', allow: ADMINS },
  { method: 'POST', route: '/api/hub/keys', path: () => '/api/hub/keys', body: () => ({ name: 'matrix', ownerType: 'school', ownerId: matrixIds!.ownSchool, gradeBand: 'junior' }), allow: ADMINS },
  { method: 'POST', route: '/api/hub/keys/{id}/revoke', path: (i) => `/api/hub/keys/${i.unknown}/revoke`, allow: ADMINS },
  { method: 'GET', route: '/api/hub/quotas', path: () => '/api/hub/quotas', allow: HUB_READ },
  { method: 'POST', route: '/api/hub/quotas', path: () => '/api/hub/quotas', body: () => ({ subjectType: 'school', subjectId: matrixIds!.ownSchool, period: 'day', rpm: 100000 }), allow: REGION },
  { method: 'DELETE', route: '/api/hub/quotas/{id}', path: (i) => `/api/hub/quotas/${i.unknown}`, allow: REGION },
  { method: 'GET', route: '/api/hub/compute-requests', path: () => '/api/hub/compute-requests', allow: HUB_READ },
  { method: 'POST', route: '/api/hub/compute-requests', path: () => '/api/hub/compute-requests', body: () => ({ schoolId: matrixIds!.ownSchool, scenario: '矩阵', needs: '测试', modelIds: [matrixIds!.unknown], startsOn: '2026-12-01', days: 30, monthlyTokens: 100000, rpm: 10 }), allow: ['school_admin'] },
  { method: 'POST', route: '/api/hub/compute-requests/{id}/decision', path: (i) => `/api/hub/compute-requests/${i.unknown}/decision`, body: () => ({ approve: false }), allow: REGION },
  { method: 'GET', route: '/api/hub/usage', path: () => '/api/hub/usage?from=2026-11-01&to=2026-11-30', allow: HUB_READ },
  { method: 'GET', route: '/api/hub/statements', path: () => '/api/hub/statements?month=2026-11', allow: HUB_READ },
  { method: 'GET', route: '/api/hub/statements.xlsx', path: () => '/api/hub/statements.xlsx?month=2026-11', allow: HUB_READ },
  { method: 'GET', route: '/api/hub/calls', path: () => '/api/hub/calls', allow: HUB_READ },
  { method: 'GET', route: '/api/hub/calls/{id}/content', path: () => '/api/hub/calls/999999999/content', allow: ['sysadmin', 'auditor'] },
  { method: 'GET', route: '/api/hub/lexicon', path: () => '/api/hub/lexicon', allow: HUB_OPS },
  { method: 'POST', route: '/api/hub/lexicon', path: () => '/api/hub/lexicon', body: () => ({ terms: [{ term: '矩阵测试词', category: '测试', action: 'flag' }] }), allow: HUB_OPS },
  { method: 'DELETE', route: '/api/hub/lexicon/{id}', path: (i) => `/api/hub/lexicon/${i.unknown}`, allow: HUB_OPS },
  { method: 'GET', route: '/api/hub/policies', path: () => '/api/hub/policies', allow: HUB_READ },
  { method: 'PUT', route: '/api/hub/policies/{band}', path: () => '/api/hub/policies/adult', body: () => ({ maskPii: true, restorePii: true, scanInput: true, scanOutput: true, retentionDays: 180 }), allow: HUB_OPS },
  // The gateway authenticates by gateway key, not session: every caller without one gets 401 (never 403).
  { method: 'GET', route: '/v1/models', path: () => '/v1/models', allow: ALL, keyAuth: true },
  { method: 'POST', route: '/v1/chat/completions', path: () => '/v1/chat/completions', body: () => ({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }), allow: ALL, keyAuth: true },
  { method: 'POST', route: '/v1/embeddings', path: () => '/v1/embeddings', body: () => ({ model: 'x', input: 'hi' }), allow: ALL, keyAuth: true },
  { method: 'GET', route: '/api/audit', path: () => '/api/audit', allow: ['auditor', 'sysadmin'] },
  { method: 'GET', route: '/api/audit/verify', path: () => '/api/audit/verify', allow: ['auditor', 'sysadmin'] },
  // Early warning: the school's own staff only (teachers and head teachers of the class, school admins); region admins get counts without names.
  { method: 'POST', route: '/api/warning/attendance', path: () => '/api/warning/attendance', body: () => ({ classId: matrixIds!.ownClass, date: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), records: [{ studentId: matrixIds!.ownStudent, status: 'present' }] }), allow: WARNING_STAFF },
  { method: 'GET', route: '/api/warning/attendance/template.xlsx', path: () => '/api/warning/attendance/template.xlsx', allow: ALL },
  { method: 'POST', route: '/api/warning/attendance/import', path: () => '/api/warning/attendance/import', body: attendanceUpload, allow: WARNING_STAFF },
  { method: 'GET', route: '/api/warning/classes/{id}/attendance', path: (i) => `/api/warning/classes/${i.ownClass}/attendance?from=2026-11-01&to=2026-11-30`, allow: WARNING_STAFF },
  { method: 'GET', route: '/api/warning/classes/{id}/attendance', path: (i) => `/api/warning/classes/${i.otherSchoolClass}/attendance?from=2026-11-01&to=2026-11-30`, allow: [] },
  { method: 'GET', route: '/api/warning/alerts', path: () => '/api/warning/alerts', allow: WARNING_STAFF },
  { method: 'GET', route: '/api/warning/alerts/{id}', path: (i) => `/api/warning/alerts/${i.unknown}`, allow: WARNING_STAFF },
  ...(['verify', 'follow-up', 'close', 'dismiss'] as const).map((a): Case => ({ method: 'POST', route: `/api/warning/alerts/{id}/${a}`, path: (i) => `/api/warning/alerts/${i.unknown}/${a}`, body: () => ({ note: '矩阵' }), allow: WARNING_STAFF })),
  { method: 'GET', route: '/api/warning/counts', path: () => '/api/warning/counts', allow: ADMINS },
  { method: 'GET', route: '/api/warning/students/{id}/referral-recipients', path: (i) => `/api/warning/students/${i.ownStudent}/referral-recipients`, allow: WARNING_STAFF },
  { method: 'POST', route: '/api/warning/referrals', path: () => '/api/warning/referrals', body: () => ({ studentId: matrixIds!.ownStudent, referredTo: matrixIds!.unknown, note: '矩阵' }), allow: WARNING_STAFF },
  { method: 'GET', route: '/api/warning/referrals', path: () => '/api/warning/referrals', allow: WARNING_STAFF },
  { method: 'POST', route: '/api/warning/referrals/{id}/close', path: (i) => `/api/warning/referrals/${i.unknown}/close`, allow: WARNING_STAFF },
  // Analytics: a report for the teachers of the assignment's classes and the admins above them; calibration for modellers.
  { method: 'GET', route: '/api/analytics/assignments/{id}/report', path: (i) => `/api/analytics/assignments/${i.assignment}/report`, allow: [...TEACHERS, ...ADMINS] },
  { method: 'GET', route: '/api/analytics/assignments/{id}/report.xlsx', path: (i) => `/api/analytics/assignments/${i.assignment}/report.xlsx`, allow: [...TEACHERS, ...ADMINS] },
  { method: 'GET', route: '/api/analytics/assignments/{id}/report.pdf', path: (i) => `/api/analytics/assignments/${i.assignment}/report.pdf`, allow: [...TEACHERS, ...ADMINS] },
  { method: 'POST', route: '/api/analytics/calibrations', path: () => '/api/analytics/calibrations', body: () => ({ subject: 'math', minResponses: 5 }), allow: ['researcher', 'province_admin', 'sysadmin'] },
  { method: 'GET', route: '/api/analytics/calibrations/{id}', path: (i) => `/api/analytics/calibrations/${i.unknown}`, allow: ['researcher', 'province_admin', 'sysadmin'] },
  { method: 'GET', route: '/api/analytics/cockpit', path: () => '/api/analytics/cockpit', allow: ['county_admin', 'city_admin', 'province_admin', 'researcher'] },
  { method: 'GET', route: '/api/analytics/cockpit/trace', path: (i) => `/api/analytics/cockpit/trace?figure=participation&school=${i.ownSchool}`, allow: ['county_admin', 'city_admin', 'province_admin', 'researcher'] },
  // Portrait and quality records: the student, their parent, their class's teachers and school admin only; check-up: the teacher and their school admin.
  { method: 'GET', route: '/api/analytics/students/{id}/portrait', path: (i) => `/api/analytics/students/${i.ownStudent}/portrait`, allow: ['student', 'parent', ...TEACHERS, 'school_admin'] },
  { method: 'GET', route: '/api/analytics/students/{id}/quality', path: (i) => `/api/analytics/students/${i.ownStudent}/quality`, allow: ['student', 'parent', ...TEACHERS, 'school_admin'] },
  { method: 'POST', route: '/api/analytics/students/{id}/quality', path: (i) => `/api/analytics/students/${i.ownStudent}/quality`, body: () => ({ domain: 'labour', title: '矩阵测试', description: '值日', evidence: '值日表', occurredOn: '2026-01-05' }), allow: [...TEACHERS, 'school_admin'] },
  { method: 'POST', route: '/api/analytics/students/{id}/quality/{entryId}/withdraw', path: (i) => `/api/analytics/students/${i.ownStudent}/quality/${i.unknown}/withdraw`, body: () => ({ reason: '矩阵测试' }), allow: [...TEACHERS, 'school_admin'] },
  { method: 'GET', route: '/api/analytics/checkup/teachers', path: () => '/api/analytics/checkup/teachers', allow: [...TEACHERS, 'school_admin'] },
  { method: 'GET', route: '/api/analytics/teachers/{id}/checkup', path: (i) => `/api/analytics/teachers/${i.teacher}/checkup`, allow: ['teacher', 'school_admin'] },
];

let server: RunningServer;
let ids: Ids;
const sessions: Partial<Record<Role, Client>> = {};
async function signIn(role: Role) {
  const c = new Client(server.baseUrl);
  await c.login(ROLE_USERS[role]);
  return c;
}

beforeAll(async () => {
  server = await startServer();
  const admin = new Client(server.baseUrl);
  await admin.login('sysadmin');
  const schools = (await admin.get('/api/schools')).data as { id: string; code: string }[];
  const school = (code: string) => schools.find((s) => s.code === code)!.id;
  const firstStudent = async (schoolId: string) =>
    ((await admin.get(`/api/students?schoolId=${schoolId}&pageSize=1`)).data.items[0] as { id: string; classId: string });
  const own = await firstStudent(school('XHSY'));
  const other = await firstStudent(school('XHEZ'));
  ids = {
    ownStudent: own.id,
    otherSchoolStudent: other.id,
    otherCountyStudent: (await firstStudent(school('YHWC'))).id,
    ownClass: own.classId,
    otherSchoolClass: other.classId,
    unknown: '00000000-0000-4000-8000-000000000000',
    regionItem: (await admin.get('/api/items?owner=region&pageSize=1')).data.items[0].id,
    assignment: '',
    submission: '',
    ownSchool: school('XHSY'),
    teacher: '',
  };
  const teacher = new Client(server.baseUrl);
  await teacher.login('teacher1');
  const a = await teacher.post('/api/assignments', { ...homework(), classIds: [own.classId] });
  if (a.status !== 201) throw new Error(`assignment: ${JSON.stringify(a.data)}`);
  ids.assignment = a.data.id;
  ids.teacher = (await teacher.get('/api/me')).data.id;
  const student = new Client(server.baseUrl);
  await student.login('student1');
  const s = await student.post(`/api/assignments/${a.data.id}/submissions`, { clientId: crypto.randomUUID(), answers: { '1': 'A' } });
  if (s.status !== 201) throw new Error(`submission: ${JSON.stringify(s.data)}`);
  ids.submission = s.data.id;
  matrixIds = ids;
}, 120_000);
afterAll(() => server?.stop());

describe('authorization matrix', () => {
  it('has an entry for every route the server documents', async () => {
    const doc = (await new Client(server.baseUrl).get('/api/openapi.json')).data as { paths: Record<string, object> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const covered = new Set(MATRIX.map((c) => `${c.method} ${c.route}`));
    expect(documented.filter((r) => !covered.has(r))).toEqual([]);
    expect([...covered].filter((r) => !documented.includes(r))).toEqual([]);
  });

  it('the student1 record sits where the matrix assumes', async () => {
    const admin = new Client(server.baseUrl);
    await admin.login('sysadmin');
    const s = (await admin.get(`/api/students/${ids.ownStudent}`)).data;
    expect(s.username).toBe('student1');
  });

  for (const c of MATRIX) {
    it(`${c.method} ${c.route} ${c.allow === 'public' ? '(public)' : ''}`.trim(), async () => {
      const path = c.path(ids);
      const anon = await new Client(server.baseUrl).request(c.method, path, c.body?.());
      if (c.allow === 'public') expect(anon.data?.code, `anonymous ${path}`).not.toBe('auth.required');
      else expect(anon.status, `anonymous ${path}`).toBe(401);

      const results: Record<string, number> = {};
      const expected: Record<string, string> = {};
      const actual: Record<string, string> = {};
      for (const role of ALL) {
        // Signing out ends the session, so that case signs in afresh; the rest reuse one session per role.
        const client = c.route === '/api/auth/logout' ? await signIn(role) : (sessions[role] ??= await signIn(role));
        const r = await client.request(c.method, path, c.body?.());
        results[role] = r.status;
        const allowed = c.allow === 'public' || c.allow.includes(role);
        expected[role] = allowed ? 'allow' : 'deny';
        actual[role] = r.status === 403 ? 'deny' : r.data?.code === 'auth.required' ? 'unauthenticated' : 'allow';
        if (c.keyAuth) expect(r.data?.code, `${role} with a session but no gateway key`).toBe('hub.key_missing');
        if (r.status === 403) {
          expect(r.headers.get('content-type')).toContain('application/problem+json');
          expect(r.data.code).toBe('authz.forbidden');
        }
      }
      expect(actual, `statuses: ${JSON.stringify(results)}`).toEqual(expected);
    });
  }

  it('audits every denial', async () => {
    const admin = new Client(server.baseUrl);
    await admin.login('auditor1');
    const r = await admin.get('/api/audit?action=authz.denied&actor=researcher1&pageSize=200');
    expect(r.data.total).toBeGreaterThan(10);
    const denied = r.data.items.find((e: any) => e.actorName === 'researcher1' && e.resourceId === ids.ownStudent);
    expect(denied).toMatchObject({ outcome: 'denied', resourceType: 'student' });
  });
});
