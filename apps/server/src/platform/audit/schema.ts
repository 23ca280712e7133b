import { z } from 'zod';

export const AuditOutcome = z.enum(['success', 'failure', 'denied']);

export const AuditEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  resourceType: z.string().nullable(),
  resourceId: z.string().nullable(),
  scope: z.string().nullable(),
  outcome: AuditOutcome,
  detail: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** PostgreSQL text cannot hold NUL: such a filter is invalid, not a server error. */
const noNul = (s: string) => !s.includes('\u0000');

export const AuditQuery = z.object({
  actor: z.string().trim().max(64).refine(noNul, 'must not contain NUL characters').optional(),
  action: z.string().trim().max(64).refine(noNul, 'must not contain NUL characters').optional(),
  outcome: AuditOutcome.optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export const AuditVerifyResult = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  /** The first entry whose hash or link does not match, when the chain is broken. */
  firstBroken: z.object({ seq: z.number().int(), reason: z.string() }).nullable(),
});
