/** The alert list with filters, and the detail drawer: evidence, follow-up log and the loop's actions. */
import { useState } from 'react';
import { Alert, App, Button, Descriptions, Drawer, Empty, Input, List, Select, Space, Table, Tag, Timeline, Typography } from 'antd';
import { formatTime, useI18n } from '../i18n';
import { api, query, toApiError } from '../shell/api';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { useApi } from '../shell/useApi';
import { ReferralModal } from './ReferralsTab';
import type { AlertDetail, AlertKind, AlertStatus, AlertSummary } from './types';

const STATUS_COLOR: Record<AlertStatus, string> = { open: 'red', verified: 'orange', followed_up: 'blue', closed: 'green', dismissed: 'default' };

export function AlertsTab() {
  const { t, lang } = useI18n();
  const [status, setStatus] = useState<AlertStatus | undefined>();
  const [kind, setKind] = useState<AlertKind | undefined>();
  const [openId, setOpenId] = useState<string | null>(null);
  const list = useApi<AlertSummary[]>(`/api/warning/alerts${query({ status, kind })}`);
  if (list.error) return <ApiErrorView error={list.error} />;
  const w = t.warning;
  return (
    <>
      <Space style={{ marginBottom: 16 }} wrap>
        <Select
          style={{ width: 160 }}
          value={status ?? 'all'}
          onChange={(v) => setStatus(v === 'all' ? undefined : (v as AlertStatus))}
          options={[{ value: 'all', label: `${w.filterStatus}：${w.all}` }, ...Object.entries(w.statuses).map(([value, label]) => ({ value, label }))]}
          data-testid="warning-filter-status"
        />
        <Select
          style={{ width: 180 }}
          value={kind ?? 'all'}
          onChange={(v) => setKind(v === 'all' ? undefined : (v as AlertKind))}
          options={[{ value: 'all', label: `${w.filterKind}：${w.all}` }, ...Object.entries(w.kinds).map(([value, label]) => ({ value, label }))]}
          data-testid="warning-filter-kind"
        />
      </Space>
      <Table<AlertSummary>
        rowKey="id"
        loading={list.loading}
        dataSource={list.data ?? []}
        locale={{ emptyText: <Empty description={w.empty} /> }}
        onRow={(r) => ({ onClick: () => setOpenId(r.id), style: { cursor: 'pointer' }, 'data-testid': `alert-row-${r.student.studentNo}-${r.kind}` } as React.HTMLAttributes<HTMLElement>)}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: w.student, render: (_, r) => `${r.student.name}（${r.student.studentNo}）` },
          { title: w.className, dataIndex: 'className' },
          { title: w.kind, render: (_, r) => <Tag>{w.kinds[r.kind]}</Tag> },
          { title: w.gist, render: (_, r) => w.headline(r.kind, r.headline) },
          { title: w.status, render: (_, r) => <Tag color={STATUS_COLOR[r.status]}>{w.statuses[r.status]}</Tag> },
          { title: w.owner, render: (_, r) => (r.owner ? r.owner.name : w.noOwner) },
          { title: w.level, render: (_, r) => (r.level === 'owner' ? w.levels.owner : <Tag color="volcano">{w.levels[r.level]}</Tag>) },
          { title: w.dueAt, render: (_, r) => formatTime(r.dueAt, lang) },
        ]}
      />
      <AlertDrawer id={openId} onClose={() => setOpenId(null)} onChanged={list.reload} />
    </>
  );
}

