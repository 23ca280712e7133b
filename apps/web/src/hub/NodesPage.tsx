/**
 * /hub/nodes (算力节点): the compute nodes behind the gateway with live health (polled every 5 s):
 * status, circuit breaker, requests in flight against the node's concurrency, latency, last error
 * and the models each serves; add/edit a node, check its health now, switch it on or off. The
 * second tab is the model catalogue (names callers use, prices).
 */
import { useState } from 'react';
import { Alert, App, Badge, Button, Card, Checkbox, Drawer, Empty, Form, Input, InputNumber, Progress, Radio, Select, Space, Switch, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router';
import dayjs from 'dayjs';
import { formatTime, useI18n } from '../i18n';
import { api, request, toApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { Kpis, rowProps, useHubCan } from './common';
import { ModelsSection } from './ModelsSection';
import { usePoll } from './usePoll';
import { formatMs, type BreakerState, type Model, type Node, type NodeInput, type NodePatch, type NodeStatus, type NodeTier } from './model';

const POLL_MS = 5000;
const STATUS_BADGE: Record<NodeStatus, 'success' | 'error' | 'default'> = { up: 'success', down: 'error', unknown: 'default' };
const BREAKER_COLOR: Record<BreakerState, string> = { closed: 'success', open: 'error', half_open: 'warning' };
const TIER_COLOR: Record<NodeTier, string> = { main: 'blue', sub: 'cyan', rented: 'purple' };

export function NodesPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'models' ? 'models' : 'nodes';
  return (
    <>
      <PageHeader title={t.hub.nodes.title} subtitle={t.hub.nodes.subtitle} />
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === 'models' ? { tab: 'models' } : {})}
        destroyOnHidden
        items={[
          { key: 'nodes', label: t.hub.nodes.tabNodes, children: <NodesTab /> },
          { key: 'models', label: <span data-testid="hub-tab-models">{t.hub.nodes.tabModels}</span>, children: <ModelsSection /> },
        ]}
      />
    </>
  );
}

