/**
 * /hub/calls (调用日志): the gateway's calls, newest first, 50 at a time ("load more" pages by
 * the last id): when, which key and owner, app, model, node, outcome, tokens, cost, latency and
 * what the guardrails did (PII masked, lexicon hits …).
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Popconfirm, Segmented, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { EyeOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { formatTime, useI18n } from '../i18n';
import { api, query, toApiError, type ApiError } from '../shell/api';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { rowProps, useHubCan } from './common';
import { fenToYuan, formatInt, formatMs, guardrailSummary, type CallEntry, type CallOutcome } from './model';

const PAGE = 50;
const OUTCOME_COLOR: Record<CallOutcome, string> = { ok: 'success', error: 'error', blocked: 'volcano', refused: 'warning' };

export function CallsPage() {
  const { t, lang } = useI18n();
  const [rows, setRows] = useState<CallEntry[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const [outcome, setOutcome] = useState<CallOutcome | 'all'>('all');

  const load = useCallback(async (before: number | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api.get<CallEntry[]>(`/api/hub/calls${query({ limit: PAGE, before, outcome: outcome === 'all' ? undefined : outcome })}`);
      setRows((r) => (before === null ? page : [...r, ...page.filter((x) => !r.some((y) => y.id === x.id))]));
      setDone(page.length < PAGE);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setLoading(false);
    }
  }, [outcome]);
  useEffect(() => {
    void load(null);
  }, [load, lang]);

  if (error?.status === 403) return <ApiErrorView error={error} />;
  const last = rows[rows.length - 1];

  return (
    <>
      <PageHeader
        title={t.hub.calls.title}
        subtitle={t.hub.calls.subtitle}
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void load(null)} loading={loading && rows.length === 0} data-testid="hub-calls-refresh">
            {t.common.refresh}
          </Button>
        }
      />
      <Card>
        {error && <Alert type="error" showIcon message={errorText(error, t)} style={{ marginBottom: 16 }} />}
        <Segmented<CallOutcome | 'all'>
          style={{ marginBottom: 12 }}
          value={outcome}
          onChange={setOutcome}
          data-testid="hub-calls-outcome"
          options={[
            { value: 'all', label: t.hub.calls.allOutcomes },
            ...(['ok', 'blocked', 'refused', 'error'] as const).map((o) => ({ value: o, label: t.hub.calls.outcomes[o] })),
          ]}
        />
        <Table<CallEntry>
          rowKey="id"
          size="small"
          data-testid="hub-calls"
          loading={loading && rows.length === 0}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 1320 }}
          locale={{ emptyText: t.hub.calls.empty }}
          onRow={(c) => rowProps({ 'data-testid': 'hub-call-row', 'data-id': c.id, 'data-outcome': c.outcome, 'data-model': c.model })}
          expandable={{ expandedRowRender: (c) => <CallDetail call={c} /> }}
          columns={[
            {
              title: t.hub.calls.time,
              dataIndex: 'at',
              width: 125,
              render: (v: string) => (
                <Tooltip title={formatTime(v, lang)}>
                  <span className="zj-hub-num">{dayjs(v).format('MM-DD HH:mm:ss')}</span>
                </Tooltip>
              ),
            },
            {
              title: `${t.hub.calls.owner} / ${t.hub.calls.product}`,
              dataIndex: 'owner',
              width: 210,
              render: (o: string, c) => (
                <Space direction="vertical" size={0}>
                  <span>{o}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {c.keyName}
                    {c.product ? ` · ${c.product}` : ''}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: `${t.hub.model} / ${t.hub.calls.node}`,
              dataIndex: 'model',
              width: 230,
              render: (m: string, c) => (
                <Space direction="vertical" size={0}>
                  <Space size={4}>
                    <Typography.Text code style={{ whiteSpace: 'nowrap' }}>
                      {m}
                    </Typography.Text>
                    {c.stream && (
                      <Tag bordered={false} style={{ fontSize: 11 }}>
                        {t.hub.calls.stream}
                      </Tag>
                    )}
                  </Space>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {c.node ?? t.hub.none}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: t.hub.calls.outcome,
              dataIndex: 'outcome',
              width: 120,
              render: (o: CallOutcome, c) => (
                <Space size={4} wrap>
                  <Tag color={OUTCOME_COLOR[o]} data-testid="hub-call-outcome" data-outcome={o}>
                    {t.hub.calls.outcomes[o]}
                  </Tag>
                  {(c.status !== 200 || c.errorCode) && (
                    <Tooltip title={c.errorCode ?? undefined}>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {c.status}
                      </Typography.Text>
                    </Tooltip>
                  )}
                </Space>
              ),
            },
            { title: t.hub.calls.guardrails, dataIndex: 'guardrails', width: 240, render: (g: CallEntry['guardrails']) => <GuardrailTags guardrails={g} /> },
            {
              title: t.hub.calls.tokens,
              key: 'tokens',
              width: 120,
              align: 'right',
              render: (_, c) => (
                <Tooltip title={`${formatInt(c.promptTokens, lang)} + ${formatInt(c.completionTokens, lang)}`}>
                  <span className="zj-hub-num">{formatInt(c.promptTokens + c.completionTokens, lang)}</span>
                  {c.usageEstimated && (
                    <Tooltip title={t.hub.calls.estimatedTip}>
                      <Tag bordered={false} color="default" style={{ marginLeft: 4, marginRight: 0, fontSize: 11 }}>
                        {t.hub.calls.estimated}
                      </Tag>
                    </Tooltip>
                  )}
                </Tooltip>
              ),
            },
            { title: t.hub.cost, dataIndex: 'costFen', width: 90, align: 'right', render: (f: number) => <span className="zj-hub-num">{fenToYuan(f, lang, 4)}</span> },
            {
              title: t.hub.calls.latency,
              dataIndex: 'latencyMs',
              width: 95,
              align: 'right',
              render: (ms: number, c) => (
                <Space direction="vertical" size={0} style={{ alignItems: 'flex-end' }}>
                  <span className="zj-hub-num">{formatMs(ms)}</span>
                  {c.attempts > 1 && (
                    <Typography.Text type="warning" style={{ fontSize: 12 }}>
                      {t.hub.calls.attempts(c.attempts)}
                    </Typography.Text>
                  )}
                </Space>
              ),
            },
          ]}
        />
        <div style={{ textAlign: 'center', marginTop: 16 }}>
          {rows.length > 0 && (
            <Typography.Text type="secondary" style={{ marginRight: 16 }}>
              {t.hub.calls.shown(rows.length)}
            </Typography.Text>
          )}
          {done ? (
            rows.length > 0 && <Typography.Text type="secondary">{t.hub.calls.noMore}</Typography.Text>
          ) : (
            <Button onClick={() => last && void load(last.id)} loading={loading && rows.length > 0} disabled={!last} data-testid="hub-calls-more">
              {t.hub.calls.loadMore}
            </Button>
          )}
        </div>
      </Card>
    </>
  );
}

/** What the guardrails did in a call, as tags: PII masked per kind, lexicon hits, blocking. */
export function GuardrailTags({ guardrails }: { guardrails: CallEntry['guardrails'] }) {
  const { t } = useI18n();
  const items = guardrailSummary(guardrails);
  if (items.length === 0) return <Typography.Text type="secondary">{t.hub.none}</Typography.Text>;
  const L = t.hub.calls.guardrailLabels;
  const stage = (s: string) => t.hub.calls.gr.stages[s] ?? s;
  const action = (a: string) => (a === 'block' || a === 'flag' ? t.hub.guardrails.actions[a] : a);
  return (
    <span className="zj-hub-tags" data-testid="hub-call-guardrails">
      {items.map((it, i) => {
        switch (it.kind) {
          case 'masked':
            return (
              <Tag key={i} color="blue" bordered={false} data-kind="masked" data-what={it.what} data-count={it.count}>
                {t.hub.calls.gr.masked(L[it.what] ?? it.what, it.count)}
              </Tag>
            );
          case 'flag':
            return (
              <Tag key={i} color={it.action === 'block' ? 'red' : 'orange'} bordered={false} data-kind="flag" data-action={it.action} data-category={it.category}>
                {t.hub.calls.gr.flag(stage(it.stage), action(it.action), it.category)}
              </Tag>
            );
          case 'blocked':
            return (
              <Tag key={i} color="red" data-kind="blocked" data-stage={it.stage}>
                {t.hub.calls.gr.blocked(stage(it.stage))}
              </Tag>
            );
          default:
            return (
              <Tag key={i} bordered={false} data-kind="other" data-key={it.key}>
                {it.key
                  .split('.')
                  .map((k) => L[k] ?? k)
                  .join(' · ')}{' '}
                {it.value}
              </Tag>
            );
        }
      })}
    </span>
  );
}

