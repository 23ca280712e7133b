import { Card, Descriptions, Tag } from 'antd';
import { useNavigate, useParams } from 'react-router';
import type { ClassSummary, StudentSummary } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { StudentsTable } from './StudentsTable';
import { classLabel } from './format';

export function ClassDetailPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const navigate = useNavigate();
  const classes = useApi<ClassSummary[]>('/api/classes');
  const students = useApi<StudentSummary[]>(`/api/classes/${encodeURIComponent(id)}/students`);
  const cls = classes.data?.find((c) => c.id === id);
  if (students.error) return <ApiErrorView error={students.error} />;
  return (
    <>
      <PageHeader
        onBack={() => navigate('/classes')}
        title={cls ? t.classes.studentsOf(classLabel(cls)) : t.classes.name}
        subtitle={cls?.schoolName}
      />
      {cls && (
        <Card style={{ marginBottom: 16 }}>
          <Descriptions column={{ xs: 1, sm: 2, lg: 4 }}>
            <Descriptions.Item label={t.classes.school}>{cls.schoolName}</Descriptions.Item>
            <Descriptions.Item label={t.classes.grade}>{cls.gradeName}</Descriptions.Item>
            <Descriptions.Item label={t.classes.studentCount}>{cls.studentCount}</Descriptions.Item>
            <Descriptions.Item label={t.classes.myRoles}>
              {cls.myRoles.map((r) => (
                <Tag key={r} color="blue">
                  {t.roles[r]}
                </Tag>
              ))}
              {cls.subjects.map((s) => (
                <Tag key={s} color="green">
                  {s}
                </Tag>
              ))}
            </Descriptions.Item>
          </Descriptions>
        </Card>
      )}
      <Card>
        <StudentsTable students={students.data ?? []} loading={students.loading} showSchool={false} />
      </Card>
    </>
  );
}
