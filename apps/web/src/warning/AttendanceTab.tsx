/**
 * Attendance of a class: pick the class and the school day, mark each student (radios start empty —
 * nobody is assumed absent), save; or import a workbook (学号, 日期, 状态, 原因), all rows or none.
 */
import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, DatePicker, Input, Radio, Select, Space, Table, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import type { ClassSummary } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { api, toApiError, type ApiError } from '../shell/api';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { FileDrop } from '../shell/upload';
import { useApi } from '../shell/useApi';
import { ATTENDANCE_STATUSES, type AttendanceStatus, type ClassAttendance, type RowError } from './types';

type Marks = Record<string, { status?: AttendanceStatus; reason: string }>;

export function AttendanceTab() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const w = t.warning;
  const classes = useApi<ClassSummary[]>('/api/classes');
  const [classId, setClassId] = useState<string | undefined>();
  const [date, setDate] = useState<Dayjs>(dayjs());
  const day = date.format('YYYY-MM-DD');
  const sheet = useApi<ClassAttendance>(classId ? `/api/warning/classes/${classId}/attendance?from=${day}&to=${day}` : null);
  const [marks, setMarks] = useState<Marks>({});
  const [saving, setSaving] = useState(false);
  const [importError, setImportError] = useState<ApiError | null>(null);

  useEffect(() => {
    if (!classId && classes.data?.length) setClassId(classes.data[0]!.id);
  }, [classes.data, classId]);
  useEffect(() => {
    const m: Marks = {};
    for (const r of sheet.data?.records ?? []) m[r.studentId] = { status: r.status, reason: r.reason ?? '' };
    setMarks(m);
  }, [sheet.data]);

  if (classes.error) return <ApiErrorView error={classes.error} />;
  const set = (id: string, patch: Partial<Marks[string]>) => setMarks((m) => ({ ...m, [id]: { ...(m[id] ?? { reason: '' }), ...patch } }));

  const save = async () => {
    const records = Object.entries(marks)
      .filter(([, v]) => v.status)
      .map(([studentId, v]) => ({ studentId, status: v.status!, ...(v.reason.trim() ? { reason: v.reason.trim() } : {}) }));
    if (!classId || records.length === 0) {
      message.warning(w.nothingToSave);
      return;
    }
    setSaving(true);
    try {
      const r = await api.post<{ saved: number; alertsRaised: number }>('/api/warning/attendance', { classId, date: day, records });
      message.success(w.saved(r.saved, r.alertsRaised));
      sheet.reload();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setSaving(false);
    }
  };

  const upload = async (file: File) => {
    if (!classId) return;
    setImportError(null);
    const fd = new FormData();
    fd.set('classId', classId);
    fd.set('file', file);
    try {
      const r = await api.post<{ saved: number; alertsRaised: number }>('/api/warning/attendance/import', fd);
      message.success(w.saved(r.saved, r.alertsRaised));
      sheet.reload();
    } catch (e) {
      setImportError(toApiError(e));
    }
  };
  const rowErrors = (importError?.problem as { errors?: RowError[] } | null)?.errors ?? [];

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card title={w.attendanceTitle}>
        <Space wrap style={{ marginBottom: 16 }}>
          <Select
            style={{ width: 320 }}
            placeholder={w.chooseClass}
            loading={classes.loading}
            value={classId}
            onChange={setClassId}
            options={(classes.data ?? []).map((c) => ({ value: c.id, label: `${c.schoolName} · ${c.name}` }))}
            data-testid="attendance-class"
          />
          <DatePicker value={date} onChange={(d) => d && setDate(d)} allowClear={false} disabledDate={(d) => d.isAfter(dayjs(), 'day')} data-testid="attendance-date" />
          <Button onClick={() => setMarks(Object.fromEntries((sheet.data?.students ?? []).map((s) => [s.id, { status: 'present' as const, reason: '' }])))}>{w.markAllPresent}</Button>
        </Space>
        <Typography.Paragraph type="secondary">{w.notMarked}</Typography.Paragraph>
        {sheet.error ? (
          <ApiErrorView error={sheet.error} />
        ) : (
          <Table
            rowKey="id"
            size="small"
            loading={sheet.loading}
            dataSource={sheet.data?.students ?? []}
            pagination={false}
            columns={[
              { title: w.student, render: (_, s) => `${s.name}（${s.studentNo}）`, width: 200 },
              {
                title: w.status,
                render: (_, s) => (
                  <Radio.Group value={marks[s.id]?.status} onChange={(e) => set(s.id, { status: e.target.value as AttendanceStatus })} data-testid={`attendance-${s.studentNo}`}>
                    {ATTENDANCE_STATUSES.map((st) => (
                      <Radio.Button key={st} value={st}>
                        {w.attendanceStatuses[st]}
                      </Radio.Button>
                    ))}
                  </Radio.Group>
                ),
              },
              {
                title: w.reason,
                render: (_, s) =>
                  marks[s.id]?.status && marks[s.id]!.status !== 'present' ? (
                    <Input size="small" maxLength={200} value={marks[s.id]!.reason} onChange={(e) => set(s.id, { reason: e.target.value })} />
                  ) : null,
              },
            ]}
          />
        )}
        <Button type="primary" style={{ marginTop: 16 }} loading={saving} onClick={save} data-testid="attendance-save">
          {w.save}
        </Button>
      </Card>
      <Card title={w.importTitle} extra={<a href="/api/warning/attendance/template.xlsx"><DownloadOutlined /> {w.template}</a>}>
        <FileDrop accept=".xlsx" disabled={!classId} text={w.importDrop} hint={w.importHint} onFile={upload} testId="attendance-import" />
        {importError && (
          <Alert
            style={{ marginTop: 16 }}
            type="error"
            showIcon
            message={w.importFailed}
            description={
              <>
                <div>{errorText(importError, t)}</div>
                {rowErrors.length > 0 && (
                  <Table<RowError>
                    size="small"
                    rowKey={(e) => `${e.row}-${e.column}-${e.code}`}
                    dataSource={rowErrors}
                    pagination={false}
                    data-testid="attendance-import-errors"
                    columns={[
                      { title: w.row, dataIndex: 'row', width: 60 },
                      { title: w.column, dataIndex: 'column', width: 80 },
                      { title: w.problem, render: (_, e) => (lang === 'en' ? e.message.en : e.message.zh) },
                    ]}
                  />
                )}
              </>
            }
          />
        )}
      </Card>
    </Space>
  );
}
