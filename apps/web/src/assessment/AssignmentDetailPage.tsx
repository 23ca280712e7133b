/**
 * /assignments/:id (teachers): the settings, submissions and missing students, the questions with
 * answers, similar answers (a notice, never a penalty) and engine–teacher agreement per question.
 */
import { Alert, Button, Card, Descriptions, Empty, List, Skeleton, Space, Table, Tabs, Tag, Typography } from 'antd';
import { BarChartOutlined, CheckSquareOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router';
import { formatTime, useI18n } from '../i18n';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { ItemBodyView } from '../items/ItemBodyView';
import { RichText } from '../items/RichText';
import { TYPE_COLORS, usePointNames, type ItemBody } from '../items/model';
import { PaperScoresTab } from './PaperScoresTab';
import { KIND_COLORS, STATUS_COLORS, type Agreement, type Assignment, type SubmissionList, type SubmissionRow } from './model';

export function AssignmentDetailPage() {
  const { id = '' } = useParams();
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const a = useApi<Assignment>(`/api/assignments/${id}`);
  const subs = useApi<SubmissionList>(`/api/assignments/${id}/submissions`);
  const agreement = useApi<Agreement>(`/api/assignments/${id}/agreement`);
  const kpName = usePointNames(a.data ? [a.data.subject] : []);
  if (a.error) return <ApiErrorView error={a.error} />;
  if (!a.data)
    return (
      <Card>
        <Skeleton active paragraph={{ rows: 10 }} />
      </Card>
    );
  const as = a.data;
  const list = subs.data;

  const submissionsTab = (
    <>
      {subs.error && <Alert type="error" showIcon message={subs.error.message} style={{ marginBottom: 12 }} />}
      <Table<SubmissionRow>
        rowKey="id"
        size="middle"
        loading={subs.loading}
        dataSource={list?.submissions ?? []}
        data-testid="submissions-table"
        locale={{ emptyText: t.assessment.noSubmissions }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        rowClassName="zj-clickable-row"
        onRow={(s) => ({ onClick: () => navigate(`/assignments/${id}/submissions/${s.id}`) })}
        scroll={{ x: 800 }}
        columns={[
          { title: t.assessment.colStudent, dataIndex: 'studentName', render: (n: string | null) => n ?? t.common.none },
          { title: t.assessment.colStudentNo, dataIndex: 'studentNo', width: 120 },
          { title: t.assessment.colClass, dataIndex: 'className', width: 110 },
          { title: t.assessment.colAttempt, dataIndex: 'attempt', width: 80, render: (n: number) => t.assessment.attemptN(n) },
          {
            title: t.assessment.colStatus,
            dataIndex: 'status',
            width: 100,
            render: (s: SubmissionRow['status']) => (
              <Tag color={STATUS_COLORS[s]} data-testid="submission-status">
                {t.assessment.status[s]}
              </Tag>
            ),
          },
          {
            title: t.assessment.colScore,
            width: 110,
            render: (_, s) => (s.score === null ? t.common.none : `${s.score} / ${s.maxScore}`),
          },
          {
            title: t.assessment.colSubmittedAt,
            dataIndex: 'submittedAt',
            width: 190,
            render: (d: string, s) => (
              <Space size={4}>
                {formatTime(d, lang)}
                {s.late && <Tag color="orange">{t.assessment.late}</Tag>}
              </Space>
            ),
          },
        ]}
      />
      {list && (
        <div style={{ marginTop: 16 }} data-testid="missing">
          <Typography.Title level={5}>{t.assessment.missingTitle(list.missing.length)}</Typography.Title>
          {list.missing.length === 0 ? (
            <Typography.Text type="secondary">{t.assessment.allSubmitted}</Typography.Text>
          ) : (
            <Space wrap size={[6, 6]}>
              {list.missing.map((m) => (
                <Tag key={m.id}>
                  {m.name} <Typography.Text type="secondary">{m.className}</Typography.Text>
                </Tag>
              ))}
            </Space>
          )}
        </div>
      )}
    </>
  );

  const itemsTab = (
    <div>
      {as.items.map((it) => (
        <Card
          key={it.position}
          size="small"
          className="zj-question"
          title={
            <Space size={6} wrap>
              <span className="zj-question-no">{t.assessment.questionN(it.position)}</span>
              <Tag color={TYPE_COLORS[it.type]}>{t.items.types[it.type]}</Tag>
              <Typography.Text type="secondary">{t.items.scoreN(it.score)}</Typography.Text>
              {it.alwaysReview && <Tag color="gold">{t.assessment.alwaysReview}</Tag>}
            </Space>
          }
          extra={
            <Space size={4} wrap>
              {it.knowledgePoints.map((k) => (
                <Tag key={k} bordered={false} color="blue">
                  {kpName(as.subject, k)}
                </Tag>
              ))}
            </Space>
          }
        >
          <ItemBodyView body={it.body as ItemBody} answers />
          {it.explanation && (
            <div className="zj-explanation">
              <Typography.Text strong>{t.assessment.explanation}</Typography.Text>
              <RichText text={it.explanation} />
            </div>
          )}
        </Card>
      ))}
    </div>
  );

  const similarTab = (
    <>
      <Alert type="info" showIcon message={t.assessment.similarNotice} style={{ marginBottom: 12 }} />
      <List
        bordered
        dataSource={list?.similar ?? []}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t.assessment.similarEmpty} /> }}
        data-testid="similar-list"
        renderItem={(s) => (
          <List.Item>
            <Space wrap>
              <Tag>{t.assessment.questionN(s.position)}</Tag>
              <span>
                {s.aName} · {s.bName}
              </span>
              <Typography.Text type="secondary">
                {t.assessment.similarity} {Math.round(s.similarity * 100)}%
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    </>
  );

  const agreementTab = (
    <>
      <Typography.Paragraph type="secondary">{t.assessment.agreementHint}</Typography.Paragraph>
      <Table
        size="small"
        rowKey="position"
        pagination={false}
        loading={agreement.loading}
        dataSource={agreement.data?.items ?? []}
        data-testid="agreement-table"
        columns={[
          { title: '#', dataIndex: 'position', width: 80, render: (n: number) => t.assessment.questionN(n) },
          { title: t.items.type, dataIndex: 'type', width: 110, render: (ty: string) => t.items.types[ty] },
          { title: t.assessment.colAuto, dataIndex: 'auto', width: 110 },
          { title: t.assessment.colReviewed, dataIndex: 'reviewed', width: 100 },
          { title: t.assessment.colPending, dataIndex: 'pending', width: 100 },
          { title: t.assessment.colQwk, dataIndex: 'qwk', width: 90, render: (q: number | null) => (q === null ? <Typography.Text type="secondary">{t.assessment.notEnough}</Typography.Text> : q.toFixed(2)) },
          {
            title: t.assessment.colExact,
            dataIndex: 'exactAgreement',
            width: 120,
            render: (x: number | null) => (x === null ? <Typography.Text type="secondary">{t.assessment.notEnough}</Typography.Text> : `${Math.round(x * 100)}%`),
          },
        ]}
      />
    </>
  );

  return (
    <>
      <PageHeader
        title={as.title}
        subtitle={`${as.classes.map((c) => c.name).join('、')} · ${t.assessment.itemsN(as.items.length)} · ${t.items.scoreN(as.maxScore)}`}
        onBack={() => navigate('/assignments')}
        extra={
          <Space wrap>
            <Link to={`/assignments/${id}/report`}>
              <Button icon={<BarChartOutlined />} data-testid="go-report">
                {t.report.open}
              </Button>
            </Link>
            <Link to={`/review?assignmentId=${id}`}>
              <Button type={as.pendingReview > 0 ? 'primary' : 'default'} icon={<CheckSquareOutlined />} data-testid="go-review">
                {t.assessment.goReview(as.pendingReview)}
              </Button>
            </Link>
          </Space>
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
          <Descriptions.Item label={t.assessment.kind}>
            <Tag color={KIND_COLORS[as.kind]}>{t.assessment.kinds[as.kind]}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t.assessment.openAt}>{formatTime(as.openAt, lang)}</Descriptions.Item>
          <Descriptions.Item label={t.assessment.dueAt}>{formatTime(as.dueAt, lang)}</Descriptions.Item>
          <Descriptions.Item label={t.assessment.attempts}>{as.attemptsAllowed}</Descriptions.Item>
          <Descriptions.Item label={t.assessment.latePolicy}>
            {t.assessment.latePolicies[as.latePolicy]}
            {as.latePolicy === 'penalty' ? ` ${as.latePenalty}%` : ''}
          </Descriptions.Item>
          <Descriptions.Item label={t.assessment.feedbackPolicy}>{t.assessment.feedbackPolicies[as.feedbackPolicy]}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card>
        <Tabs
          items={[
            { key: 'subs', label: `${t.assessment.tabSubmissions}${list ? ` (${new Set(list.submissions.map((s) => s.studentId)).size})` : ''}`, children: submissionsTab },
            { key: 'items', label: t.assessment.tabItems, children: itemsTab },
            { key: 'similar', label: `${t.assessment.tabSimilar}${list?.similar.length ? ` (${list.similar.length})` : ''}`, children: similarTab },
            { key: 'agreement', label: t.assessment.tabAgreement, children: agreementTab },
            {
              key: 'paper',
              label: t.assessment.tabPaper,
              children: (
                <PaperScoresTab
                  assignmentId={id}
                  onImported={() => {
                    subs.reload();
                    agreement.reload();
                    a.reload();
                  }}
                />
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}
