/**
 * Quotas (on /hub/usage): limits on a school, region, app or key — tokens per day or month and
 * requests per minute — with the live use of the current period; region administrators add and
 * delete them (quotas made by an approved compute request are marked).
 */
import { useMemo, useState } from 'react';
import { Alert, App, Button, Card, Form, InputNumber, Modal, Popconfirm, Progress, Radio, Select, Table, Tag, Tooltip, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { api, toApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { errorText } from '../shell/ApiErrorView';
import { ScopeSingleSelect, formatDate, rowProps, useHubCan, useScopes } from './common';
import { formatCompact, formatInt, percentOf, type KeyInfo, type Product, type Quota, type QuotaInput, type QuotaSubject } from './model';

const SUBJECT_COLOR: Record<QuotaSubject, string> = { school: 'blue', region: 'geekblue', product: 'cyan', key: 'purple' };

export function QuotasSection() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const quotas = useApi<Quota[]>('/api/hub/quotas');
  const isRegionAdmin = useHubCan().quotaManage;
  const [adding, setAdding] = useState(false);

  const remove = async (q: Quota) => {
    try {
      await api.delete(`/api/hub/quotas/${encodeURIComponent(q.id)}`);
      message.success(t.hub.deleted);
      quotas.reload();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    }
  };

  return (
    <Card
      title={t.hub.usage.quotas}
      style={{ marginTop: 16 }}
      data-testid="hub-quotas"
      extra={
        isRegionAdmin && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="hub-quota-add">
            {t.hub.usage.addQuota}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">{t.hub.usage.quotasIntro}</Typography.Paragraph>
      {quotas.error && <Alert type="error" showIcon message={errorText(quotas.error, t)} style={{ marginBottom: 16 }} />}
      <Table<Quota>
        rowKey="id"
        size="middle"
        loading={quotas.loading}
        dataSource={quotas.data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 900 }}
        locale={{ emptyText: t.hub.usage.quotasEmpty }}
        onRow={(q) => rowProps({ 'data-testid': 'hub-quota-row', 'data-id': q.id, 'data-subject': q.subjectName, 'data-used': q.used, 'data-limit': q.tokenLimit })}
        columns={[
          {
            title: t.hub.usage.subject,
            key: 'subject',
            render: (_, q) => (
              <span>
                <Tag color={SUBJECT_COLOR[q.subjectType]} bordered={false}>
                  {t.hub.usage.subjectTypes[q.subjectType]}
                </Tag>
                {q.subjectName}
                {q.requestId && (
                  <Tag color="gold" bordered={false} style={{ marginLeft: 6 }}>
                    {t.hub.usage.fromRequest}
                  </Tag>
                )}
              </span>
            ),
          },
          { title: t.hub.usage.period, dataIndex: 'period', width: 80, render: (p: Quota['period']) => t.hub.usage.periods[p] },
          {
            title: `${t.hub.usage.used} / ${t.hub.usage.tokenLimit}`,
            key: 'used',
            width: 300,
            render: (_, q) => {
              if (q.tokenLimit === null)
                return (
                  <span className="zj-hub-num">
                    {formatInt(q.used, lang)} / <Typography.Text type="secondary">{t.hub.usage.unlimited}</Typography.Text>
                  </span>
                );
              const pct = percentOf(q.used, q.tokenLimit);
              return (
                <Tooltip title={`${formatInt(q.used, lang)} / ${formatInt(q.tokenLimit, lang)}`}>
                  <div>
                    <span className="zj-hub-num">
                      {formatCompact(q.used, lang)} / {formatCompact(q.tokenLimit, lang)}
                    </span>
                    <Progress percent={Math.min(pct, 100)} format={() => `${pct}%`} size="small" status={pct >= 100 ? 'exception' : pct >= 80 ? 'active' : 'normal'} strokeColor={pct >= 100 ? undefined : pct >= 80 ? '#fa8c16' : undefined} />
                  </div>
                </Tooltip>
              );
            },
          },
          { title: t.hub.usage.rpm, dataIndex: 'rpm', width: 130, align: 'right', render: (v: number | null) => (v === null ? <Typography.Text type="secondary">{t.hub.usage.unlimited}</Typography.Text> : formatInt(v, lang)) },
          {
            title: t.hub.usage.validity,
            key: 'validity',
            width: 200,
            render: (_, q) => (q.startsAt || q.endsAt ? `${formatDate(q.startsAt) || '…'} ~ ${formatDate(q.endsAt) || '…'}` : t.hub.never),
          },
          ...(isRegionAdmin
            ? [
                {
                  title: t.common.actions,
                  key: 'actions',
                  width: 70,
                  render: (_: unknown, q: Quota) => (
                    <Popconfirm title={t.hub.deleteConfirm} okText={t.hub.delete} okButtonProps={{ danger: true }} cancelText={t.common.cancel} onConfirm={() => remove(q)}>
                      <Button type="link" danger size="small" icon={<DeleteOutlined />} aria-label={t.hub.delete} data-testid="hub-quota-delete" />
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
      <AddQuotaModal
        open={adding}
        onClose={() => setAdding(false)}
        onCreated={() => {
          setAdding(false);
          quotas.reload();
        }}
      />
    </Card>
  );
}

interface QuotaForm {
  subjectType: QuotaSubject;
  subjectId?: string | null;
  period: 'day' | 'month';
  tokenLimit?: number | null;
  rpm?: number | null;
}

function AddQuotaModal(props: { open: boolean; onClose(): void; onCreated(): void }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<QuotaForm>();
  const subjectType = Form.useWatch('subjectType', form);
  const tokenLimit = Form.useWatch('tokenLimit', form);
  const scopes = useScopes();
  const products = useApi<Product[]>(props.open && subjectType === 'product' ? '/api/hub/products?status=approved' : null);
  const keys = useApi<KeyInfo[]>(props.open && subjectType === 'key' ? '/api/hub/keys' : null);
  const keyOptions = useMemo(() => (keys.data ?? []).filter((k) => !k.revokedAt).map((k) => ({ value: k.id, label: `${k.name} · ${k.ownerName}（${k.prefix}…）` })), [keys.data]);
  const [busy, setBusy] = useState(false);

  const submit = async (v: QuotaForm) => {
    const body: QuotaInput = { subjectType: v.subjectType, subjectId: v.subjectId!, period: v.period, tokenLimit: v.tokenLimit ?? null, rpm: v.rpm ?? null };
    setBusy(true);
    try {
      await api.post<Quota>('/api/hub/quotas', body);
      message.success(t.hub.usage.created);
      form.resetFields();
      props.onCreated();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(false);
    }
  };

  const subjectPicker = () => {
    switch (subjectType) {
      case 'region':
        return <ScopeSingleSelect kind="region" scopes={scopes.data} loading={scopes.loading} testId="hub-quota-subject" />;
      case 'product':
        return (
          <Select
            showSearch
            optionFilterProp="label"
            loading={products.loading}
            options={(products.data ?? []).map((p) => ({ value: p.id, label: `${p.name}（${t.hub.kinds[p.kind]}）` }))}
            data-testid="hub-quota-subject"
          />
        );
      case 'key':
        return <Select showSearch optionFilterProp="label" loading={keys.loading} options={keyOptions} data-testid="hub-quota-subject" />;
      default:
        return <ScopeSingleSelect kind="school" scopes={scopes.data} loading={scopes.loading} testId="hub-quota-subject" />;
    }
  };

  return (
    <Modal
      title={t.hub.usage.addQuota}
      open={props.open}
      onCancel={props.onClose}
      onOk={() => form.submit()}
      okText={t.hub.add}
      okButtonProps={{ 'data-testid': 'hub-quota-submit' }}
      cancelText={t.common.cancel}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form<QuotaForm> form={form} layout="vertical" onFinish={submit} initialValues={{ subjectType: 'school', period: 'month', subjectId: null, tokenLimit: null, rpm: null }}>
        <Form.Item name="subjectType" label={t.hub.usage.subject}>
          <Radio.Group
            optionType="button"
            options={(['school', 'region', 'product', 'key'] as const).map((s) => ({ value: s, label: t.hub.usage.subjectTypes[s] }))}
            onChange={() => form.setFieldValue('subjectId', null)}
          />
        </Form.Item>
        <Form.Item name="subjectId" rules={[{ required: true, message: t.hub.usage.subjectRequired }]}>
          {subjectPicker()}
        </Form.Item>
        <Form.Item name="period" label={t.hub.usage.period}>
          <Radio.Group options={(['day', 'month'] as const).map((p) => ({ value: p, label: t.hub.usage.periods[p] }))} />
        </Form.Item>
        <Form.Item
          name="tokenLimit"
          label={t.hub.usage.tokenLimit}
          extra={tokenLimit ? t.hub.usage.tokenLimitHint(formatCompact(tokenLimit, lang)) : undefined}
          dependencies={['rpm']}
          rules={[
            ({ getFieldValue }) => ({
              validator: (_, v: number | null | undefined) => (v != null || getFieldValue('rpm') != null ? Promise.resolve() : Promise.reject(new Error(t.hub.usage.limitRequired))),
            }),
          ]}
        >
          <InputNumber min={0} max={1e13} precision={0} step={100_000} style={{ width: '100%' }} addonAfter="tokens" data-testid="hub-quota-tokens" />
        </Form.Item>
        <Form.Item name="rpm" label={t.hub.usage.rpm}>
          <InputNumber min={1} max={1_000_000} precision={0} style={{ width: '100%' }} data-testid="hub-quota-rpm" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
