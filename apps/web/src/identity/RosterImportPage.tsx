import { useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  Progress,
  Result,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import type { RosterImport, RosterRowError } from '@zhijiao/server/api-types';
import { formatTime, useI18n } from '../i18n';
import { api, toApiError, type ApiError } from '../shell/api';
import { FileDrop, UploadFailed } from '../shell/upload';
import { useApi } from '../shell/useApi';
import { PageHeader } from '../shell/PageHeader';
import { useSession } from '../shell/session';

type Status = RosterImport['status'];
const FINAL: Status[] = ['invalid', 'failed', 'done'];
const STATUS_COLOR: Record<Status, string> = {
  queued: 'default',
  validating: 'processing',
  importing: 'processing',
  invalid: 'error',
  failed: 'error',
  done: 'success',
};

export function RosterImportPage() {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const schools = (me?.roles ?? []).filter((r) => r.role === 'school_admin' && r.scopeType === 'school' && r.scopeId);
  const [schoolId, setSchoolId] = useState<string | undefined>(schools[0]?.scopeId ?? undefined);
  const [current, setCurrent] = useState<RosterImport | null>(null);
  const [uploadError, setUploadError] = useState<ApiError | null>(null);
  const [uploading, setUploading] = useState(false);
  const recent = useApi<RosterImport[]>('/api/roster/imports');
  const reloadRecent = recent.reload;

  // Poll the running import every 500 ms until it reaches a final status.
  const currentId = current?.id;
  const currentStatus = current?.status;
  useEffect(() => {
    if (!currentId || !currentStatus) return;
    if (FINAL.includes(currentStatus)) {
      reloadRecent();
      return;
    }
    const timer = setTimeout(async () => {
      try {
        setCurrent(await api.get<RosterImport>(`/api/roster/imports/${encodeURIComponent(currentId)}`));
      } catch (e) {
        setUploadError(toApiError(e));
        setCurrent(null);
      }
    }, 500);
    return () => clearTimeout(timer);
  }, [currentId, currentStatus, current, reloadRecent]);

  const upload = async (file: File) => {
    setUploading(true);
    setUploadError(null);
    setCurrent(null);
    const body = new FormData();
    if (schoolId && schools.length > 1) body.append('schoolId', schoolId);
    body.append('file', file, file.name);
    try {
      setCurrent(await api.post<RosterImport>('/api/roster/imports', body));
    } catch (e) {
      setUploadError(toApiError(e));
    } finally {
      setUploading(false);
    }
  };

  const cols = t.roster.columns;

  return (
    <>
      <PageHeader title={t.roster.title} subtitle={t.roster.intro} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Card>
            {schools.length > 1 && (
              <Space style={{ marginBottom: 16 }}>
                <Typography.Text>{t.roster.school}</Typography.Text>
                <Select
                  style={{ width: 280 }}
                  value={schoolId}
                  onChange={setSchoolId}
                  options={schools.map((s) => ({ value: s.scopeId!, label: s.scopeName ?? s.scopeId! }))}
                />
              </Space>
            )}
            <FileDrop
              accept=".xlsx,.csv"
              disabled={uploading || (!!current && !FINAL.includes(current.status))}
              text={uploading ? t.roster.uploading : t.roster.dragText}
              hint={t.roster.dragHint}
              onFile={(file) => void upload(file)}
              testId="roster-upload"
            />
          </Card>

          {uploadError && (
            <UploadFailed error={uploadError} title={t.roster.uploadFailed} testId="roster-upload-error" missingTestId="roster-missing-columns" />
          )}

          {current && <ImportStatus imp={current} />}
        </Col>
        <Col xs={24} xl={8}>
          <Card title={t.roster.columnsTitle}>
            <Space direction="vertical" style={{ width: '100%' }}>
              {(
                [
                  [cols.name, true],
                  [cols.studentNo, true],
                  [cols.gender, false],
                  [cols.grade, true],
                  [cols.class, true],
                  [cols.idNumber, false],
                  [cols.guardianName, false],
                  [cols.guardianPhone, false],
                ] as const
              ).map(([name, required]) => (
                <div key={name} style={{ display: 'flex', justifyContent: 'space-between' }}>
                  <Typography.Text>{name}</Typography.Text>
                  <Tag color={required ? 'red' : 'default'} bordered={false}>
                    {required ? t.roster.required : t.roster.optional}
                  </Tag>
                </div>
              ))}
            </Space>
            <Space wrap style={{ marginTop: 16 }}>
              <Button icon={<DownloadOutlined />} href="/api/roster/template?format=xlsx" download>
                {t.roster.templateXlsx}
              </Button>
              <Button icon={<DownloadOutlined />} href="/api/roster/template?format=csv" download>
                {t.roster.templateCsv}
              </Button>
            </Space>
          </Card>
        </Col>
        <Col span={24}>
          <Card title={t.roster.recentTitle}>
            <Table<RosterImport>
              rowKey="id"
              size="middle"
              loading={recent.loading}
              dataSource={recent.data ?? []}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              locale={{ emptyText: t.roster.recentEmpty }}
              columns={[
                { title: t.roster.file, dataIndex: 'filename' },
                { title: t.roster.createdAt, dataIndex: 'createdAt', render: (v: string) => formatTime(v, lang) },
                { title: t.roster.rows, dataIndex: 'totalRows', align: 'right' },
                {
                  title: t.roster.result,
                  key: 'status',
                  render: (_, r) => <Tag color={STATUS_COLOR[r.status]}>{t.roster.status[r.status]}</Tag>,
                },
                {
                  title: t.roster.details,
                  key: 'detail',
                  render: (_, r) =>
                    r.summary
                      ? t.roster.summaryShort(r.summary.created, r.summary.updated, r.summary.unchanged)
                      : r.errors.length > 0
                        ? t.roster.errorsCount(r.errors.length)
                        : null,
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}

function ImportStatus({ imp }: { imp: RosterImport }) {
  const { t, lang } = useI18n();
  const percent = imp.totalRows > 0 ? Math.round((imp.processedRows / imp.totalRows) * 100) : 0;
  if (imp.status === 'done') {
    const s = imp.summary ?? { created: 0, updated: 0, unchanged: 0 };
    return (
      <Card style={{ marginTop: 16 }} data-testid="roster-done">
        <Result
          status="success"
          title={t.roster.doneTitle}
          subTitle={t.roster.doneSubtitle(imp.filename)}
          style={{ paddingBottom: 0 }}
        />
        <Row gutter={16} style={{ textAlign: 'center', marginTop: 8 }}>
          <Col span={8}>
            <Statistic title={t.roster.created} value={s.created} valueStyle={{ color: '#3f8600' }} data-testid="summary-created" />
          </Col>
          <Col span={8}>
            <Statistic title={t.roster.updated} value={s.updated} valueStyle={{ color: '#1677ff' }} data-testid="summary-updated" />
          </Col>
          <Col span={8}>
            <Statistic title={t.roster.unchanged} value={s.unchanged} data-testid="summary-unchanged" />
          </Col>
        </Row>
      </Card>
    );
  }
  if (imp.status === 'invalid') {
    return (
      <Card style={{ marginTop: 16 }} data-testid="roster-invalid">
        <Alert
          type="error"
          showIcon
          message={t.roster.invalidTitle(imp.errors.length)}
          description={t.roster.invalidHint}
          style={{ marginBottom: 16 }}
        />
        <Table<RosterRowError>
          rowKey={(e, i) => `${e.row}-${e.column ?? ''}-${e.code}-${i}`}
          size="small"
          data-testid="roster-errors"
          dataSource={[...imp.errors].sort((a, b) => a.row - b.row)}
          pagination={imp.errors.length > 20 ? { pageSize: 20 } : false}
          columns={[
            { title: t.roster.errRow, dataIndex: 'row', width: 80 },
            { title: t.roster.errColumn, dataIndex: 'column', width: 140, render: (c: string | null) => c ?? t.common.none },
            {
              title: t.roster.errValue,
              dataIndex: 'value',
              width: 200,
              render: (v: string | null) => (v ? <Typography.Text code>{v}</Typography.Text> : t.common.none),
            },
            {
              title: t.roster.errReason,
              dataIndex: 'message',
              render: (m: RosterRowError['message']) => (lang === 'zh-CN' ? m.zh : m.en),
            },
          ]}
        />
      </Card>
    );
  }
  if (imp.status === 'failed') {
    return (
      <Alert
        style={{ marginTop: 16 }}
        type="error"
        showIcon
        data-testid="roster-failed"
        message={t.roster.failedTitle}
        description={
          imp.errors.length > 0 ? (
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {imp.errors.map((e, i) => (
                <li key={i}>{lang === 'zh-CN' ? e.message.zh : e.message.en}</li>
              ))}
            </ul>
          ) : undefined
        }
      />
    );
  }
  return (
    <Card style={{ marginTop: 16 }} data-testid="roster-progress">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space>
          <Tag color={STATUS_COLOR[imp.status]}>{t.roster.status[imp.status]}</Tag>
          <Typography.Text type="secondary">{imp.filename}</Typography.Text>
        </Space>
        <Progress percent={percent} status="active" />
        <Typography.Text type="secondary">{t.roster.progress(imp.processedRows, imp.totalRows)}</Typography.Text>
      </Space>
    </Card>
  );
}
