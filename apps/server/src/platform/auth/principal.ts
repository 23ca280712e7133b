/**
 * The caller of a request, passed explicitly to every service that decides who may do what.
 * Built by the identity module from a session cookie or an API key.
 */
export interface ScopedRole {
  role: string;
  scopeType: 'global' | 'region' | 'school' | 'class';
  scopeId: string | null;
  scopeName: string | null;
  subject: string | null;
}

export interface Principal {
  userId: string;
  username: string;
  displayName: string;
  roles: ScopedRole[];
  via: 'session' | 'api_key';
  ip: string | null;
}

export const hasRole = (p: Principal, ...roles: string[]) => p.roles.some((r) => roles.includes(r.role));
export const bindingsOf = (p: Principal, ...roles: string[]) => p.roles.filter((r) => roles.includes(r.role));
