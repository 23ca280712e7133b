/**
 * Comprehensive-quality records (德智体美劳) of one student as a timeline, with counts per domain
 * (click one to show only its records), the add form for the student's teachers and school admin,
 * and withdrawal with a reason by the recorder. Withdrawn records reach staff only.
 */
import { useState } from 'react';
import { App, Button, Card, DatePicker, Empty, Form, Input, Modal, Select, Space, Tag, Timeline, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { formatTime, useI18n } from '../i18n';
import { api, toApiError } from '../shell/api';
import { errorText } from '../shell/ApiErrorView';
import { DOMAIN_COLORS, DOMAINS, qualityPath, type QualityDomain, type QualityRecord } from './portrait-model';

interface FormValues {
  domain: QualityDomain;
  title: string;
  description: string;
  evidence: string;
  occurredOn: Dayjs;
}

export function QualityPanel(props: { studentId: string; records: QualityRecord[]; counts: { domain: QualityDomain; count: number }[]; canRecord: boolean; onChange(): void }) {
  const { t, lang } = useI18n();
  const q = t.portrait.quality;
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [adding, setAdding] = useState(false);
  const [saving, setSaving] = useState(false);
  const [domain, setDomain] = useState<QualityDomain | null>(null);
  const [withdrawing, setWithdrawing] = useState<QualityRecord | null>(null);
  const [reason, setReason] = useState('');

  const submit = async (v: FormValues) => {
    setSaving(true);
    try {
      await api.post(qualityPath(props.studentId), { ...v, occurredOn: v.occurredOn.format('YYYY-MM-DD') });
      message.success(q.added);
      form.resetFields();
      setAdding(false);
      props.onChange();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setSaving(false);
    }
  };

  const withdraw = async () => {
    if (!withdrawing) return;
    try {
      await api.post(`${qualityPath(props.studentId)}/${withdrawing.id}/withdraw`, { reason });
      message.success(q.withdrawDone);
      setWithdrawing(null);
      setReason('');
      props.onChange();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    }
  };

  const shown = [...props.records].filter((r) => !domain || r.domain === domain).reverse();
  return (
    <Card
      title={q.title}
      data-testid="quality-panel"
      extra={
        props.canRecord && (
          <Button type="primary" onClick={() => setAdding((x) => !x)} data-testid="quality-add">
            {q.add}
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        {props.counts.map((c) => (
          <Tag.CheckableTag key={c.domain} checked={domain === c.domain} onChange={(on) => setDomain(on ? c.domain : null)} data-testid={`quality-count-${c.domain}`}>
            <span style={{ color: DOMAIN_COLORS[c.domain], fontWeight: 600 }}>{q.domains[c.domain]}</span> {q.domainNames[c.domain]} · {q.count(c.count)}
          </Tag.CheckableTag>
        ))}
      </Space>
      {adding && (
        <Form form={form} layout="vertical" onFinish={submit} initialValues={{ domain: 'moral', occurredOn: dayjs() }} data-testid="quality-form" style={{ maxWidth: 640, marginBottom: 24 }}>
          <Form.Item name="domain" label={q.domain} rules={[{ required: true, message: q.required }]}>
            <Select options={DOMAINS.map((d) => ({ value: d, label: `${q.domains[d]} · ${q.domainNames[d]}` }))} data-testid="quality-domain" />
          </Form.Item>
          <Form.Item name="title" label={q.recordTitle} rules={[{ required: true, whitespace: true, message: q.required }]}>
            <Input maxLength={100} data-testid="quality-title" />
          </Form.Item>
          <Form.Item name="description" label={q.description} rules={[{ required: true, whitespace: true, message: q.required }]}>
            <Input.TextArea rows={3} maxLength={2000} data-testid="quality-description" />
          </Form.Item>
          <Form.Item name="evidence" label={q.evidence} extra={q.evidenceHelp} rules={[{ required: true, whitespace: true, message: q.required }]}>
            <Input.TextArea rows={2} maxLength={2000} data-testid="quality-evidence" />
          </Form.Item>
          <Form.Item name="occurredOn" label={q.occurredOn} rules={[{ required: true, message: q.required }]}>
            <DatePicker disabledDate={(d) => d.isAfter(dayjs(), 'day')} allowClear={false} data-testid="quality-date" />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={saving} data-testid="quality-save">
              {t.common.save}
            </Button>
            <Button onClick={() => setAdding(false)}>{t.common.cancel}</Button>
          </Space>
        </Form>
      )}
      {shown.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={q.empty} />
      ) : (
        <Timeline
          data-testid="quality-timeline"
          items={shown.map((r) => ({
            color: r.withdrawn ? 'gray' : DOMAIN_COLORS[r.domain],
            children: (
              <div data-testid="quality-record" style={{ opacity: r.withdrawn ? 0.6 : 1 }}>
                <Space wrap>
                  <Tag color={DOMAIN_COLORS[r.domain]}>{q.domains[r.domain]}</Tag>
                  <Typography.Text strong delete={!!r.withdrawn}>
                    {r.title}
                  </Typography.Text>
                  <Typography.Text type="secondary">{r.occurredOn}</Typography.Text>
                  {r.withdrawn && <Tag>{q.withdrawnTag}</Tag>}
                  {r.canWithdraw && (
                    <Button size="small" danger onClick={() => setWithdrawing(r)} data-testid="quality-withdraw">
                      {q.withdraw}
                    </Button>
                  )}
                </Space>
                <div>{r.description}</div>
                <Typography.Text type="secondary">{q.evidenceOf(r.evidence)}</Typography.Text>
                <div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {q.recordedBy(r.recordedBy.name, formatTime(r.recordedAt, lang))}
                  </Typography.Text>
                </div>
                {r.withdrawn && <Typography.Text type="warning">{q.withdrawn(r.withdrawn.by, r.withdrawn.reason)}</Typography.Text>}
              </div>
            ),
          }))}
        />
      )}
      <Modal open={!!withdrawing} title={q.withdraw} onCancel={() => setWithdrawing(null)} onOk={withdraw} okButtonProps={{ disabled: !reason.trim(), danger: true }} destroyOnHidden>
        <Typography.Paragraph>{withdrawing?.title}</Typography.Paragraph>
        <Input.TextArea rows={3} placeholder={q.withdrawReason} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} data-testid="quality-withdraw-reason" />
      </Modal>
    </Card>
  );
}
