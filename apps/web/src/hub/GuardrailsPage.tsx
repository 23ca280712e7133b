/**
 * /hub/guardrails (安全护栏): the guardrail policy of each grade band (mask PII before a request
 * leaves the platform, restore it in replies, scan input and output against the lexicon, how long
 * call contents are kept) and the safety lexicon (search, add in bulk, delete).
 */
import { useMemo, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Input, InputNumber, Modal, Popconfirm, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined, SaveOutlined, SearchOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { api, request, toApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { BandTags, rowProps, useHubCan } from './common';
import { GRADE_BANDS, parseLexicon, type GradeBand, type LexiconAction, type LexiconInput, type LexiconTerm, type Policy } from './model';

export function GuardrailsPage() {
  const { t } = useI18n();
  const policies = useApi<Policy[]>('/api/hub/policies');
  const canManage = useHubCan().registryManage;
  if (policies.error?.status === 403) return <ApiErrorView error={policies.error} />;
  return (
    <>
      <PageHeader title={t.hub.guardrails.title} subtitle={t.hub.guardrails.subtitle} />
      <PoliciesCard policies={policies.data} loading={policies.loading} error={policies.error ? errorText(policies.error, t) : null} onSaved={policies.reload} canManage={canManage} />
      {canManage ? (
        <LexiconCard />
      ) : (
        <Card title={t.hub.guardrails.lexicon}>
          <Alert type="info" showIcon message={t.hub.guardrails.lexiconManageOnly} />
        </Card>
      )}
    </>
  );
}

type Flag = 'maskPii' | 'restorePii' | 'scanInput' | 'scanOutput';
const FLAGS: Flag[] = ['maskPii', 'restorePii', 'scanInput', 'scanOutput'];

function PoliciesCard(props: { policies: Policy[] | undefined; loading: boolean; error: string | null; onSaved(): void; canManage: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [drafts, setDrafts] = useState<Partial<Record<GradeBand, Policy>>>({});
  const [saving, setSaving] = useState<GradeBand | null>(null);
  const rows = useMemo(() => {
    const byBand = new Map((props.policies ?? []).map((p) => [p.gradeBand, p]));
    return GRADE_BANDS.filter((b) => byBand.has(b)).map((b) => drafts[b] ?? byBand.get(b)!);
  }, [props.policies, drafts]);
  const original = (b: GradeBand) => props.policies?.find((p) => p.gradeBand === b);
  const dirty = (p: Policy) => {
    const o = original(p.gradeBand);
    return !!o && (FLAGS.some((f) => o[f] !== p[f]) || o.retentionDays !== p.retentionDays);
  };
  const edit = (p: Policy, change: Partial<Policy>) => setDrafts((d) => ({ ...d, [p.gradeBand]: { ...p, ...change } }));

  const save = async (p: Policy) => {
    setSaving(p.gradeBand);
    try {
      const { gradeBand, ...body } = p;
      await request<Policy>('PUT', `/api/hub/policies/${encodeURIComponent(gradeBand)}`, body);
      message.success(t.hub.guardrails.saved(t.hub.bands[gradeBand] ?? gradeBand));
      setDrafts((d) => {
        const n = { ...d };
        delete n[gradeBand];
        return n;
      });
      props.onSaved();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setSaving(null);
    }
  };

  const flagColumn = (f: Flag, title: string, hint?: string) => ({
    title: hint ? (
      <Tooltip title={hint}>
        <span style={{ borderBottom: '1px dashed #bfbfbf' }}>{title}</span>
      </Tooltip>
    ) : (
      title
    ),
    key: f,
    width: 120,
    align: 'center' as const,
    render: (_: unknown, p: Policy) => (
      <Switch
        checked={p[f]}
        // restoring needs masking first
        disabled={!props.canManage || (f === 'restorePii' && !p.maskPii)}
        onChange={(v) => edit(p, f === 'maskPii' && !v ? { maskPii: false, restorePii: false } : { [f]: v })}
        data-testid={`policy-${p.gradeBand}-${f}`}
      />
    ),
  });

  return (
    <Card title={t.hub.guardrails.policies} style={{ marginBottom: 16 }} data-testid="hub-policies">
      <Typography.Paragraph type="secondary">
        {t.hub.guardrails.policiesIntro}
        {!props.canManage && ` ${t.hub.guardrails.policiesReadOnly}`}
      </Typography.Paragraph>
      {props.error && <Alert type="error" showIcon message={props.error} style={{ marginBottom: 16 }} />}
      <Table<Policy>
        rowKey="gradeBand"
        size="middle"
        loading={props.loading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 820 }}
        onRow={(p) => rowProps({ 'data-testid': 'hub-policy-row', 'data-band': p.gradeBand, 'data-dirty': dirty(p) })}
        columns={[
          { title: t.hub.gradeBand, dataIndex: 'gradeBand', width: 110, render: (b: string) => <Typography.Text strong>{t.hub.bands[b] ?? b}</Typography.Text> },
          flagColumn('maskPii', t.hub.guardrails.maskPii),
          flagColumn('restorePii', t.hub.guardrails.restorePii, t.hub.guardrails.restoreHint),
          flagColumn('scanInput', t.hub.guardrails.scanInput),
          flagColumn('scanOutput', t.hub.guardrails.scanOutput),
          {
            title: t.hub.guardrails.retentionDays,
            dataIndex: 'retentionDays',
            width: 150,
            render: (v: number, p) => (
              <InputNumber min={1} max={3650} precision={0} value={v} disabled={!props.canManage} onChange={(x) => x !== null && edit(p, { retentionDays: x })} style={{ width: 110 }} data-testid={`policy-${p.gradeBand}-retention`} />
            ),
          },
          ...(props.canManage
            ? [
                {
                  title: t.common.actions,
                  key: 'save',
                  width: 100,
                  render: (_: unknown, p: Policy) => (
                    <Button type={dirty(p) ? 'primary' : 'default'} size="small" icon={<SaveOutlined />} disabled={!dirty(p)} loading={saving === p.gradeBand} onClick={() => void save(p)} data-testid={`policy-${p.gradeBand}-save`}>
                      {t.hub.guardrails.save}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
    </Card>
  );
}

function LexiconCard() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const lexicon = useApi<LexiconTerm[]>('/api/hub/lexicon');
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState(false);

  const all = lexicon.data ?? [];
  const q = search.trim().toLowerCase();
  const shown = q ? all.filter((x) => x.term.toLowerCase().includes(q) || x.category.toLowerCase().includes(q)) : all;
  const categories = useMemo(() => [...new Set(all.map((x) => x.category))].sort().map((c) => ({ text: c, value: c })), [all]);

  const remove = async (ids: string[]) => {
    setDeleting(true);
    let n = 0;
    try {
      for (const id of ids) {
        await api.delete(`/api/hub/lexicon/${encodeURIComponent(id)}`);
        n++;
      }
      message.success(t.hub.guardrails.deletedN(n));
    } catch (e) {
      if (n) message.warning(t.hub.guardrails.deletedN(n));
      message.error(errorText(toApiError(e), t));
    } finally {
      setDeleting(false);
      setSelected([]);
      lexicon.reload();
    }
  };

  return (
    <Card
      title={
        <Space>
          {t.hub.guardrails.lexicon}
          {lexicon.data && (
            <Typography.Text type="secondary" style={{ fontWeight: 'normal', fontSize: 13 }}>
              {t.hub.guardrails.termsN(all.length)}
            </Typography.Text>
          )}
        </Space>
      }
      data-testid="hub-lexicon"
      extra={
        <Space>
          {selected.length > 0 && (
            <Popconfirm title={t.hub.deleteConfirm} okText={t.hub.delete} okButtonProps={{ danger: true }} cancelText={t.common.cancel} onConfirm={() => remove(selected)}>
              <Button danger icon={<DeleteOutlined />} loading={deleting} data-testid="hub-lexicon-delete-selected">
                {t.hub.guardrails.deleteSelected(selected.length)}
              </Button>
            </Popconfirm>
          )}
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="hub-lexicon-add">
            {t.hub.guardrails.addTerms}
          </Button>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t.hub.guardrails.lexiconIntro}</Typography.Paragraph>
      <Input
        allowClear
        prefix={<SearchOutlined />}
        placeholder={t.hub.guardrails.search}
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        style={{ width: 280, marginBottom: 12 }}
        data-testid="hub-lexicon-search"
      />
      {lexicon.error && <Alert type="error" showIcon message={errorText(lexicon.error, t)} style={{ marginBottom: 16 }} />}
      <Table<LexiconTerm>
        rowKey="id"
        size="small"
        loading={lexicon.loading}
        dataSource={shown}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        locale={{ emptyText: t.hub.guardrails.empty }}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) }}
        onRow={(x) => rowProps({ 'data-testid': 'hub-lexicon-row', 'data-term': x.term, 'data-action': x.action })}
        columns={[
          { title: t.hub.guardrails.term, dataIndex: 'term', render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
          { title: t.hub.guardrails.category, dataIndex: 'category', filters: categories, onFilter: (v, x) => x.category === v },
          {
            title: t.hub.guardrails.action,
            dataIndex: 'action',
            width: 100,
            filters: (['block', 'flag'] as const).map((a) => ({ text: t.hub.guardrails.actions[a], value: a })),
            onFilter: (v, x) => x.action === v,
            render: (a: LexiconAction) => <Tag color={a === 'block' ? 'red' : 'orange'}>{t.hub.guardrails.actions[a]}</Tag>,
          },
          { title: t.hub.guardrails.bands, dataIndex: 'gradeBands', render: (b: string[] | null) => <BandTags bands={b} /> },
          {
            title: t.common.actions,
            key: 'actions',
            width: 70,
            render: (_, x) => (
              <Popconfirm title={t.hub.deleteConfirm} okText={t.hub.delete} okButtonProps={{ danger: true }} cancelText={t.common.cancel} onConfirm={() => remove([x.id])}>
                <Button type="link" danger size="small" icon={<DeleteOutlined />} aria-label={t.hub.delete} data-testid="hub-lexicon-delete" />
              </Popconfirm>
            ),
          },
        ]}
      />
      <AddTermsModal
        open={adding}
        onClose={() => setAdding(false)}
        onAdded={() => {
          setAdding(false);
          lexicon.reload();
        }}
      />
    </Card>
  );
}

function AddTermsModal(props: { open: boolean; onClose(): void; onAdded(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [text, setText] = useState('');
  const [bands, setBands] = useState<GradeBand[]>([]);
  const [busy, setBusy] = useState(false);
  const parsed = useMemo(() => parseLexicon(text), [text]);

  const submit = async () => {
    const body: LexiconInput = { terms: parsed.terms.map((x) => ({ ...x, gradeBands: bands.length ? bands : null })) };
    setBusy(true);
    try {
      const added = await api.post<LexiconTerm[]>('/api/hub/lexicon', body);
      message.success(t.hub.guardrails.added(Array.isArray(added) ? added.length : parsed.terms.length));
      setText('');
      setBands([]);
      props.onAdded();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title={t.hub.guardrails.addTitle}
      open={props.open}
      onCancel={props.onClose}
      onOk={() => void submit()}
      okText={t.hub.add}
      okButtonProps={{ disabled: parsed.terms.length === 0 || parsed.errors.length > 0, 'data-testid': 'hub-lexicon-submit' }}
      cancelText={t.common.cancel}
      confirmLoading={busy}
      width={620}
    >
      <Typography.Paragraph type="secondary">{t.hub.guardrails.addIntro}</Typography.Paragraph>
      <Input.TextArea
        value={text}
        onChange={(e) => setText(e.target.value)}
        autoSize={{ minRows: 8, maxRows: 16 }}
        placeholder={t.hub.guardrails.addPlaceholder}
        style={{ fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' }}
        data-testid="hub-lexicon-text"
      />
      <div style={{ margin: '8px 0 12px' }}>
        {parsed.terms.length > 0 && (
          <Typography.Text type="success" data-testid="hub-lexicon-parsed" data-count={parsed.terms.length}>
            {t.hub.guardrails.parsed(parsed.terms.length)}
          </Typography.Text>
        )}
        {parsed.errors.length > 0 && (
          <Alert
            type="error"
            showIcon
            style={{ marginTop: 8 }}
            message={t.hub.guardrails.parseErrors(parsed.errors.length)}
            description={
              <ul style={{ margin: 0, paddingLeft: 18, maxHeight: 120, overflow: 'auto' }}>
                {parsed.errors.slice(0, 20).map((e) => (
                  <li key={e.line}>
                    {t.hub.guardrails.lineN(e.line)}：<Typography.Text code>{e.text}</Typography.Text>
                  </li>
                ))}
              </ul>
            }
          />
        )}
      </div>
      <Typography.Text strong>{t.hub.guardrails.addBands}</Typography.Text>
      <div style={{ marginTop: 6 }}>
        <Checkbox.Group value={bands} onChange={(v) => setBands(v as GradeBand[])} options={GRADE_BANDS.map((b) => ({ value: b, label: t.hub.bands[b] }))} />
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t.hub.guardrails.addBandsHint}
      </Typography.Text>
    </Modal>
  );
}
