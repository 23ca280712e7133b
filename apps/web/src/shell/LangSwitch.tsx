import { Segmented } from 'antd';
import type { Lang } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';

export function LangSwitch({ size }: { size?: 'small' | 'middle' | 'large' }) {
  const { lang, setLang, t } = useI18n();
  return (
    <Segmented<Lang>
      size={size}
      data-testid="lang-switch"
      value={lang}
      onChange={(v) => setLang(v)}
      options={[
        { label: t.lang.zh, value: 'zh-CN' },
        { label: t.lang.en, value: 'en' },
      ]}
    />
  );
}
