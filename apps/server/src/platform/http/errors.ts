/**
 * One error type for the whole server. Services throw AppError with a stable code;
 * the HTTP layer maps it once to RFC 9457 problem+json with zh-CN and en messages.
 */
export type Lang = 'zh-CN' | 'en';

export interface Bilingual {
  zh: string;
  en: string;
}

export interface AppErrorOptions {
  /** Extra machine-readable fields, e.g. the offending rows of an import. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly messages: Bilingual;
  readonly details?: Record<string, unknown>;

  constructor(status: number, code: string, messages: Bilingual, options: AppErrorOptions = {}) {
    super(messages.en, { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.messages = messages;
    this.details = options.details;
  }
}

export const badRequest = (code: string, m: Bilingual, o?: AppErrorOptions) => new AppError(400, code, m, o);
export const unauthorized = (code: string, m: Bilingual, o?: AppErrorOptions) => new AppError(401, code, m, o);
export const forbidden = (code: string, m: Bilingual, o?: AppErrorOptions) => new AppError(403, code, m, o);
export const notFound = (code: string, m: Bilingual, o?: AppErrorOptions) => new AppError(404, code, m, o);
export const conflict = (code: string, m: Bilingual, o?: AppErrorOptions) => new AppError(409, code, m, o);
export const unprocessable = (code: string, m: Bilingual, o?: AppErrorOptions) => new AppError(422, code, m, o);
export const tooLarge = (code: string, m: Bilingual, o?: AppErrorOptions) => new AppError(413, code, m, o);