function NodesTab() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const canManage = useHubCan().registryManage;
  const nodes = usePoll<Node[]>('/api/hub/nodes', POLL_MS);
  const [editing, setEditing] = useState<Node | 'new' | null>(null);
  const [checking, setChecking] = useState<Set<string>>(new Set());

  if (nodes.error?.status === 403) return <ApiErrorView error={nodes.error} />;
  const list = nodes.data ?? [];
  const replace = (n: Node) => nodes.patch((xs) => xs.map((x) => (x.id === n.id ? n : x)));

  const check = async (n: Node) => {
    setChecking((s) => new Set(s).add(n.id));
    try {
      const r = await api.post<Node>(`/api/hub/nodes/${encodeURIComponent(n.id)}/check`);
      replace(r);
      const text = t.hub.nodes.checked(r.name, t.hub.nodes.status[r.status]);
      if (r.status === 'up') message.success(text);
      else message.warning(r.lastError ? `${text} · ${r.lastError}` : text);
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setChecking((s) => {
        const next = new Set(s);
        next.delete(n.id);
        return next;
      });
    }
  };

  const toggle = async (n: Node, enabled: boolean) => {
    try {
      replace(await request<Node>('PATCH', `/api/hub/nodes/${encodeURIComponent(n.id)}`, { enabled } satisfies NodePatch));
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    }
  };

  return (
    <>
      <Kpis
        items={[
          { key: 'nodes', title: t.hub.nodes.total, value: list.length, raw: list.length },
          { key: 'up', title: t.hub.nodes.upCount, value: list.filter((n) => n.status === 'up').length, raw: list.filter((n) => n.status === 'up').length, color: '#389e0d' },
          { key: 'down', title: t.hub.nodes.downCount, value: list.filter((n) => n.status === 'down').length, raw: list.filter((n) => n.status === 'down').length, color: '#cf1322' },
          { key: 'open', title: t.hub.nodes.openCount, value: list.filter((n) => n.breaker !== 'closed').length, raw: list.filter((n) => n.breaker !== 'closed').length, color: '#d46b08' },
          {
            key: 'outstanding',
            title: t.hub.nodes.outstandingTotal,
            value: list.reduce((s, n) => s + n.outstanding, 0),
            raw: list.reduce((s, n) => s + n.outstanding, 0),
            suffix: <span style={{ fontSize: 14, color: '#8c8c8c' }}>/ {list.filter((n) => n.enabled).reduce((s, n) => s + n.maxConcurrency, 0)}</span>,
          },
        ]}
      />
      <Card
        title={
          <span className="zj-hub-live" data-testid="hub-nodes-live">
            <Badge status="processing" />
            {t.hub.nodes.live} · {t.hub.nodes.liveHint}
            {nodes.updatedAt && <span>· {t.hub.refreshed(nodes.updatedAt.toLocaleTimeString(lang === 'zh-CN' ? 'zh-CN' : 'en-GB', { hour12: false }))}</span>}
          </span>
        }
        extra={
          canManage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="hub-node-add">
              {t.hub.nodes.add}
            </Button>
          )
        }
      >
        {nodes.error && <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={`${t.hub.nodes.pollFailed}：${errorText(nodes.error, t)}`} />}
        <Table<Node>
          rowKey="id"
          size="middle"
          data-testid="hub-nodes"
          loading={nodes.data === undefined && !nodes.error}
          dataSource={list}
          pagination={false}
          scroll={{ x: 1280 }}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t.hub.nodes.empty} /> }}
          onRow={(n) => rowProps({ 'data-testid': 'hub-node-row', 'data-name': n.name, 'data-status': n.status, 'data-breaker': n.breaker })}
          columns={[
            {
              title: t.hub.name,
              dataIndex: 'name',
              fixed: 'left',
              width: 200,
              render: (name: string, n) => (
                <Space direction="vertical" size={0}>
                  <Space size={4}>
                    <Typography.Text strong>{name}</Typography.Text>
                    <Tag color={TIER_COLOR[n.tier]} bordered={false}>
                      {t.hub.nodes.tiers[n.tier]}
                    </Tag>
                  </Space>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis={{ tooltip: n.baseUrl }}>
                    {n.baseUrl}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: t.hub.status,
              dataIndex: 'status',
              width: 90,
              render: (s: NodeStatus, n) => (
                <span data-testid={`node-status-${n.name}`} data-status={s}>
                  <Badge status={STATUS_BADGE[s]} text={t.hub.nodes.status[s]} />
                </span>
              ),
            },
            {
              title: t.hub.nodes.breaker,
              dataIndex: 'breaker',
              width: 130,
              render: (b: BreakerState, n) => (
                <Tag color={BREAKER_COLOR[b]} data-testid={`node-breaker-${n.name}`} data-breaker={b}>
                  {t.hub.nodes.breakers[b]}
                </Tag>
              ),
            },
            {
              title: t.hub.nodes.concurrency,
              key: 'concurrency',
              width: 130,
              render: (_, n) => (
                <div data-testid={`node-outstanding-${n.name}`} data-value={n.outstanding}>
                  <span className="zj-hub-num">
                    {n.outstanding} / {n.maxConcurrency}
                  </span>
                  <Progress
                    percent={Math.min(100, Math.round((n.outstanding / Math.max(1, n.maxConcurrency)) * 100))}
                    size="small"
                    showInfo={false}
                    status={n.outstanding >= n.maxConcurrency ? 'exception' : 'normal'}
                  />
                </div>
              ),
            },
            { title: t.hub.nodes.weight, dataIndex: 'weight', width: 60, align: 'right' },
            { title: t.hub.nodes.latency, dataIndex: 'latencyMs', width: 90, align: 'right', render: (v: number | null) => <span className="zj-hub-num">{formatMs(v)}</span> },
            {
              title: t.hub.nodes.servedModels,
              dataIndex: 'models',
              width: 220,
              render: (ms: Node['models']) => (
                <span className="zj-hub-tags">
                  {ms.map((m) => (
                    <Tooltip key={m.modelId} title={m.upstreamModel !== m.modelName ? `→ ${m.upstreamModel}` : undefined}>
                      <Tag>{m.modelName}</Tag>
                    </Tooltip>
                  ))}
                </span>
              ),
            },
            {
              title: t.hub.nodes.enabled,
              dataIndex: 'enabled',
              width: 70,
              render: (v: boolean, n) => <Switch size="small" checked={v} disabled={!canManage} onChange={(x) => void toggle(n, x)} data-testid={`node-enabled-${n.name}`} />,
            },
            {
              title: `${t.hub.nodes.lastCheck} / ${t.hub.nodes.lastError}`,
              dataIndex: 'lastCheckAt',
              width: 210,
              render: (v: string | null, n) => (
                <Space direction="vertical" size={0} style={{ maxWidth: 200 }}>
                  {v ? <Tooltip title={formatTime(v, lang)}>{dayjs(v).format(dayjs(v).isSame(dayjs(), 'day') ? 'HH:mm:ss' : 'MM-DD HH:mm')}</Tooltip> : t.hub.none}
                  {n.lastError && (
                    <Typography.Text type="danger" style={{ fontSize: 12, maxWidth: 200 }} ellipsis={{ tooltip: n.lastError }} data-testid={`node-error-${n.name}`}>
                      {n.lastError}
                    </Typography.Text>
                  )}
                </Space>
              ),
            },
            ...(canManage
              ? [
                  {
                    title: t.common.actions,
                    key: 'actions',
                    width: 165,
                    fixed: 'right' as const,
                    render: (_: unknown, n: Node) => (
                      <Space size={0}>
                        <Button type="link" size="small" icon={<ThunderboltOutlined />} loading={checking.has(n.id)} onClick={() => void check(n)} data-testid={`node-check-${n.name}`}>
                          {t.hub.nodes.check}
                        </Button>
                        <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(n)}>
                          {t.hub.edit}
                        </Button>
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <NodeDrawer
        node={editing}
        onClose={() => setEditing(null)}
        onSaved={(n, created) => {
          setEditing(null);
          if (created) nodes.reload();
          else replace(n);
        }}
      />
    </>
  );
}

interface NodeForm {
  name: string;
  tier: NodeTier;
  baseUrl: string;
  apiKey?: string;
  clearKey?: boolean;
  weight: number;
  maxConcurrency: number;
  enabled: boolean;
  models: { modelId?: string; upstreamModel?: string }[];
}

function NodeDrawer(props: { node: Node | 'new' | null; onClose(): void; onSaved(n: Node, created: boolean): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<NodeForm>();
  const models = useApi<Model[]>(props.node ? '/api/hub/models' : null);
  const [busy, setBusy] = useState(false);
  const existing = props.node && props.node !== 'new' ? props.node : null;
  const clearKey = Form.useWatch('clearKey', form);

  const submit = async (v: NodeForm) => {
    const common = {
      name: v.name.trim(),
      tier: v.tier,
      baseUrl: v.baseUrl.trim(),
      weight: v.weight,
      maxConcurrency: v.maxConcurrency,
      enabled: v.enabled,
      models: v.models.filter((m) => m.modelId).map((m) => ({ modelId: m.modelId!, upstreamModel: (m.upstreamModel ?? '').trim() })),
    };
    const key = v.apiKey?.trim();
    setBusy(true);
    try {
      if (existing) {
        const body: NodePatch = { ...common, ...(v.clearKey ? { apiKey: null } : key ? { apiKey: key } : {}) };
        const n = await request<Node>('PATCH', `/api/hub/nodes/${encodeURIComponent(existing.id)}`, body);
        message.success(t.hub.nodes.updated);
        props.onSaved(n, false);
      } else {
        const body: NodeInput = { ...common, ...(key ? { apiKey: key } : {}) };
        const n = await api.post<Node>('/api/hub/nodes', body);
        message.success(t.hub.nodes.created);
        props.onSaved(n, true);
      }
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(false);
    }
  };

  const initial: NodeForm = existing
    ? {
        name: existing.name,
        tier: existing.tier,
        baseUrl: existing.baseUrl,
        weight: existing.weight,
        maxConcurrency: existing.maxConcurrency,
        enabled: existing.enabled,
        models: existing.models.map((m) => ({ modelId: m.modelId, upstreamModel: m.upstreamModel })),
      }
    : { name: '', tier: 'main', baseUrl: '', weight: 1, maxConcurrency: 16, enabled: true, models: [{}] };

  return (
    <Drawer
      title={existing ? `${t.hub.nodes.editTitle} · ${existing.name}` : t.hub.nodes.addTitle}
      open={props.node !== null}
      onClose={props.onClose}
      width={680}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={props.onClose}>{t.common.cancel}</Button>
          <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="hub-node-save">
            {t.common.save}
          </Button>
        </Space>
      }
    >
      <Form<NodeForm> form={form} layout="vertical" onFinish={submit} initialValues={initial}>
        <Space size={16} style={{ display: 'flex' }} align="start">
          <Form.Item name="name" label={t.hub.nodes.nameLabel} rules={[{ required: true, whitespace: true, message: t.hub.nodes.nameRequired }, { max: 120 }]} style={{ flex: 1, minWidth: 260 }}>
            <Input maxLength={120} placeholder={t.hub.nodes.namePlaceholder} data-testid="hub-node-name" />
          </Form.Item>
          <Form.Item name="tier" label={t.hub.nodes.tier} rules={[{ required: true }]}>
            <Radio.Group optionType="button" options={(['main', 'sub', 'rented'] as const).map((x) => ({ value: x, label: t.hub.nodes.tiers[x] }))} />
          </Form.Item>
        </Space>
        <Form.Item name="baseUrl" label={t.hub.nodes.baseUrl} extra={t.hub.nodes.baseUrlHint} rules={[{ required: true, type: 'url', message: t.hub.nodes.baseUrlRequired }, { max: 500 }]}>
          <Input maxLength={500} placeholder="https://" data-testid="hub-node-url" />
        </Form.Item>
        <Form.Item
          name="apiKey"
          label={
            <Space>
              {t.hub.nodes.apiKey}
              {existing?.hasCredential && (
                <Tag color="success" bordered={false}>
                  {t.hub.saved}
                </Tag>
              )}
            </Space>
          }
          extra={t.hub.nodes.apiKeyOptional}
          rules={[{ max: 500 }]}
        >
          <Input.Password autoComplete="new-password" disabled={!!clearKey} placeholder={existing?.hasCredential ? t.hub.nodes.apiKeySaved : ''} data-testid="hub-node-key" />
        </Form.Item>
        {existing?.hasCredential && (
          <Form.Item name="clearKey" valuePropName="checked" style={{ marginTop: -12 }}>
            <Checkbox data-testid="hub-node-clear-key">{t.hub.nodes.apiKeyClear}</Checkbox>
          </Form.Item>
        )}
        <Space size={16} wrap>
          <Form.Item name="weight" label={t.hub.nodes.weight} rules={[{ required: true }]}>
            <InputNumber min={1} max={1000} precision={0} />
          </Form.Item>
          <Form.Item name="maxConcurrency" label={t.hub.nodes.maxConcurrency} rules={[{ required: true }]}>
            <InputNumber min={1} max={10000} precision={0} />
          </Form.Item>
          <Form.Item name="enabled" label={t.hub.nodes.enabled} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
        <Typography.Text strong style={{ display: 'block' }}>
          {t.hub.nodes.modelsLabel}
        </Typography.Text>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
          {t.hub.nodes.modelsHint}
        </Typography.Paragraph>
        {models.error && <Alert type="error" showIcon style={{ marginBottom: 8 }} message={errorText(models.error, t)} />}
        <Form.List
          name="models"
          rules={[
            {
              validator: async (_, rows: NodeForm['models']) => {
                const ids = (rows ?? []).map((r) => r?.modelId).filter(Boolean);
                if (new Set(ids).size !== ids.length) throw new Error(t.hub.nodes.duplicateModel);
              },
            },
          ]}
        >
          {(fields, { add, remove }, { errors }) => (
            <>
              {fields.map((f) => (
                <div key={f.key} className="zj-hub-model-row" data-testid="hub-node-model-row">
                  <Form.Item name={[f.name, 'modelId']} rules={[{ required: true, message: t.hub.nodes.modelRequired }]} style={{ flex: 1 }}>
                    <Select
                      showSearch
                      optionFilterProp="label"
                      placeholder={t.hub.model}
                      loading={models.loading}
                      options={(models.data ?? []).map((m) => ({ value: m.id, label: m.name }))}
                      onChange={(id: string) => {
                        const m = models.data?.find((x) => x.id === id);
                        if (m && !form.getFieldValue(['models', f.name, 'upstreamModel'])) form.setFieldValue(['models', f.name, 'upstreamModel'], m.name);
                      }}
                      data-testid="hub-node-model"
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'upstreamModel']} rules={[{ required: true, whitespace: true, message: t.hub.nodes.upstreamRequired }, { max: 200 }]} style={{ flex: 1 }}>
                    <Input placeholder={t.hub.nodes.upstreamModel} maxLength={200} data-testid="hub-node-upstream" />
                  </Form.Item>
                  <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t.hub.delete} />
                </div>
              ))}
              <Form.ErrorList errors={errors} />
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} block>
                {t.hub.nodes.addModel}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Drawer>
  );
}
