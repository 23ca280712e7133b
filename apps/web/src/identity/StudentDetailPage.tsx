import { Spin } from 'antd';
import { useNavigate, useParams } from 'react-router';
import type { StudentDetail } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { StudentDetailView } from './StudentDetailView';

export function StudentDetailPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const navigate = useNavigate();
  const { data, error, loading } = useApi<StudentDetail>(`/api/students/${encodeURIComponent(id)}`);
  if (error) return <ApiErrorView error={error} />;
  return (
    <Spin spinning={loading}>
      <PageHeader
        onBack={() => navigate(-1)}
        title={data ? data.name : t.students.detailTitle}
        subtitle={data ? `${data.schoolName} · ${data.className}` : undefined}
      />
      {data && <StudentDetailView student={data} />}
    </Spin>
  );
}
