/** /homework (students): the assignments of their class with their status and score. */
import { Button, Card, Empty, List, Skeleton, Space, Tag, Typography } from 'antd';
import { useNavigate } from 'react-router';
import { formatTime, useI18n } from '../i18n';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { KIND_COLORS, STATUS_COLORS, canAttempt, homeworkTarget, isPastDue, type AssignmentSummary, type SubmissionRow } from './model';

/** The score of the latest attempt (the list itself carries only the status). */
function MyScore({ a }: { a: AssignmentSummary }) {
  const { t } = useI18n();
  const mine = useApi<Omit<SubmissionRow, 'studentNo' | 'className'>[]>(`/api/assignments/${a.id}/my-submissions`);
  const latest = mine.data?.slice().sort((x, y) => y.attempt - x.attempt)[0];
  if (!latest || latest.score === null) return null;
  return (
    <Typography.Text strong style={{ color: '#1677ff' }} data-testid="homework-score">
      {t.assessment.scoreOf(latest.score, latest.maxScore)}
    </Typography.Text>
  );
}

export function HomeworkPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const list = useApi<AssignmentSummary[]>('/api/assignments');
  if (list.error) return <ApiErrorView error={list.error} />;
  return (
    <>
      <PageHeader title={t.assessment.homeworkTitle} subtitle={list.data ? t.assessment.listSubtitle(list.data.length) : undefined} />
      {!list.data ? (
        <Card>
          <Skeleton active paragraph={{ rows: 6 }} />
        </Card>
      ) : list.data.length === 0 ? (
        <Card>
          <Empty description={t.assessment.homeworkEmpty} />
        </Card>
      ) : (
        <List
          grid={{ gutter: 16, xs: 1, sm: 1, md: 2, lg: 2, xl: 3, xxl: 3 }}
          dataSource={list.data}
          data-testid="homework-list"
          renderItem={(a) => {
            const status = a.myStatus;
            const again = canAttempt(a);
            return (
              <List.Item>
                <Card
                  className="zj-card-link"
                  styles={{ extra: { marginInlineStart: 12 } }}
                  data-testid="homework-card"
                  onClick={() => navigate(homeworkTarget(a))}
                  title={
                    <Space size={6}>
                      <Tag color={KIND_COLORS[a.kind]}>{t.assessment.kinds[a.kind]}</Tag>
                      <span data-testid="homework-title">{a.title}</span>
                    </Space>
                  }
                  extra={
                    <Tag color={status ? STATUS_COLORS[status] : 'default'} data-testid="homework-status">
                      {status ? t.assessment.status[status] : t.assessment.notSubmitted}
                    </Tag>
                  }
                >
                  <Space direction="vertical" size={6} style={{ width: '100%' }}>
                    <Typography.Text type="secondary">
                      {t.assessment.itemsN(a.itemCount)} · {t.items.scoreN(a.maxScore)}
                    </Typography.Text>
                    <Space size={6} wrap>
                      <Typography.Text type={isPastDue(a) ? 'danger' : undefined}>{t.assessment.dueLine(formatTime(a.dueAt, lang))}</Typography.Text>
                      {isPastDue(a) && <Tag bordered={false}>{t.assessment.overdue}</Tag>}
                    </Space>
                    <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 8, flexWrap: 'wrap' }}>
                      <Space size={12}>
                        {status === 'marked' && <MyScore a={a} />}
                        {(a.myAttempts ?? 0) > 0 && (
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {t.assessment.attemptsUsed(a.myAttempts ?? 0, a.attemptsAllowed)}
                          </Typography.Text>
                        )}
                      </Space>
                      <Space size={8}>
                        {(a.myAttempts ?? 0) > 0 && again && (
                          <Button
                            size="small"
                            onClick={(e) => {
                              e.stopPropagation();
                              navigate(`/homework/${a.id}`);
                            }}
                          >
                            {t.assessment.retryAttempt}
                          </Button>
                        )}
                        <Button size="small" type="primary" ghost data-testid="homework-open">
                          {(a.myAttempts ?? 0) > 0 ? t.assessment.viewResult : t.assessment.start}
                        </Button>
                      </Space>
                    </div>
                  </Space>
                </Card>
              </List.Item>
            );
          }}
        />
      )}
    </>
  );
}
