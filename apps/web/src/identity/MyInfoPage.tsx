import { Empty, Spin } from 'antd';
import type { PageOf, StudentDetail, StudentSummary } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { StudentDetailView } from './StudentDetailView';

/** A student's home: their own record (GET /api/students returns only themselves). */
export function MyInfoPage() {
  const { t } = useI18n();
  const list = useApi<PageOf<StudentSummary>>('/api/students?pageSize=1');
  const self = list.data?.items[0];
  const detail = useApi<StudentDetail>(self ? `/api/students/${encodeURIComponent(self.id)}` : null);
  const error = list.error ?? detail.error;
  if (error) return <ApiErrorView error={error} />;
  return (
    <Spin spinning={list.loading || detail.loading}>
      <PageHeader title={t.students.myInfoTitle} subtitle={self ? `${self.schoolName} · ${self.className}` : undefined} />
      {list.data && !self && <Empty description={t.students.noSelf} />}
      {detail.data && <StudentDetailView student={detail.data} />}
    </Spin>
  );
}
