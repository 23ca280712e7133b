/**
 * A GET endpoint kept live: fetched now and again every `intervalMs` (skipped while the tab is
 * hidden), without the loading flicker of useApi's reload. The last good data stays on screen when
 * a refresh fails; `patch` replaces it locally (e.g. with the node a health check returned).
 */
import { useCallback, useEffect, useState } from 'react';
import { useI18n } from '../i18n';
import { api, toApiError, type ApiError } from '../shell/api';

export interface PollState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** When the data was last fetched successfully. */
  updatedAt: Date | null;
  reload(): void;
  patch(f: (data: T) => T): void;
}

export function usePoll<T>(path: string, intervalMs: number): PollState<T> {
  const { lang } = useI18n();
  const [tick, setTick] = useState(0);
  const [state, setState] = useState<{ data?: T; error?: ApiError; updatedAt: Date | null }>({ updatedAt: null });
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      if (typeof document === 'undefined' || !document.hidden) {
        try {
          const data = await api.get<T>(path);
          if (!cancelled) setState({ data, updatedAt: new Date() });
        } catch (e) {
          if (!cancelled) setState((s) => ({ ...s, error: toApiError(e) }));
        }
      }
      if (!cancelled) timer = setTimeout(() => void load(), intervalMs);
    };
    void load();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [path, intervalMs, lang, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const patch = useCallback((f: (data: T) => T) => setState((s) => (s.data === undefined ? s : { ...s, data: f(s.data) })), []);
  return { data: state.data, error: state.error, updatedAt: state.updatedAt, reload, patch };
}
