import { useState } from 'react';
import { Alert, Button, Card, DatePicker, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import type { AuditEntry, PageOf } from '@zhijiao/server/api-types';
import { formatTime, useI18n } from '../i18n';
import { api, query, toApiError, type ApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';

type Outcome = AuditEntry['outcome'];
const OUTCOME_COLOR: Record<Outcome, string> = { success: 'green', failure: 'orange', denied: 'red' };

interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBroken: { seq: number; reason: string } | null;
}

interface Filters {
  actor?: string;
  action?: string;
  outcome?: Outcome;
  from?: string;
  to?: string;
}

/** Values of antd's RangePicker (dayjs objects); only toISOString is needed here. */
type RangeValue = [{ toISOString(): string } | null, { toISOString(): string } | null] | null;

interface FilterForm {
  actor?: string;
  action?: string;
  outcome?: Outcome;
  range?: RangeValue;
}

export function AuditPage() {
  const { t, lang } = useI18n();
  const [filters, setFilters] = useState<Filters>({});
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(50);
  const list = useApi<PageOf<AuditEntry>>(`/api/audit${query({ ...filters, page, pageSize })}`);
  const [verifying, setVerifying] = useState(false);
  const [verify, setVerify] = useState<VerifyResult | null>(null);
  const [verifyError, setVerifyError] = useState<ApiError | null>(null);
  const [form] = Form.useForm<FilterForm>();

  if (list.error?.status === 403) return <ApiErrorView error={list.error} />;

  const runVerify = async () => {
    setVerifying(true);
    setVerifyError(null);
    try {
      setVerify(await api.get<VerifyResult>('/api/audit/verify'));
    } catch (e) {
      setVerify(null);
      setVerifyError(toApiError(e));
    } finally {
      setVerifying(false);
    }
  };

  const apply = (v: FilterForm) => {
    setFilters({
      actor: v.actor?.trim() || undefined,
      action: v.action?.trim() || undefined,
      outcome: v.outcome,
      from: v.range?.[0]?.toISOString(),
      to: v.range?.[1]?.toISOString(),
    });
    setPage(1);
  };

  return (
    <>
      <PageHeader
        title={t.audit.title}
        subtitle={list.data ? t.common.total(list.data.total) : undefined}
        extra={
          <Button icon={<SafetyCertificateOutlined />} loading={verifying} onClick={runVerify} data-testid="audit-verify">
            {verifying ? t.audit.verifying : t.audit.verify}
          </Button>
        }
      />
      {verify && (
        <Alert
          style={{ marginBottom: 16 }}
          showIcon
          closable
          onClose={() => setVerify(null)}
          data-testid="audit-verify-result"
          type={verify.ok ? 'success' : 'error'}
          message={
            verify.ok
              ? t.audit.verifyOk(verify.checked)
              : t.audit.verifyBroken(verify.firstBroken?.seq ?? 0, verify.firstBroken?.reason ?? '')
          }
          description={verify.ok ? undefined : t.audit.verifyChecked(verify.checked)}
        />
      )}
      {verifyError && <Alert style={{ marginBottom: 16 }} showIcon type="error" message={errorText(verifyError, t)} />}
      <Card>
        <Form<FilterForm> form={form} layout="inline" onFinish={apply} style={{ marginBottom: 16, rowGap: 12 }}>
          <Form.Item name="actor" label={t.audit.actor}>
            <Input allowClear placeholder={t.audit.actorPlaceholder} style={{ width: 150 }} />
          </Form.Item>
          <Form.Item name="action" label={t.audit.action}>
            <Input allowClear placeholder={t.audit.actionPlaceholder} style={{ width: 170 }} />
          </Form.Item>
          <Form.Item name="outcome" label={t.audit.outcome}>
            <Select
              allowClear
              placeholder={t.common.all}
              style={{ width: 120 }}
              options={(['success', 'failure', 'denied'] as const).map((o) => ({ value: o, label: t.audit.outcomes[o] }))}
            />
          </Form.Item>
          <Form.Item name="range" label={t.audit.dateRange}>
            <DatePicker.RangePicker showTime />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
                {t.common.search}
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  setFilters({});
                  setPage(1);
                }}
              >
                {t.common.reset}
              </Button>
            </Space>
          </Form.Item>
        </Form>
        {list.error && <Alert type="error" showIcon message={errorText(list.error, t)} style={{ marginBottom: 16 }} />}
        <Table<AuditEntry>
          rowKey="seq"
          size="middle"
          data-testid="audit-table"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: t.audit.empty }}
          scroll={{ x: 900 }}
          expandable={{
            expandedRowRender: (e) => (
              <Space direction="vertical" style={{ width: '100%' }}>
                {e.scope && (
                  <Typography.Text>
                    {t.audit.scope}: {e.scope}
                  </Typography.Text>
                )}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t.audit.hash}: <Typography.Text code>{e.hash}</Typography.Text>
                </Typography.Text>
                <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap' }}>{JSON.stringify(e.detail, null, 2)}</pre>
              </Space>
            ),
          }}
          pagination={{
            current: list.data?.page ?? page,
            pageSize: list.data?.pageSize ?? pageSize,
            total: list.data?.total ?? 0,
            showSizeChanger: true,
            showTotal: (n) => t.common.total(n),
            onChange: (p, ps) => {
              setPage(p);
              setPageSize(ps);
            },
          }}
          columns={[
            { title: t.audit.seq, dataIndex: 'seq', width: 80 },
            { title: t.audit.time, dataIndex: 'at', width: 180, render: (v: string) => formatTime(v, lang) },
            { title: t.audit.actor, dataIndex: 'actorName', render: (v: string | null) => v ?? t.audit.system },
            { title: t.audit.action, dataIndex: 'action', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
            {
              title: t.audit.resource,
              key: 'resource',
              render: (_, e) => (e.resourceType ? `${e.resourceType}${e.resourceId ? `:${e.resourceId.slice(0, 8)}` : ''}` : t.common.none),
            },
            {
              title: t.audit.outcome,
              dataIndex: 'outcome',
              render: (o: Outcome) => <Tag color={OUTCOME_COLOR[o]}>{t.audit.outcomes[o]}</Tag>,
            },
            { title: t.audit.ip, dataIndex: 'ip', render: (v: string | null) => v ?? t.common.none },
          ]}
        />
      </Card>
    </>
  );
}
