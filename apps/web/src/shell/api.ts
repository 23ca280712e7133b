/**
 * The one HTTP client of the web app: same-origin JSON calls with the session cookie, the UI language
 * in Accept-Language, and RFC 9457 problem+json errors turned into ApiError.
 */
import type { Lang, Problem } from '@zhijiao/server/api-types';

let currentLang: Lang = 'zh-CN';
export function setApiLang(lang: Lang) {
  currentLang = lang;
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler | null = null;
/** The session registers this: a 401 on any call (except login itself) means "sign in again". */
export function setUnauthorizedHandler(h: UnauthorizedHandler | null) {
  onUnauthorized = h;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }
  get code(): string | undefined {
    return this.problem?.code;
  }
}

/** 401s on these paths are answers, not an expired session. */
const NO_REDIRECT_ON_401 = ['/api/auth/login', '/api/auth/password', '/api/me'];

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'Accept-Language': currentLang, Accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, null);
  }
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok) {
    let problem: Problem | null = null;
    if (type.includes('json')) {
      try {
        problem = (await res.json()) as Problem;
      } catch {
        problem = null;
      }
    }
    if (res.status === 401 && onUnauthorized && !NO_REDIRECT_ON_401.includes(path.split('?')[0]!)) {
      onUnauthorized();
    }
    throw new ApiError(res.status, problem);
  }
  if (res.status === 204 || !type.includes('json')) return undefined as T;
  return (await res.json()) as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
};

export function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, null);
}

/** Builds "?a=1&b=2" from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
  const q = s.toString();
  return q ? `?${q}` : '';
}
