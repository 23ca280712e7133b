/**
 * Wellbeing referrals: the caller's own referrals, those referred to them, and (school admins)
 * their school's — never shown to students, parents or classmates. The modal refers a concern to
 * a named staff member of the student's school.
 */
import { useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Select, Table, Tag } from 'antd';
import { formatTime, useI18n } from '../i18n';
import { api, toApiError } from '../shell/api';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { useSession } from '../shell/session';
import { useApi } from '../shell/useApi';
import type { Referral } from './types';

export function ReferralsTab() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const { me } = useSession();
  const list = useApi<Referral[]>('/api/warning/referrals');
  const w = t.warning;
  if (list.error) return <ApiErrorView error={list.error} />;
  const isAdmin = me?.roles.some((r) => r.role === 'school_admin');
  const close = async (r: Referral) => {
    try {
      await api.post(`/api/warning/referrals/${r.id}/close`);
      list.reload();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    }
  };
  return (
    <>
      <Alert type="info" showIcon message={w.referralsHint} style={{ marginBottom: 16 }} />
      <Table<Referral>
        rowKey="id"
        loading={list.loading}
        dataSource={list.data ?? []}
        locale={{ emptyText: w.noReferrals }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: w.student, render: (_, r) => `${r.student.name}（${r.className}）` },
          { title: w.referNote, dataIndex: 'note', width: '36%' },
          { title: w.referredBy, render: (_, r) => r.referredBy.name },
          { title: w.referredTo, render: (_, r) => r.referredTo.name },
          { title: w.createdAt, render: (_, r) => formatTime(r.createdAt, lang) },
          { title: w.status, render: (_, r) => <Tag color={r.status === 'open' ? 'orange' : 'green'}>{w.referralStatuses[r.status]}</Tag> },
          {
            title: '',
            render: (_, r) =>
              r.status === 'open' && (r.referredTo.id === me?.id || isAdmin) ? (
                <Button size="small" onClick={() => close(r)}>
                  {w.closeReferral}
                </Button>
              ) : null,
          },
        ]}
      />
    </>
  );
}

/** Refers a wellbeing concern about one student to a named staff member of the student's school. */
export function ReferralModal(props: { open: boolean; student: { id: string; name: string }; onClose(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const w = t.warning;
  const staff = useApi<{ id: string; name: string }[]>(props.open ? `/api/warning/students/${props.student.id}/referral-recipients` : null);
  const [form] = Form.useForm<{ referredTo: string; note: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await api.post('/api/warning/referrals', { studentId: props.student.id, ...v });
      message.success(w.referred);
      form.resetFields();
      props.onClose();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={props.open} title={`${w.refer} · ${props.student.name}`} onCancel={props.onClose} onOk={submit} okText={w.referSubmit} confirmLoading={busy} destroyOnHidden>
      <Alert type="info" showIcon message={w.referralsHint} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical">
        <Form.Item name="referredTo" label={w.referTo} rules={[{ required: true }]}>
          <Select loading={staff.loading} options={(staff.data ?? []).map((s) => ({ value: s.id, label: s.name }))} showSearch optionFilterProp="label" data-testid="referral-to" />
        </Form.Item>
        <Form.Item name="note" label={w.referNote} rules={[{ required: true, whitespace: true }]}>
          <Input.TextArea rows={4} maxLength={2000} data-testid="referral-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
