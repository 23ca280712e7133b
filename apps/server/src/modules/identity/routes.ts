/** HTTP routes of the identity module: validate, call the service with the caller, shape the reply. */
import { z } from 'zod';
import { requirePrincipal, type App } from '../../platform/http/app.js';
import { AppError } from '../../platform/http/errors.js';
import type { Auth } from './auth.js';
import { SESSION_COOKIE } from './auth.js';
import type { Directory } from './directory.js';
import { rosterTemplate } from './roster-file.js';
import type { RosterImports } from './roster.js';
import {
  ApiKeyCreateBody,
  ApiKeyCreated,
  ApiKeyInfo,
  ClassSummary,
  LoginBody,
  Me,
  Page,
  PasswordChangeBody,
  RosterImport,
  SchoolSummary,
  StudentDetail,
  StudentQuery,
  StudentSummary,
} from './schema.js';

const IdParam = z.object({ id: z.string().uuid() });
const tags = (t: string) => ({ tags: [t] });

export function identityRoutes(
  app: App,
  s: { auth: Auth; directory: Directory; roster: RosterImports; sessionHours: number },
) {
  app.post(
    '/api/auth/login',
    { schema: { ...tags('auth'), summary: 'Sign in with username and password', body: LoginBody, response: { 200: Me } } },
    async (req, reply) => {
      const { token, principal } = await s.auth.login(req.body.username, req.body.password, req.ip);
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'lax',
        // Secure whenever the request came over HTTPS (directly or via X-Forwarded-Proto).
        secure: 'auto',
        path: '/',
        maxAge: s.sessionHours * 3600,
      });
      return toMe(principal);
    },
  );

  app.post('/api/auth/logout', { schema: { ...tags('auth'), summary: 'Sign out' } }, async (req, reply) => {
    await s.auth.logout(req.cookies[SESSION_COOKIE], requirePrincipal(req));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.post(
    '/api/auth/password',
    { schema: { ...tags('auth'), summary: 'Change my password (ends my other sessions)', body: PasswordChangeBody } },
    async (req, reply) => {
      await s.auth.changePassword(requirePrincipal(req), req.body.currentPassword, req.body.newPassword);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get('/api/me', { schema: { ...tags('auth'), summary: 'The caller, their roles and scopes', response: { 200: Me } } }, async (req) =>
    toMe(requirePrincipal(req)),
  );

  app.get('/api/me/api-keys', { schema: { ...tags('auth'), summary: 'My API keys', response: { 200: z.array(ApiKeyInfo) } } }, async (req) =>
    s.auth.listApiKeys(requirePrincipal(req)),
  );
  app.post(
    '/api/me/api-keys',
    { schema: { ...tags('auth'), summary: 'Create an API key (shown once)', body: ApiKeyCreateBody, response: { 201: ApiKeyCreated } } },
    async (req, reply) => reply.status(201).send(await s.auth.createApiKey(requirePrincipal(req), req.body.name, req.body.expiresInDays)),
  );
  app.delete('/api/me/api-keys/:id', { schema: { ...tags('auth'), summary: 'Revoke an API key', params: IdParam } }, async (req, reply) => {
    await s.auth.revokeApiKey(requirePrincipal(req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/api/schools', { schema: { ...tags('directory'), summary: 'Schools in my scope', response: { 200: z.array(SchoolSummary) } } }, async (req) =>
    s.directory.listSchools(requirePrincipal(req)),
  );
  app.get('/api/classes', { schema: { ...tags('directory'), summary: 'Classes in my scope', response: { 200: z.array(ClassSummary) } } }, async (req) =>
    s.directory.listClasses(requirePrincipal(req)),
  );
  app.get(
    '/api/classes/:id/students',
    { schema: { ...tags('directory'), summary: 'Students of a class', params: IdParam, response: { 200: z.array(StudentSummary) } } },
    async (req) => s.directory.listClassStudents(requirePrincipal(req), req.params.id),
  );
  app.get(
    '/api/students',
    { schema: { ...tags('directory'), summary: 'Search students in my scope', querystring: StudentQuery, response: { 200: Page(StudentSummary) } } },
    async (req) => {
      const r = await s.directory.searchStudents(requirePrincipal(req), req.query);
      return { ...r, page: req.query.page, pageSize: req.query.pageSize };
    },
  );
  app.get(
    '/api/students/:id',
    { schema: { ...tags('directory'), summary: "A student's record (audited)", params: IdParam, response: { 200: StudentDetail } } },
    async (req) => s.directory.getStudent(requirePrincipal(req), req.params.id),
  );

  app.get(
    '/api/roster/template',
    { schema: { ...tags('roster'), summary: 'Download the roster template', querystring: z.object({ format: z.enum(['xlsx', 'csv']).default('xlsx') }) } },
    async (req, reply) => {
      requirePrincipal(req);
      const buf = await rosterTemplate(req.query.format);
      const type =
        req.query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      return reply
        .type(type)
        .header('content-disposition', `attachment; filename="roster-template.${req.query.format}"; filename*=UTF-8''${encodeURIComponent('花名册模板')}.${req.query.format}`)
        .send(buf);
    },
  );
  app.post(
    '/api/roster/imports',
    {
      schema: {
        ...tags('roster'),
        summary: 'Upload a roster (.xlsx or .csv, multipart field "file"; optional field "schoolId")',
        consumes: ['multipart/form-data'],
        response: { 202: RosterImport },
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      if (!req.isMultipart())
        throw new AppError(415, 'roster.multipart_required', {
          zh: '请以 multipart/form-data 上传文件（字段名 file）。',
          en: 'Upload the file as multipart/form-data (field "file").',
        });
      let file: { filename: string; data: Buffer } | null = null;
      let schoolId: string | undefined;
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          if (part.fieldname === 'file' && !file) file = { filename: part.filename, data: await part.toBuffer() };
          else await part.toBuffer();
        } else if (part.fieldname === 'schoolId' && typeof part.value === 'string' && part.value) {
          schoolId = z.string().uuid().safeParse(part.value).success ? part.value : undefined;
          if (!schoolId)
            throw new AppError(400, 'request.invalid', { zh: '学校编号格式不正确。', en: 'schoolId is not a valid id.' });
        }
      }
      if (!file || file.data.length === 0)
        throw new AppError(400, 'roster.file_missing', { zh: '没有收到文件，请选择要上传的花名册。', en: 'No file received: choose a roster file to upload.' });
      return reply.status(202).send(await s.roster.submit(p, { filename: file.filename, file: file.data, schoolId }));
    },
  );
  app.get('/api/roster/imports', { schema: { ...tags('roster'), summary: 'Recent imports of my school(s)', response: { 200: z.array(RosterImport) } } }, async (req) =>
    s.roster.list(requirePrincipal(req)),
  );
  app.get(
    '/api/roster/imports/:id',
    { schema: { ...tags('roster'), summary: 'An import: status, progress and row errors', params: IdParam, response: { 200: RosterImport } } },
    async (req) => s.roster.get(requirePrincipal(req), req.params.id),
  );
}

function toMe(p: import('../../platform/auth/principal.js').Principal): z.infer<typeof Me> {
  return {
    id: p.userId,
    username: p.username,
    displayName: p.displayName,
    roles: p.roles.map((r) => ({ ...r, role: r.role as z.infer<typeof Me>['roles'][number]['role'] })),
    via: p.via,
  };
}
