/**
 * /hub/compute-requests (算力资源申请): schools request model capacity for a teaching scenario
 * (models, start, days, tokens per month, requests per minute); region administrators see the
 * requests with the school's use so far against what was requested, and approve (which creates
 * the school's quota) or reject with a comment.
 */
import { useEffect, useMemo, useState } from 'react';
import { Alert, App, AutoComplete, Button, Card, DatePicker, Descriptions, Drawer, Form, Input, InputNumber, Modal, Progress, Segmented, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { CheckOutlined, CloseOutlined, PlusOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router';
import dayjs, { type Dayjs } from 'dayjs';
import { formatTime, useI18n } from '../i18n';
import { api, toApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { ScopeSingleSelect, rowProps, useHubCan, useScopes } from './common';
import { chinaToday, entitledSoFar, formatCompact, formatInt, percentOf, requestEnd, type ComputeDecision, type ComputeRequest, type ComputeRequestInput, type ComputeStatus, type Model } from './model';

const STATUS_COLOR: Record<ComputeStatus, string> = { submitted: 'processing', approved: 'success', rejected: 'error' };
const STATUSES: ComputeStatus[] = ['submitted', 'approved', 'rejected'];

export function ComputeRequestsPage() {
  const { t, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? '') as ComputeStatus | '';
  const list = useApi<ComputeRequest[]>('/api/hub/compute-requests');
  const models = useApi<Model[]>('/api/hub/models');
  const can = useHubCan();
  const [submitting, setSubmitting] = useState(false);
  const [deciding, setDeciding] = useState<ComputeRequest | null>(null);
  const modelName = useMemo(() => new Map((models.data ?? []).map((m) => [m.id, m.name])), [models.data]);

  if (list.error?.status === 403) return <ApiErrorView error={list.error} />;
  const all = [...(list.data ?? [])].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  const shown = status ? all.filter((r) => r.status === status) : all;
  const today = chinaToday();
  const count = (s: ComputeStatus) => all.filter((r) => r.status === s).length;

  return (
    <>
      <PageHeader
        title={t.hub.compute.title}
        subtitle={t.hub.compute.subtitle}
        extra={
          can.computeRequest && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setSubmitting(true)} data-testid="hub-compute-new">
              {t.hub.compute.submit}
            </Button>
          )
        }
      />
      <Card>
        <div className="zj-hub-filter" style={{ marginBottom: 16 }}>
          <Segmented
            value={status}
            data-testid="hub-compute-filter"
            options={[{ value: '', label: `${t.common.all} ${all.length}` }, ...STATUSES.map((s) => ({ value: s, label: `${t.hub.compute.statuses[s]} ${count(s)}` }))]}
            onChange={(v) => setParams(v ? { status: String(v) } : {})}
          />
        </div>
        {list.error && <Alert type="error" showIcon message={errorText(list.error, t)} style={{ marginBottom: 16 }} />}
        <Table<ComputeRequest>
          rowKey="id"
          size="middle"
          data-testid="hub-compute-requests"
          loading={list.loading}
          dataSource={shown}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 1200 }}
          locale={{ emptyText: t.hub.compute.empty }}
          onRow={(r) => rowProps({ 'data-testid': 'hub-compute-row', 'data-id': r.id, 'data-status': r.status, 'data-school': r.schoolName })}
          expandable={{
            expandedRowRender: (r) => (
              <Descriptions size="small" column={1}>
                <Descriptions.Item label={t.hub.compute.needs}>
                  <div className="zj-hub-pre">{r.needs}</div>
                </Descriptions.Item>
                {r.decidedBy && (
                  <Descriptions.Item label={t.hub.compute.commentLabel}>
                    <Space direction="vertical" size={0}>
                      <span className="zj-hub-pre">{r.decisionComment || t.hub.none}</span>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t.hub.compute.decidedBy(r.decidedBy, formatTime(r.decidedAt, lang))}
                      </Typography.Text>
                    </Space>
                  </Descriptions.Item>
                )}
              </Descriptions>
            ),
          }}
          columns={[
            {
              title: t.hub.compute.school,
              dataIndex: 'schoolName',
              render: (n: string, r) => (
                <Space direction="vertical" size={0}>
                  <Typography.Text strong>{n}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {r.requester} · {formatTime(r.createdAt, lang)}
                  </Typography.Text>
                </Space>
              ),
            },
            { title: t.hub.compute.scenario, dataIndex: 'scenario', ellipsis: true },
            {
              title: t.hub.compute.models,
              dataIndex: 'modelIds',
              render: (ids: string[]) => (
                <span className="zj-hub-tags">
                  {ids.map((id) => (
                    <Tag key={id} style={{ whiteSpace: 'nowrap' }}>
                      {modelName.get(id) ?? id.slice(0, 8)}
                    </Tag>
                  ))}
                </span>
              ),
            },
            {
              title: t.hub.compute.period,
              key: 'period',
              width: 190,
              render: (_, r) => (
                <Space direction="vertical" size={0}>
                  <span className="zj-hub-num">
                    {r.startsOn} ~ {requestEnd(r.startsOn, r.days)}
                  </span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t.hub.compute.daysN(r.days)}
                  </Typography.Text>
                </Space>
              ),
            },
            { title: t.hub.compute.monthlyTokens, dataIndex: 'monthlyTokens', align: 'right', width: 100, render: (n: number) => <Tooltip title={formatInt(n, lang)}>{formatCompact(n, lang)}</Tooltip> },
            { title: t.hub.compute.rpm, dataIndex: 'rpm', align: 'right', width: 90, render: (n: number) => formatInt(n, lang) },
            {
              title: (
                <Tooltip title={t.hub.compute.usageTip}>
                  <span style={{ borderBottom: '1px dashed #bfbfbf' }}>{t.hub.compute.usage}</span>
                </Tooltip>
              ),
              key: 'usage',
              width: 220,
              render: (_, r) => {
                const entitled = entitledSoFar(r, today);
                if (entitled === 0) return <Typography.Text type="secondary">{t.hub.compute.notStarted}</Typography.Text>;
                const pct = percentOf(r.usage.tokens, entitled);
                return (
                  <Tooltip title={t.hub.compute.usageDetail(formatInt(r.usage.tokens, lang), formatInt(entitled, lang), formatInt(r.usage.calls, lang))}>
                    <div data-testid="hub-compute-usage" data-tokens={r.usage.tokens} data-calls={r.usage.calls}>
                      <span className="zj-hub-num" style={{ fontSize: 12 }}>
                        {formatCompact(r.usage.tokens, lang)} / {formatCompact(entitled, lang)}
                      </span>
                      <Progress percent={Math.min(pct, 100)} format={() => `${pct}%`} size="small" status={pct > 100 ? 'exception' : 'normal'} />
                    </div>
                  </Tooltip>
                );
              },
            },
            {
              title: t.hub.status,
              dataIndex: 'status',
              width: 90,
              fixed: 'right' as const,
              render: (s: ComputeStatus) => (
                <Tag color={STATUS_COLOR[s]} data-testid="hub-compute-status" data-status={s}>
                  {t.hub.compute.statuses[s]}
                </Tag>
              ),
            },
            ...(can.computeDecide
              ? [
                  {
                    title: t.common.actions,
                    key: 'actions',
                    width: 70,
                    fixed: 'right' as const,
                    render: (_: unknown, r: ComputeRequest) =>
                      r.status === 'submitted' ? (
                        <Button type="link" size="small" onClick={() => setDeciding(r)} data-testid="hub-compute-decide">
                          {t.hub.compute.decide}
                        </Button>
                      ) : null,
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <RequestDrawer
        open={submitting}
        models={models.data}
        onClose={() => setSubmitting(false)}
        onCreated={() => {
          setSubmitting(false);
          list.reload();
        }}
      />
      <DecisionModal
        request={deciding}
        modelName={(id) => modelName.get(id) ?? id}
        onClose={() => setDeciding(null)}
        onDone={() => {
          setDeciding(null);
          list.reload();
        }}
      />
    </>
  );
}

interface RequestForm {
  schoolId?: string | null;
  scenario: string;
  needs: string;
  modelIds: string[];
  startsOn: Dayjs;
  days: number;
  monthlyTokens: number;
  rpm: number;
}

function RequestDrawer(props: { open: boolean; models: Model[] | undefined; onClose(): void; onCreated(): void }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<RequestForm>();
  const scopes = useScopes();
  const monthly = Form.useWatch('monthlyTokens', form);
  const [busy, setBusy] = useState(false);
  const onlySchool = scopes.data && scopes.data.schools.length === 1 ? scopes.data.schools[0]!.id : undefined;
  useEffect(() => {
    if (props.open && onlySchool && !form.getFieldValue('schoolId')) form.setFieldValue('schoolId', onlySchool);
  }, [props.open, onlySchool, form]);

  const submit = async (v: RequestForm) => {
    const body: ComputeRequestInput = {
      schoolId: v.schoolId!,
      scenario: v.scenario.trim(),
      needs: v.needs.trim(),
      modelIds: v.modelIds,
      startsOn: v.startsOn.format('YYYY-MM-DD'),
      days: v.days,
      monthlyTokens: v.monthlyTokens,
      rpm: v.rpm,
    };
    setBusy(true);
    try {
      await api.post<ComputeRequest>('/api/hub/compute-requests', body);
      message.success(t.hub.compute.created);
      form.resetFields();
      props.onCreated();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer
      title={t.hub.compute.drawerTitle}
      open={props.open}
      onClose={props.onClose}
      width={600}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={props.onClose}>{t.common.cancel}</Button>
          <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="hub-compute-submit">
            {t.hub.compute.submit}
          </Button>
        </Space>
      }
    >
      <Form<RequestForm>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ schoolId: onlySchool ?? null, modelIds: [], startsOn: dayjs(chinaToday()).add(1, 'day'), days: 90, monthlyTokens: 10_000_000, rpm: 60 }}
      >
        <Form.Item
          name="schoolId"
          label={t.hub.compute.school}
          rules={[{ required: true, message: t.hub.compute.schoolRequired }]}
          validateStatus={scopes.error ? 'error' : undefined}
          help={scopes.error ? errorText(scopes.error, t) : undefined}
        >
          <ScopeSingleSelect kind="school" scopes={scopes.data} loading={scopes.loading} testId="hub-compute-school" />
        </Form.Item>
        <Form.Item name="scenario" label={t.hub.compute.scenario} rules={[{ required: true, whitespace: true, message: t.hub.compute.scenarioRequired }, { max: 200 }]}>
          <AutoComplete options={t.hub.compute.scenarioSuggestions.map((s) => ({ value: s }))} placeholder={t.hub.compute.scenarioPlaceholder} maxLength={200} data-testid="hub-compute-scenario" />
        </Form.Item>
        <Form.Item name="needs" label={t.hub.compute.needs} rules={[{ required: true, whitespace: true, message: t.hub.compute.needsRequired }, { max: 4000 }]}>
          <Input.TextArea rows={4} maxLength={4000} showCount placeholder={t.hub.compute.needsPlaceholder} data-testid="hub-compute-needs" />
        </Form.Item>
        <Form.Item name="modelIds" label={t.hub.compute.models} rules={[{ required: true, type: 'array', min: 1, message: t.hub.compute.modelsRequired }]}>
          <Select
            mode="multiple"
            optionFilterProp="label"
            maxCount={20}
            options={(props.models ?? []).map((m) => ({ value: m.id, label: m.approved ? m.name : `${m.name}（${t.hub.keys.notApproved}）` }))}
            data-testid="hub-compute-models"
          />
        </Form.Item>
        <Space size={16} wrap align="start">
          <Form.Item name="startsOn" label={t.hub.compute.startsOn} rules={[{ required: true, message: t.hub.compute.startsRequired }]}>
            <DatePicker allowClear={false} data-testid="hub-compute-start" />
          </Form.Item>
          <Form.Item name="days" label={t.hub.compute.days} rules={[{ required: true }]}>
            <InputNumber min={1} max={3650} precision={0} addonAfter={lang === 'zh-CN' ? '天' : 'days'} style={{ width: 150 }} />
          </Form.Item>
          <Form.Item name="rpm" label={t.hub.compute.rpm} rules={[{ required: true }]}>
            <InputNumber min={1} max={100_000} precision={0} style={{ width: 150 }} />
          </Form.Item>
        </Space>
        <Form.Item name="monthlyTokens" label={t.hub.compute.monthlyTokens} rules={[{ required: true }]} extra={monthly ? t.hub.compute.monthlyHint(formatCompact(monthly, lang)) : undefined}>
          <InputNumber min={1000} max={1e12} precision={0} step={1_000_000} style={{ width: '100%' }} addonAfter="tokens" data-testid="hub-compute-tokens" />
        </Form.Item>
      </Form>
    </Drawer>
  );
}

