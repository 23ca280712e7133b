import { Button, Spin } from 'antd';
import { useNavigate, useParams } from 'react-router';
import type { StudentDetail } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { hasRole, useSession } from '../shell/session';
import { StudentDetailView } from './StudentDetailView';

export function StudentDetailPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const navigate = useNavigate();
  const { me } = useSession();
  const { data, error, loading } = useApi<StudentDetail>(`/api/students/${encodeURIComponent(id)}`);
  if (error) return <ApiErrorView error={error} />;
  return (
    <Spin spinning={loading}>
      <PageHeader
        onBack={() => navigate(-1)}
        title={data ? data.name : t.students.detailTitle}
        subtitle={data ? `${data.schoolName} · ${data.className}` : undefined}
        extra={
          data &&
          // the growth record is for the family and the class's staff, not for region admins
          hasRole(me, 'teacher', 'head_teacher', 'school_admin', 'parent') && (
            <Button onClick={() => navigate(`/students/${encodeURIComponent(id)}/portrait`)} data-testid="open-portrait">
              {t.portrait.open}
            </Button>
          )
        }
      />
      {data && <StudentDetailView student={data} />}
    </Spin>
  );
}
