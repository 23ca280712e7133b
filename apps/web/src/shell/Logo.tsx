import { useI18n } from '../i18n';

/** The brand mark: a blue tile with the mark glyph and the product name. */
export function Logo({ collapsed, dark }: { collapsed?: boolean; dark?: boolean }) {
  const { t } = useI18n();
  return (
    <div className={`zj-logo${dark ? ' zj-logo-dark' : ''}`}>
      <span className="zj-logo-mark">{t.app.mark}</span>
      {!collapsed && <span className="zj-logo-text">{t.app.name}</span>}
    </div>
  );
}
