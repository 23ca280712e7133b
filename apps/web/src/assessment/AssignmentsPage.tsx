/** /assignments (teachers): the homework and exams of their classes, with submissions and pending reviews. */
import { Badge, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router';
import type { ClassSummary } from '@zhijiao/server/api-types';
import { formatTime, useI18n } from '../i18n';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { KIND_COLORS, isPastDue, type AssignmentSummary } from './model';

export function AssignmentsPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const list = useApi<AssignmentSummary[]>('/api/assignments');
  const classes = useApi<ClassSummary[]>('/api/classes');
  if (list.error) return <ApiErrorView error={list.error} />;
  const size = new Map((classes.data ?? []).map((c) => [c.id, c.studentCount]));
  const studentsOf = (a: AssignmentSummary) => a.classes.reduce((s, c) => s + (size.get(c.id) ?? 0), 0);

  return (
    <>
      <PageHeader
        title={t.assessment.listTitle}
        subtitle={list.data ? t.assessment.listSubtitle(list.data.length) : undefined}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/assignments/new')} data-testid="assignment-new">
            {t.assessment.create}
          </Button>
        }
      />
      <Card styles={{ body: { padding: 0 } }}>
        <Table<AssignmentSummary>
          rowKey="id"
          loading={list.loading}
          dataSource={list.data ?? []}
          data-testid="assignments-table"
          locale={{ emptyText: t.assessment.listEmpty }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          rowClassName="zj-clickable-row"
          onRow={(a) => ({ onClick: () => navigate(`/assignments/${a.id}`) })}
          scroll={{ x: 900 }}
          columns={[
            {
              title: t.assessment.colTitle,
              dataIndex: 'title',
              render: (title: string, a) => (
                <Space direction="vertical" size={0}>
                  <Link to={`/assignments/${a.id}`} onClick={(e) => e.stopPropagation()} data-testid="assignment-title">
                    {title}
                  </Link>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t.items.gradeName(a.grade)} · {t.assessment.itemsN(a.itemCount)} · {t.items.scoreN(a.maxScore)}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: t.assessment.colKind,
              dataIndex: 'kind',
              width: 90,
              render: (k: AssignmentSummary['kind']) => <Tag color={KIND_COLORS[k]}>{t.assessment.kinds[k]}</Tag>,
            },
            {
              title: t.assessment.colClasses,
              render: (_, a) => a.classes.map((c) => <Tag key={c.id}>{c.name}</Tag>),
            },
            {
              title: t.assessment.colDue,
              dataIndex: 'dueAt',
              width: 190,
              render: (d: string, a) => (
                <Space size={4}>
                  <span>{formatTime(d, lang)}</span>
                  {isPastDue(a) && <Tag bordered={false}>{t.assessment.overdue}</Tag>}
                </Space>
              ),
            },
            {
              title: t.assessment.colSubmitted,
              width: 100,
              render: (_, a) => (
                <span data-testid="assignment-submitted">
                  {a.submitted}
                  {classes.data ? ` / ${studentsOf(a)}` : ''}
                </span>
              ),
            },
            {
              title: t.assessment.colPending,
              dataIndex: 'pendingReview',
              width: 100,
              render: (n: number, a) =>
                n > 0 ? (
                  <Link to={`/review?assignmentId=${a.id}`} onClick={(e) => e.stopPropagation()} data-testid="assignment-pending">
                    <Badge count={n} overflowCount={999} />
                  </Link>
                ) : (
                  <Typography.Text type="secondary">0</Typography.Text>
                ),
            },
          ]}
        />
      </Card>
    </>
  );
}
