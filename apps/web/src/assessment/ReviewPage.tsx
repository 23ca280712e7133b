/** /review (teachers): the marks waiting for a person, per assignment, and bulk acceptance of confident ones. */
import { useState } from 'react';
import { App, Button, Card, Col, Empty, Popconfirm, Row, Select, Skeleton, Slider, Space, Typography } from 'antd';
import { CheckSquareOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router';
import { useI18n } from '../i18n';
import { api, query, toApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { ReviewCard, taskKey } from './ReviewCard';
import type { AssignmentSummary, ReviewTask } from './model';

export function ReviewPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const assignmentId = params.get('assignmentId') ?? undefined;
  const assignments = useApi<AssignmentSummary[]>('/api/assignments');
  const queue = useApi<ReviewTask[]>(`/api/review${query({ assignmentId })}`);
  const [done, setDone] = useState<Set<string>>(new Set());
  const [minConfidence, setMinConfidence] = useState(90);
  const [bulkBusy, setBulkBusy] = useState(false);
  if (queue.error) return <ApiErrorView error={queue.error} />;
  const tasks = (queue.data ?? []).filter((x) => !done.has(taskKey(x)));

  const bulk = async () => {
    if (!assignmentId) return;
    setBulkBusy(true);
    try {
      const r = await api.post<{ accepted: number }>('/api/review/bulk-accept', { assignmentId, minConfidence: minConfidence / 100 });
      message.success(t.assessment.bulkDone(r.accepted));
      queue.reload();
      assignments.reload();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBulkBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t.assessment.reviewTitle} subtitle={queue.data ? t.assessment.reviewSubtitle(tasks.length) : undefined} />
      <Card style={{ marginBottom: 16 }}>
        <Row gutter={[24, 12]} align="middle">
          <Col xs={24} lg={10}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              style={{ width: '100%' }}
              placeholder={t.assessment.allAssignments}
              value={assignmentId}
              loading={assignments.loading}
              data-testid="review-assignment"
              options={(assignments.data ?? []).map((a) => ({
                value: a.id,
                label: `${a.title}${a.pendingReview ? `（${a.pendingReview}）` : ''}`,
              }))}
              onChange={(v?: string) => {
                setDone(new Set());
                setParams(v ? { assignmentId: v } : {});
              }}
            />
          </Col>
          <Col xs={24} lg={14}>
            <div className="zj-bulk">
              <Typography.Text strong>{t.assessment.bulkTitle}</Typography.Text>
              <Space wrap size={[12, 4]} align="center">
                <span className="zj-filter-label">{t.assessment.minConfidence}</span>
                <Slider
                  min={50}
                  max={100}
                  step={5}
                  value={minConfidence}
                  onChange={setMinConfidence}
                  tooltip={{ formatter: (v) => `${v}%` }}
                  style={{ width: 160, margin: '0 4px' }}
                  data-testid="bulk-confidence"
                />
                <Typography.Text style={{ minWidth: 40, display: 'inline-block' }}>{minConfidence}%</Typography.Text>
                <Popconfirm
                  title={t.assessment.bulkTitle}
                  description={<div style={{ maxWidth: 300 }}>{t.assessment.bulkConfirm(minConfidence)}</div>}
                  okText={t.common.confirm}
                  cancelText={t.common.cancel}
                  disabled={!assignmentId}
                  onConfirm={() => bulk()}
                >
                  <Button icon={<CheckSquareOutlined />} disabled={!assignmentId} loading={bulkBusy} data-testid="bulk-accept">
                    {t.assessment.accept}
                  </Button>
                </Popconfirm>
              </Space>
              <div className="zj-hint">{assignmentId ? t.assessment.bulkHint(minConfidence) : t.assessment.bulkNeedAssignment}</div>
            </div>
          </Col>
        </Row>
      </Card>
      {!queue.data ? (
        <Card>
          <Skeleton active paragraph={{ rows: 8 }} />
        </Card>
      ) : tasks.length === 0 ? (
        <Card>
          <Empty description={t.assessment.reviewEmpty} data-testid="review-empty" />
        </Card>
      ) : (
        <div data-testid="review-queue">
          {tasks.map((task) => (
            <ReviewCard
              key={taskKey(task)}
              task={task}
              onDone={() => {
                setDone((d) => new Set(d).add(taskKey(task)));
                assignments.reload();
              }}
            />
          ))}
        </div>
      )}
    </>
  );
}
