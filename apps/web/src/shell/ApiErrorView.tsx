import { Alert, Button, Result } from 'antd';
import { useNavigate } from 'react-router';
import { useI18n, type Messages } from '../i18n';
import type { ApiError } from './api';
import { Forbidden } from './Forbidden';

/** The message to show for a failed call: the server's detail (already in the UI language). */
export function errorText(e: ApiError | undefined, t: Messages): string {
  if (!e) return '';
  if (e.problem?.detail) return e.problem.detail;
  return e.status === 0 ? t.common.networkError : t.common.unknownError;
}

/** Full-page rendering of a failed load: 403 -> forbidden page, 404 -> not found, else an alert. */
export function ApiErrorView({ error }: { error: ApiError }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  if (error.status === 403) return <Forbidden detail={error.problem?.detail} />;
  if (error.status === 404) {
    return (
      <Result
        status="404"
        title={t.common.notFoundTitle}
        subTitle={error.problem?.detail ?? t.common.notFoundDetail}
        extra={<Button onClick={() => navigate(-1)}>{t.common.back}</Button>}
      />
    );
  }
  return <Alert type="error" showIcon message={t.common.errorTitle} description={errorText(error, t)} />;
}