function DecisionModal(props: { request: ComputeRequest | null; modelName(id: string): string; onClose(): void; onDone(): void }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null);
  const r = props.request;

  const decide = async (approve: boolean) => {
    if (!r) return;
    setBusy(approve ? 'approve' : 'reject');
    try {
      const body: ComputeDecision = { approve, comment: comment.trim() };
      await api.post<ComputeRequest>(`/api/hub/compute-requests/${encodeURIComponent(r.id)}/decision`, body);
      message.success(approve ? t.hub.compute.approved : t.hub.compute.rejected);
      setComment('');
      props.onDone();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Modal
      title={t.hub.compute.decideTitle}
      open={r !== null}
      onCancel={props.onClose}
      width={640}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={props.onClose}>{t.common.cancel}</Button>
          <Button danger icon={<CloseOutlined />} loading={busy === 'reject'} disabled={busy !== null} onClick={() => void decide(false)} data-testid="hub-compute-reject">
            {t.hub.compute.reject}
          </Button>
          <Button type="primary" icon={<CheckOutlined />} loading={busy === 'approve'} disabled={busy !== null} onClick={() => void decide(true)} data-testid="hub-compute-approve">
            {t.hub.compute.approve}
          </Button>
        </Space>
      }
    >
      {r && (
        <Descriptions size="small" column={2} bordered style={{ marginBottom: 16 }}>
          <Descriptions.Item label={t.hub.compute.school}>{r.schoolName}</Descriptions.Item>
          <Descriptions.Item label={t.hub.compute.requester}>{r.requester}</Descriptions.Item>
          <Descriptions.Item label={t.hub.compute.scenario} span={2}>
            {r.scenario}
          </Descriptions.Item>
          <Descriptions.Item label={t.hub.compute.needs} span={2}>
            <div className="zj-hub-pre">{r.needs}</div>
          </Descriptions.Item>
          <Descriptions.Item label={t.hub.compute.models} span={2}>
            {r.modelIds.map((id) => (
              <Tag key={id}>{props.modelName(id)}</Tag>
            ))}
          </Descriptions.Item>
          <Descriptions.Item label={t.hub.compute.period} span={2}>
            {r.startsOn} ~ {requestEnd(r.startsOn, r.days)}（{t.hub.compute.daysN(r.days)}）
          </Descriptions.Item>
          <Descriptions.Item label={t.hub.compute.monthlyTokens}>{formatInt(r.monthlyTokens, lang)}</Descriptions.Item>
          <Descriptions.Item label={t.hub.compute.rpm}>{formatInt(r.rpm, lang)}</Descriptions.Item>
        </Descriptions>
      )}
      <Typography.Text strong>{t.hub.compute.commentLabel}</Typography.Text>
      <Input.TextArea
        rows={3}
        maxLength={2000}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        placeholder={t.hub.compute.commentPlaceholder}
        style={{ marginTop: 6 }}
        data-testid="hub-compute-comment"
      />
    </Modal>
  );
}