function CallDetail({ call: c }: { call: CallEntry }) {
  const { t, lang } = useI18n();
  const { message, modal } = App.useApp();
  const canRead = useHubCan().callsContent;
  const [busy, setBusy] = useState(false);
  const view = async () => {
    setBusy(true);
    try {
      const r = await api.get<{ id: number; content: unknown }>(`/api/hub/calls/${c.id}/content`);
      modal.info({
        title: t.hub.calls.contentTitle(c.id),
        width: 760,
        content: (
          <pre className="zj-hub-code" style={{ maxHeight: 480, overflow: 'auto' }} data-testid="hub-call-content">
            {typeof r.content === 'string' ? r.content : JSON.stringify(r.content, null, 2)}
          </pre>
        ),
      });
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
      <Descriptions.Item label={t.hub.calls.endpoint}>
        <Typography.Text code>{c.endpoint}</Typography.Text>
      </Descriptions.Item>
      <Descriptions.Item label={t.hub.calls.key}>
        {c.keyName} <Typography.Text type="secondary">({c.keyId})</Typography.Text>
      </Descriptions.Item>
      <Descriptions.Item label="HTTP">{c.status}</Descriptions.Item>
      {c.errorCode && (
        <Descriptions.Item label={t.hub.calls.errorCode}>
          <Typography.Text type="danger" code>
            {c.errorCode}
          </Typography.Text>
        </Descriptions.Item>
      )}
      <Descriptions.Item label={t.hub.calls.tokens}>
        {formatInt(c.promptTokens, lang)} + {formatInt(c.completionTokens, lang)}
      </Descriptions.Item>
      <Descriptions.Item label={t.hub.cost}>{fenToYuan(c.costFen, lang, 6)}</Descriptions.Item>
      <Descriptions.Item label={t.hub.calls.guardrails} span={3}>
        <Typography.Text code style={{ whiteSpace: 'pre-wrap' }}>
          {JSON.stringify(c.guardrails)}
        </Typography.Text>
      </Descriptions.Item>
      <Descriptions.Item label="#">
        <Space>
          <span>
            {c.id} · {c.hasContent ? t.hub.calls.content : t.hub.calls.noContent}
          </span>
          {c.hasContent && canRead && (
            <Popconfirm title={t.hub.calls.viewContentConfirm} okText={t.hub.calls.viewContent} cancelText={t.common.cancel} onConfirm={() => view()}>
              <Button size="small" icon={<EyeOutlined />} loading={busy} data-testid="hub-call-view-content">
                {t.hub.calls.viewContent}
              </Button>
            </Popconfirm>
          )}
        </Space>
      </Descriptions.Item>
    </Descriptions>
  );
}
