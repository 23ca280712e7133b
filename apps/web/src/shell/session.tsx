/** The signed-in user (GET /api/me), shared through context. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Me, Role } from '@zhijiao/server/api-types';
import { api, setUnauthorizedHandler } from './api';

interface SessionValue {
  /** undefined while the first /api/me is in flight; null when signed out. */
  me: Me | null | undefined;
  setMe(me: Me | null): void;
  refresh(): Promise<void>;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const refresh = useCallback(async () => {
    try {
      setMe(await api.get<Me>('/api/me'));
    } catch {
      setMe(null);
    }
  }, []);
  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    void refresh();
    return () => setUnauthorizedHandler(null);
  }, [refresh]);
  /** Signs out and reloads the app on /login, so no state of the previous user survives. */
  const logout = useCallback(async () => {
    try {
      await api.post('/api/auth/logout');
    } finally {
      window.location.replace('/login');
    }
  }, []);
  const value = useMemo(() => ({ me, setMe, refresh, logout }), [me, refresh, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

export function hasRole(me: Me | null | undefined, ...roles: Role[]): boolean {
  return !!me && me.roles.some((r) => roles.includes(r.role));
}

export const API_KEY_ROLES: Role[] = ['sysadmin', 'school_admin', 'county_admin', 'city_admin', 'province_admin'];
export const REGION_ADMIN_ROLES: Role[] = ['county_admin', 'city_admin', 'province_admin', 'sysadmin'];
