/** Loads a submission and keeps it fresh: every 1.5 s while it is being marked, slowly while it waits for review. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n';
import { api, toApiError, type ApiError } from '../shell/api';
import type { Submission } from './model';

const MARKING_POLL_MS = 1500;
const REVIEW_POLL_MS = 15_000;

export function useSubmission(id: string | undefined) {
  const { lang } = useI18n();
  const [data, setData] = useState<Submission>();
  const [error, setError] = useState<ApiError>();
  const [tick, setTick] = useState(0);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => {
    if (!id) return;
    let cancelled = false;
    const load = async () => {
      try {
        const s = await api.get<Submission>(`/api/submissions/${id}`);
        if (cancelled) return;
        setData(s);
        setError(undefined);
        const wait = s.status === 'marking' ? MARKING_POLL_MS : s.status === 'review' ? REVIEW_POLL_MS : null;
        if (wait !== null) timer.current = window.setTimeout(() => void load(), wait);
      } catch (e) {
        if (!cancelled) setError(toApiError(e));
      }
    };
    void load();
    return () => {
      cancelled = true;
      window.clearTimeout(timer.current);
    };
  }, [id, lang, tick]);

  const reload = useCallback(() => setTick((x) => x + 1), []);
  return { data: data?.id === id ? data : undefined, error, reload };
}
