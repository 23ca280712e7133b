/**
 * The result of a submission: /homework/:id/result[/:submissionId] for the student (the latest
 * attempt when no id is given) and /assignments/:id/submissions/:submissionId for teachers.
 */
import { Button, Card, Skeleton, Space } from 'antd';
import { EditOutlined, ReloadOutlined } from '@ant-design/icons';
import { Navigate, useNavigate, useParams } from 'react-router';
import { useI18n } from '../i18n';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { SubmissionView } from './SubmissionView';
import { useSubmission } from './useSubmission';
import { canAttempt, type Assignment, type SubmissionRow } from './model';

const Loading = () => (
  <Card>
    <Skeleton active paragraph={{ rows: 8 }} />
  </Card>
);

/** /homework/:id/result: the student's latest attempt. */
export function LatestResultPage() {
  const { id = '' } = useParams();
  const mine = useApi<Omit<SubmissionRow, 'studentNo' | 'className'>[]>(`/api/assignments/${id}/my-submissions`);
  if (mine.error) return <ApiErrorView error={mine.error} />;
  if (!mine.data) return <Loading />;
  const latest = [...mine.data].sort((a, b) => b.attempt - a.attempt)[0];
  return <Navigate to={latest ? `/homework/${id}/result/${latest.id}` : `/homework/${id}`} replace />;
}

export function StudentResultPage() {
  const { id = '', submissionId } = useParams();
  const { t } = useI18n();
  const navigate = useNavigate();
  const a = useApi<Assignment>(`/api/assignments/${id}`);
  const s = useSubmission(submissionId);
  const error = a.error ?? s.error;
  if (error) return <ApiErrorView error={error} />;
  if (!a.data || !s.data) return <Loading />;
  const again = canAttempt(a.data);
  return (
    <>
      <PageHeader
        title={a.data.title}
        subtitle={t.assessment.resultTitle}
        onBack={() => navigate('/homework')}
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={s.reload}>
              {t.common.refresh}
            </Button>
            {again && (
              <Button type="primary" icon={<EditOutlined />} onClick={() => navigate(`/homework/${id}`)} data-testid="try-again">
                {t.assessment.retryAttempt}
              </Button>
            )}
          </Space>
        }
      />
      <SubmissionView s={s.data} a={a.data} teacher={false} />
    </>
  );
}

export function TeacherSubmissionPage() {
  const { id = '', submissionId } = useParams();
  const { t } = useI18n();
  const navigate = useNavigate();
  const a = useApi<Assignment>(`/api/assignments/${id}`);
  const s = useSubmission(submissionId);
  const error = a.error ?? s.error;
  if (error) return <ApiErrorView error={error} />;
  if (!a.data || !s.data) return <Loading />;
  return (
    <>
      <PageHeader
        title={t.assessment.submissionTitle(s.data.studentName ?? '')}
        subtitle={a.data.title}
        onBack={() => navigate(`/assignments/${id}`)}
        extra={
          s.data.status === 'review' && (
            <Button type="primary" onClick={() => navigate(`/review?assignmentId=${id}`)}>
              {t.assessment.goReview(s.data.items.filter((i) => i.status === 'pending').length)}
            </Button>
          )
        }
      />
      <SubmissionView s={s.data} a={a.data} teacher />
    </>
  );
}
