/**
 * Authentication: password login with lockout, session cookies, password change, API keys,
 * and building the caller's Principal with their role bindings.
 */
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal, ScopedRole } from '../../platform/auth/principal.js';
import { DUMMY_PASSWORD_HASH, hashPassword, randomToken, sha256, verifyPassword } from '../../platform/crypto/index.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/http/errors.js';
import { authorize } from './policies.js';
import type { ApiKeyInfo } from './schema.js';
import { apiKeys, classes, regions, roleBindings, schools, sessions, users } from './tables.js';

export const SESSION_COOKIE = 'zj_session';
const API_KEY_PREFIX = 'zk_';

export interface AuthSettings {
  sessionHours: number;
  lockout: { attempts: number; minutes: number };
}

const invalidCredentials = () =>
  new AppError(401, 'auth.invalid_credentials', { zh: '用户名或密码错误。', en: 'Wrong username or password.' });

export class Auth {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly settings: AuthSettings,
  ) {}

  async login(username: string, password: string, ip: string | null): Promise<{ token: string; principal: Principal }> {
    const [user] = await this.db.select().from(users).where(eq(users.username, username)).limit(1);
    const actor = { userId: user?.id ?? null, username } as const;
    if (!user) {
      await verifyPassword(password, DUMMY_PASSWORD_HASH);
      await this.audit.append({ actor: { userId: null, username }, action: 'auth.login', outcome: 'failure', detail: { reason: 'unknown_user' }, ip });
      throw invalidCredentials();
    }
    const now = new Date();
    if (user.lockedUntil && user.lockedUntil > now) {
      await this.audit.append({ actor: { userId: user.id, username }, action: 'auth.login', outcome: 'failure', detail: { reason: 'locked' }, ip });
      throw lockedError(user.lockedUntil);
    }
    const ok = !user.disabled && user.passwordHash !== null && (await verifyPassword(password, user.passwordHash));
    if (!ok) {
      const failures = user.failedLogins + 1;
      const lock = failures >= this.settings.lockout.attempts;
      const lockedUntil = lock ? new Date(now.getTime() + this.settings.lockout.minutes * 60_000) : null;
      await this.db
        .update(users)
        .set({ failedLogins: lock ? 0 : failures, lockedUntil })
        .where(eq(users.id, user.id));
      await this.audit.append({
        actor: { userId: actor.userId, username },
        action: 'auth.login',
        outcome: 'failure',
        detail: { reason: user.disabled ? 'disabled' : 'bad_password', failures, locked: lock },
        ip,
      });
      if (lock) throw lockedError(lockedUntil!);
      throw invalidCredentials();
    }
    const token = randomToken();
    await this.db.transaction(async (tx) => {
      await tx.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, user.id));
      await tx.insert(sessions).values({
        tokenHash: sha256(token),
        userId: user.id,
        expiresAt: new Date(now.getTime() + this.settings.sessionHours * 3600_000),
        ip,
      });
      await this.audit.append({ actor: { userId: user.id, username }, action: 'auth.login', outcome: 'success', ip }, tx);
    });
    return { token, principal: await this.principalOf(user.id, 'session', ip) };
  }

  async logout(token: string | undefined, principal: Principal): Promise<void> {
    if (token) await this.db.delete(sessions).where(eq(sessions.tokenHash, sha256(token)));
    await this.audit.append({ actor: principal, action: 'auth.logout', outcome: 'success', ip: principal.ip });
  }

  async changePassword(principal: Principal, current: string, next: string): Promise<void> {
    const [user] = await this.db.select().from(users).where(eq(users.id, principal.userId));
    if (!user?.passwordHash || !(await verifyPassword(current, user.passwordHash))) {
      await this.audit.append({ actor: principal, action: 'auth.password_change', outcome: 'failure', ip: principal.ip });
      throw new AppError(400, 'auth.wrong_password', { zh: '当前密码不正确。', en: 'The current password is wrong.' });
    }
    if (next === current || next.toLowerCase().includes(user.username.toLowerCase()))
      throw new AppError(400, 'auth.weak_password', {
        zh: '新密码不能与旧密码相同，也不能包含用户名。',
        en: 'The new password must differ from the old one and must not contain the username.',
      });
    const hash = await hashPassword(next);
    await this.db.transaction(async (tx) => {
      await tx.update(users).set({ passwordHash: hash, passwordChangedAt: new Date() }).where(eq(users.id, user.id));
      // Other sessions end: a changed password must lock out whoever knew the old one.
      await tx.delete(sessions).where(eq(sessions.userId, user.id));
      await this.audit.append({ actor: principal, action: 'auth.password_change', outcome: 'success', ip: principal.ip }, tx);
    });
  }

  /** The caller from `Authorization: Bearer zk_…` / `X-API-Key`, or the session cookie. */
  async authenticate(req: FastifyRequest): Promise<Principal | null> {
    const ip = req.ip ?? null;
    const auth = req.headers.authorization;
    const key = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : (req.headers['x-api-key'] as string | undefined);
    if (key) {
      const now = new Date();
      const [row] = await this.db
        .select({ id: apiKeys.id, userId: apiKeys.userId, expiresAt: apiKeys.expiresAt })
        .from(apiKeys)
        .innerJoin(users, eq(users.id, apiKeys.userId))
        .where(and(eq(apiKeys.keyHash, sha256(key)), isNull(apiKeys.revokedAt), eq(users.disabled, false)))
        .limit(1);
      if (!row || (row.expiresAt && row.expiresAt <= now))
        throw new AppError(401, 'auth.invalid_api_key', { zh: 'API 密钥无效或已过期。', en: 'The API key is invalid or expired.' });
      await this.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id));
      return this.principalOf(row.userId, 'api_key', ip);
    }
    const token = req.cookies[SESSION_COOKIE];
    if (!token) return null;
    const [s] = await this.db
      .select({ userId: sessions.userId })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.tokenHash, sha256(token)), gt(sessions.expiresAt, new Date()), eq(users.disabled, false)))
      .limit(1);
    return s ? this.principalOf(s.userId, 'session', ip) : null;
  }

  /** The Principal of an account by username, or null; for the demo activity that acts as demo accounts. */
  async principalByUsername(username: string): Promise<Principal | null> {
    const [user] = await this.db.select({ id: users.id }).from(users).where(eq(users.username, username));
    return user ? this.principalOf(user.id, 'session', null) : null;
  }

  async principalOf(userId: string, via: Principal['via'], ip: string | null): Promise<Principal> {
    const [user] = await this.db.select().from(users).where(eq(users.id, userId));
    const rows = await this.db
      .select({
        role: roleBindings.role,
        scopeType: roleBindings.scopeType,
        scopeId: roleBindings.scopeId,
        subject: roleBindings.subject,
        regionName: regions.name,
        schoolName: schools.name,
        className: sql<string | null>`(select s2.name || ' ' || ${classes.name} from schools s2 where s2.id = ${classes.schoolId})`,
      })
      .from(roleBindings)
      .leftJoin(regions, and(eq(roleBindings.scopeType, 'region'), eq(regions.id, roleBindings.scopeId)))
      .leftJoin(schools, and(eq(roleBindings.scopeType, 'school'), eq(schools.id, roleBindings.scopeId)))
      .leftJoin(classes, and(eq(roleBindings.scopeType, 'class'), eq(classes.id, roleBindings.scopeId)))
      .where(eq(roleBindings.userId, userId));
    const roles: ScopedRole[] = rows.map((r) => ({
      role: r.role,
      scopeType: r.scopeType,
      scopeId: r.scopeId,
      scopeName: r.regionName ?? r.schoolName ?? r.className ?? null,
      subject: r.subject,
    }));
    return { userId, username: user.username, displayName: user.displayName, roles, via, ip };
  }

  async listApiKeys(p: Principal): Promise<ApiKeyInfo[]> {
    authorize(p, 'apikey.manage');
    const rows = await this.db.select().from(apiKeys).where(eq(apiKeys.userId, p.userId)).orderBy(apiKeys.createdAt);
    return rows.map(presentKey);
  }

  /** The key is returned once; only its hash is stored. */
  async createApiKey(p: Principal, name: string, expiresInDays?: number): Promise<ApiKeyInfo & { key: string }> {
    authorize(p, 'apikey.manage');
    const key = API_KEY_PREFIX + randomToken(24);
    const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86400_000) : null;
    const row = await this.db.transaction(async (tx) => {
      const [r] = await tx
        .insert(apiKeys)
        .values({ userId: p.userId, name, prefix: key.slice(0, 8), keyHash: sha256(key), expiresAt })
        .returning();
      await this.audit.append({ actor: p, action: 'apikey.create', resourceType: 'api_key', resourceId: r.id, outcome: 'success', detail: { name }, ip: p.ip }, tx);
      return r;
    });
    return { ...presentKey(row), key };
  }

  async revokeApiKey(p: Principal, id: string): Promise<void> {
    authorize(p, 'apikey.manage');
    await this.db.transaction(async (tx) => {
      const [r] = await tx
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, p.userId), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
      if (!r) throw new AppError(404, 'apikey.not_found', { zh: '没有找到这个 API 密钥。', en: 'No such API key.' });
      await this.audit.append({ actor: p, action: 'apikey.revoke', resourceType: 'api_key', resourceId: id, outcome: 'success', ip: p.ip }, tx);
    });
  }
}

function lockedError(until: Date) {
  const minutes = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
  return new AppError(
    423,
    'auth.locked',
    {
      zh: `登录失败次数过多，账号已锁定，请 ${minutes} 分钟后再试。`,
      en: `Too many failed sign-ins: the account is locked for ${minutes} more minute(s).`,
    },
    { details: { lockedUntil: until.toISOString() } },
  );
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
function presentKey(r: typeof apiKeys.$inferSelect): ApiKeyInfo {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.createdAt.toISOString(),
    expiresAt: iso(r.expiresAt),
    lastUsedAt: iso(r.lastUsedAt),
    revokedAt: iso(r.revokedAt),
  };
}