function AlertDrawer(props: { id: string | null; onClose(): void; onChanged(): void }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const w = t.warning;
  const detail = useApi<AlertDetail>(props.id ? `/api/warning/alerts/${props.id}` : null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [referring, setReferring] = useState(false);
  const a = detail.data;

  const act = async (path: 'verify' | 'follow-up' | 'close' | 'dismiss', needsNote: boolean) => {
    if (!a) return;
    if (needsNote && !note.trim()) {
      message.warning(w.reasonRequired);
      return;
    }
    setBusy(true);
    try {
      await api.post(`/api/warning/alerts/${a.id}/${path}`, note.trim() ? { note: note.trim() } : {});
      setNote('');
      message.success(w.done);
      detail.reload();
      props.onChanged();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer open={!!props.id} onClose={props.onClose} width={560} title={w.detailTitle} destroyOnHidden>
      {detail.error && <ApiErrorView error={detail.error} />}
      {a && (
        <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="alert-detail">
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={w.student}>{`${a.student.name}（${a.student.studentNo}）· ${a.className}`}</Descriptions.Item>
            <Descriptions.Item label={w.kind}>{w.kinds[a.kind]}</Descriptions.Item>
            <Descriptions.Item label={w.status}>
              <Tag color={STATUS_COLOR[a.status]}>{w.statuses[a.status]}</Tag>
              {a.dismissReason && <Typography.Text type="secondary">{a.dismissReason}</Typography.Text>}
            </Descriptions.Item>
            <Descriptions.Item label={w.owner}>{`${a.owner?.name ?? w.noOwner} · ${w.levels[a.level]}`}</Descriptions.Item>
            {a.dueAt && <Descriptions.Item label={w.dueAt}>{formatTime(a.dueAt, lang)}</Descriptions.Item>}
          </Descriptions>
          <div>
            <Typography.Title level={5}>{w.evidence}</Typography.Title>
            <List
              size="small"
              bordered
              data-testid="alert-evidence"
              dataSource={[
                ...(a.evidence.records ?? []).map((r) => w.evidenceDay(r.date, w.attendanceStatuses[r.status] ?? r.status, r.reason, r.source)),
                ...(a.evidence.assignments ?? []).map((x) => w.evidenceAssignment(x.title, formatTime(x.dueAt, lang))),
                ...(a.evidence.points ?? []).map((x) => w.evidencePoint(x.code, x.from.pKnow, x.to.pKnow)),
              ]}
              renderItem={(text) => <List.Item>{text}</List.Item>}
            />
          </div>
          <div>
            <Typography.Title level={5}>{w.log}</Typography.Title>
            <Timeline
              items={a.actions.map((x) => ({
                children: (
                  <>
                    <Typography.Text strong>{w.actionNames[x.action] ?? x.action}</Typography.Text>
                    {` · ${x.actor?.name ?? w.system} · ${formatTime(x.at, lang)}`}
                    {x.note && <div>{x.note}</div>}
                  </>
                ),
              }))}
            />
          </div>
          {a.canAct && (a.status === 'open' || a.status === 'verified' || a.status === 'followed_up') ? (
            <Space direction="vertical" style={{ width: '100%' }}>
              <Input.TextArea rows={3} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} placeholder={w.notePlaceholder} data-testid="alert-note" />
              <Space wrap>
                {a.status === 'open' && (
                  <Button type="primary" loading={busy} onClick={() => act('verify', false)} data-testid="alert-verify">
                    {w.verify}
                  </Button>
                )}
                {(a.status === 'verified' || a.status === 'followed_up') && (
                  <Button type="primary" loading={busy} onClick={() => act('follow-up', true)} data-testid="alert-follow-up">
                    {w.followUp}
                  </Button>
                )}
                {a.status === 'followed_up' && (
                  <Button loading={busy} onClick={() => act('close', false)} data-testid="alert-close">
                    {w.close}
                  </Button>
                )}
                {(a.status === 'open' || a.status === 'verified') && (
                  <Button danger loading={busy} onClick={() => act('dismiss', true)} data-testid="alert-dismiss">
                    {w.dismiss}
                  </Button>
                )}
              </Space>
            </Space>
          ) : (
            !a.canAct && <Alert type="info" showIcon message={w.cannotAct} />
          )}
          <Button onClick={() => setReferring(true)} data-testid="alert-refer">
            {w.refer}
          </Button>
          <ReferralModal open={referring} student={a.student} onClose={() => setReferring(false)} />
        </Space>
      )}
    </Drawer>
  );
}
