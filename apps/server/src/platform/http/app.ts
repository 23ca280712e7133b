/**
 * The HTTP layer: Fastify with zod validation, OpenAPI, cookies, uploads, one error mapping to
 * RFC 9457 problem+json, and the caller's Principal resolved once per request.
 */
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyReply } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.js';
import { AppError, type Lang } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    lang: Lang;
  }
}

export type App = FastifyInstance<any, any, any, any, ZodTypeProvider>;

export interface AppDeps {
  logger: Logger;
  /** Resolves the caller from the request's cookie or API key; null for anonymous. */
  authenticate: (req: FastifyRequest) => Promise<Principal | null>;
  /** Called for every 403, so that each denial is audited in one place. */
  onDenied: (req: FastifyRequest, err: AppError) => Promise<void>;
  maxUploadBytes: number;
}

export function pickLang(header: string | undefined): Lang {
  if (!header) return 'zh-CN';
  for (const part of header.split(',')) {
    const tag = part.split(';')[0].trim().toLowerCase();
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

export function sendProblem(reply: FastifyReply, lang: Lang, err: AppError) {
  const detail = lang === 'en' ? err.messages.en : err.messages.zh;
  return reply
    .status(err.status)
    .type('application/problem+json; charset=utf-8')
    .send({
      type: `https://zhijiao.dev/problems/${err.code}`,
      title: err.code,
      status: err.status,
      code: err.code,
      detail,
      messages: { 'zh-CN': err.messages.zh, en: err.messages.en },
      ...err.details,
    });
}

/** The caller, or 401: routes that need a signed-in user call this first. */
export function requirePrincipal(req: FastifyRequest): Principal {
  if (!req.principal)
    throw new AppError(401, 'auth.required', { zh: '请先登录。', en: 'Please sign in first.' });
  return req.principal;
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger,
    trustProxy: true,
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: deps.maxUploadBytes, files: 1, fields: 10 } });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Zhijiao 智教 API',
        version: '0.1.0',
        description:
          'Identity, rosters and audit of the Zhijiao platform. Errors are RFC 9457 problem+json with a stable `code`; send Accept-Language: zh-CN or en.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'zj_session' },
          apiKey: { type: 'http', scheme: 'bearer', description: 'API key: Authorization: Bearer zk_...' },
        },
      },
      security: [{ session: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.decorateRequest('principal', null);
  app.decorateRequest('lang', 'zh-CN');
  app.addHook('onRequest', async (req) => {
    req.lang = pickLang(req.headers['accept-language']);
    if (req.url.startsWith('/api/')) req.principal = await deps.authenticate(req);
  });

  app.setErrorHandler(async (error, req, reply) => {
    const err = toAppError(error);
    if (err.status >= 500) req.log.error({ err: error }, 'request failed');
    if (err.status === 403) await deps.onDenied(req, err).catch((e) => req.log.error({ err: e }, 'audit of denial failed'));
    return sendProblem(reply, req.lang, err);
  });
  app.setNotFoundHandler(async (req, reply) =>
    sendProblem(
      reply,
      req.lang,
      new AppError(404, 'http.not_found', { zh: `没有这个地址：${req.method} ${req.url}`, en: `No such route: ${req.method} ${req.url}` }),
    ),
  );
  return app;
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((v) => ({
      path: `${error.validationContext ?? ''}${v.instancePath}`,
      message: v.message ?? '',
    }));
    const where = issues.map((i) => i.path).join(', ');
    return new AppError(
      400,
      'request.invalid',
      { zh: `请求内容有误：${where}`, en: `The request is invalid: ${where}` },
      { details: { issues } },
    );
  }
  const e = error as { statusCode?: number; code?: string; message?: string };
  if (e.code === 'FST_REQ_FILE_TOO_LARGE' || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new AppError(413, 'request.too_large', { zh: '上传的内容过大。', en: 'The upload is too large.' });
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE')
    return new AppError(415, 'request.unsupported_media_type', {
      zh: '不支持的请求内容类型。',
      en: 'Unsupported request content type.',
    });
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)
    return new AppError(e.statusCode, 'request.invalid', {
      zh: `请求无法处理：${e.message ?? ''}`,
      en: `The request could not be processed: ${e.message ?? ''}`,
    });
  return new AppError(500, 'server.internal', {
    zh: '服务器内部错误，请稍后再试。',
    en: 'Internal server error, please try again later.',
  });
}
