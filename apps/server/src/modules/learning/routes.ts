/** HTTP routes of the learning module. Thin: parse, call, shape. */
import { z } from 'zod';
import { requirePrincipal, type App } from '../../platform/http/app.js';
import { ClassMastery, MasteryHistory, PathResult, Plan, PointMastery, PracticeAnswer, PracticeResult, RefitStatus, TierAssign, TierAssignResult, TierPlan, TierRequest } from './schema.js';
import type { Learning } from './service.js';

const Subject = z.object({ subject: z.string().min(1).max(32).default('math') });

export function learningRoutes(app: App, l: Learning) {
  const tags = ['learning'];
  app.get(
    '/api/learning/plan',
    { schema: { tags, summary: "The student's plan for today: next points to learn (prerequisites mastered), items near 75 % predicted success, why, and notebook reviews due", querystring: Subject, response: { 200: Plan } } },
    async (req) => (await l.plan(requirePrincipal(req), req.query.subject)) as never,
  );
  app.get(
    '/api/learning/mastery',
    { schema: { tags, summary: "The student's mastery of each knowledge point up to their grade, with evidence and uncertainty", querystring: Subject, response: { 200: z.array(PointMastery) } } },
    async (req) => l.myMastery(requirePrincipal(req), req.query.subject),
  );
  app.get(
    '/api/learning/history',
    { schema: { tags, summary: "The student's mastery over time, per knowledge point", querystring: Subject, response: { 200: MasteryHistory } } },
    async (req) => l.history(requirePrincipal(req), req.query.subject),
  );
  app.get(
    '/api/learning/path',
    {
      schema: {
        tags,
        summary: 'The learning path to a goal point: its prerequisites in order, each with the student’s mastery',
        querystring: Subject.extend({ goal: z.string().min(1).max(64) }),
        response: { 200: PathResult },
      },
    },
    async (req) => l.path(requirePrincipal(req), req.query.subject, req.query.goal),
  );
  app.post(
    '/api/learning/practice',
    { schema: { tags, summary: 'Answer a practice item: marked at once; the mastery of its points moves', body: PracticeAnswer, response: { 200: PracticeResult } } },
    async (req) => (await l.practise(requirePrincipal(req), req.body.itemId, req.body.answer)) as never,
  );
  app.get(
    '/api/learning/classes/:id/mastery',
    {
      schema: {
        tags,
        summary: 'Class mastery heatmap (students × knowledge points), weakest points, students who need attention',
        params: z.object({ id: z.string().uuid() }),
        querystring: Subject,
        response: { 200: ClassMastery },
      },
    },
    async (req) => l.classMastery(requirePrincipal(req), req.params.id, req.query.subject),
  );
  app.post(
    '/api/learning/tiers',
    { schema: { tags, summary: 'Tiered practice (分层练习): split the class by mastery of the chosen points and draft a practice set per tier', body: TierRequest, response: { 200: TierPlan } } },
    async (req) => (await l.tiers(requirePrincipal(req), req.body)) as never,
  );
  app.post(
    '/api/learning/tiers/assign',
    { schema: { tags, summary: 'Assign the reviewed tiers in one step: one assignment per tier, visible only to its students', body: TierAssign, response: { 201: TierAssignResult } } },
    async (req, reply) => reply.code(201).send(await l.assignTiers(requirePrincipal(req), req.body)),
  );
  app.post(
    '/api/learning/refits',
    { schema: { tags, summary: 'Refit the knowledge-tracing parameters of a subject from the response log (a job with progress)', body: z.object({ subject: z.string().min(1).max(32) }), response: { 202: RefitStatus } } },
    async (req, reply) => reply.code(202).send(await l.requestRefit(requirePrincipal(req), req.body.subject)),
  );
  app.get(
    '/api/learning/refits/:id',
    { schema: { tags, summary: 'Progress of a refit', params: z.object({ id: z.string().uuid() }), response: { 200: RefitStatus } } },
    async (req) => l.refitStatusFor(requirePrincipal(req), req.params.id),
  );
}
