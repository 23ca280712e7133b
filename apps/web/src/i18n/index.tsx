/** UI language: a typed message dictionary per language, kept in React context and localStorage. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import type { Lang } from '@zhijiao/server/api-types';
import { zhCN, type Messages } from './zh-CN';
import { en } from './en';
import { setApiLang } from '../shell/api';

export type { Messages };
export const LANGS: readonly Lang[] = ['zh-CN', 'en'];
const dictionaries: Record<Lang, Messages> = { 'zh-CN': zhCN, en };
const STORAGE_KEY = 'zhijiao.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'zh-CN' || saved === 'en') return saved;
  } catch {
    /* storage unavailable */
  }
  return 'zh-CN';
}

interface I18nValue {
  lang: Lang;
  t: Messages;
  setLang(lang: Lang): void;
}

const I18nContext = createContext<I18nValue | null>(null);

/** Everything outside React that depends on the language: API header and date-picker locale. */
function applyLang(l: Lang) {
  setApiLang(l);
  dayjs.locale(l === 'zh-CN' ? 'zh-cn' : 'en');
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => {
    const l = initialLang();
    applyLang(l);
    return l;
  });
  const setLang = useCallback((l: Lang) => {
    applyLang(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* storage unavailable */
    }
    setLangState(l);
  }, []);
  const t = dictionaries[lang];
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.app.title;
  }, [lang, t]);
  const value = useMemo(() => ({ lang, t, setLang }), [lang, t, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

/** Formats an ISO timestamp for the current language. */
export function formatTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang === 'zh-CN' ? 'zh-CN' : 'en-GB', { hour12: false });
}
