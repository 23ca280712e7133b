/** Scores of homework done on paper: download the class sheet, fill it in, upload it (all or nothing). */
import { useState } from 'react';
import { DownloadOutlined } from '@ant-design/icons';
import { Alert, Button, Space, Table, Typography } from 'antd';
import { useI18n } from '../i18n';
import { api, toApiError, type ApiError } from '../shell/api';
import { FileDrop, UploadFailed } from '../shell/upload';

interface PaperProblem {
  row: number;
  column: string | null;
  code: string;
  message: { 'zh-CN': string; en: string };
}

export function PaperScoresTab(props: { assignmentId: string; onImported: () => void }) {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<{ created: number; skipped: number } | null>(null);

  const upload = async (file: File) => {
    setBusy(true);
    setError(null);
    setDone(null);
    const body = new FormData();
    body.append('file', file, file.name);
    try {
      setDone(await api.post<{ created: number; skipped: number }>(`/api/assignments/${props.assignmentId}/paper-scores`, body));
      props.onImported();
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  const problems = error?.code === 'assessment.paper_invalid' && Array.isArray(error.problem?.errors) ? (error.problem.errors as PaperProblem[]) : null;

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t.assessment.paperHint}
      </Typography.Paragraph>
      <Button icon={<DownloadOutlined />} href={`/api/assignments/${props.assignmentId}/paper-template.xlsx`} data-testid="paper-template">
        {t.assessment.paperTemplate}
      </Button>
      <FileDrop accept=".xlsx" disabled={busy} text={t.assessment.paperDrop} hint={t.assessment.paperDropHint} onFile={upload} testId="paper-upload" />
      {done && <Alert type="success" showIcon data-testid="paper-done" message={t.assessment.paperDone(done.created, done.skipped)} />}
      {error && !problems && <UploadFailed error={error} title={t.assessment.paperFailed} />}
      {problems && (
        <>
          <Alert type="error" showIcon message={t.assessment.paperInvalid(problems.length)} />
          <Table<PaperProblem>
            rowKey={(p, i) => `${p.row}-${p.column ?? ''}-${i}`}
            size="small"
            data-testid="paper-errors"
            dataSource={problems}
            pagination={problems.length > 20 ? { pageSize: 20 } : false}
            columns={[
              { title: t.assessment.paperRow, dataIndex: 'row', width: 80 },
              { title: t.assessment.paperColumn, dataIndex: 'column', width: 160, render: (c: string | null) => c ?? t.common.none },
              { title: t.assessment.paperProblem, key: 'm', render: (_, p) => (lang === 'en' ? p.message.en : p.message['zh-CN']) },
            ]}
          />
        </>
      )}
    </Space>
  );
}
