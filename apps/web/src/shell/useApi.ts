/** Loads one GET endpoint; reloads when the path or the UI language changes. */
import { useCallback, useEffect, useState } from 'react';
import { useI18n } from '../i18n';
import { api, toApiError, type ApiError } from './api';

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

export function useApi<T>(path: string | null): ApiState<T> {
  const { lang } = useI18n();
  const [tick, setTick] = useState(0);
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean; path: string | null }>({
    loading: path !== null,
    path,
  });
  useEffect(() => {
    if (path === null) {
      setState({ loading: false, path });
      return;
    }
    let cancelled = false;
    setState((s) => ({ data: s.path === path ? s.data : undefined, loading: true, path }));
    api.get<T>(path).then(
      (data) => !cancelled && setState({ data, loading: false, path }),
      (e: unknown) => !cancelled && setState({ error: toApiError(e), loading: false, path }),
    );
    return () => {
      cancelled = true;
    };
  }, [path, lang, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const fresh = state.path === path;
  return {
    data: fresh ? state.data : undefined,
    error: fresh ? state.error : undefined,
    loading: fresh ? state.loading : true,
    reload,
  };
}
