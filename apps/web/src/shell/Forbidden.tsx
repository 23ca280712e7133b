import { Button, Result } from 'antd';
import { useNavigate } from 'react-router';
import { useI18n } from '../i18n';

/** The 403 page: shown for routes outside the user's roles and for API answers with status 403. */
export function Forbidden({ detail }: { detail?: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <Result
      status="403"
      title={<span data-testid="forbidden-title">{t.forbidden.title}</span>}
      subTitle={detail || t.forbidden.subtitle}
      data-testid="forbidden"
      extra={
        <Button type="primary" onClick={() => navigate('/', { replace: true })}>
          {t.common.backHome}
        </Button>
      }
    />
  );
}
