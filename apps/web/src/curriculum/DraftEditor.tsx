/** Editors' area: open the draft, replace it from a file (with the rejected rows listed), publish, discard. */
import { useState } from 'react';
import { Alert, App, Button, Card, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { CheckCircleOutlined, DeleteOutlined, EditOutlined, EyeOutlined } from '@ant-design/icons';
import type { Graph, Subject } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { api, toApiError, type ApiError } from '../shell/api';
import { errorText } from '../shell/ApiErrorView';
import { FileDrop, UploadFailed } from '../shell/upload';

/** One row of a rejected import (the 422 curriculum.invalid_graph problem's `problems`). */
interface GraphProblem {
  row: number;
  code: string;
  kind: string;
  field: string | null;
  message: { zh: string; en: string };
  related: string[];
}

const base = (s: string) => `/api/curriculum/subjects/${encodeURIComponent(s)}`;

export function DraftEditor(props: {
  subject: Subject;
  /** After a change: which version to show (undefined: the latest published). */
  onChanged(show: 'draft' | number | undefined): void;
  onViewDraft(): void;
}) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const { subject } = props;
  const [busy, setBusy] = useState<'open' | 'upload' | 'publish' | 'discard' | null>(null);
  const [uploadError, setUploadError] = useState<ApiError | null>(null);
  const [publishOpen, setPublishOpen] = useState(false);
  const [note, setNote] = useState('');

  const run = async <T,>(what: NonNullable<typeof busy>, call: () => Promise<T>, done: (r: T) => void) => {
    setBusy(what);
    try {
      done(await call());
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(null);
    }
  };

  const openDraft = () =>
    run('open', () => api.post<Graph>(`${base(subject.code)}/draft`), () => {
      message.success(t.curriculum.draftOpened);
      props.onChanged('draft');
    });

  const upload = async (file: File) => {
    setBusy('upload');
    setUploadError(null);
    const body = new FormData();
    body.append('file', file, file.name);
    try {
      const g = await api.post<Graph>(`${base(subject.code)}/draft/import`, body);
      message.success(t.curriculum.imported(g.points.length));
      props.onChanged('draft');
    } catch (e) {
      setUploadError(toApiError(e));
    } finally {
      setBusy(null);
    }
  };

  const publish = () =>
    run('publish', () => api.post<Graph>(`${base(subject.code)}/draft/publish`, note.trim() ? { note: note.trim() } : {}), (g) => {
      setPublishOpen(false);
      setNote('');
      setUploadError(null);
      message.success(t.curriculum.published(g.version ?? 0));
      props.onChanged(g.version ?? undefined);
    });

  const discard = () =>
    run('discard', () => api.delete(`${base(subject.code)}/draft`), () => {
      setUploadError(null);
      message.success(t.curriculum.discarded);
      props.onChanged(undefined);
    });

  const problems = uploadError?.problem?.problems;
  const rows: GraphProblem[] =
    uploadError?.code === 'curriculum.invalid_graph' && Array.isArray(problems) ? (problems as GraphProblem[]) : [];

  return (
    <Card title={t.curriculum.editTitle} style={{ marginTop: 16 }} data-testid="draft-editor">
      <Typography.Paragraph type="secondary">{t.curriculum.editIntro}</Typography.Paragraph>
      {!subject.hasDraft ? (
        <Space>
          <Typography.Text>{t.curriculum.noDraft}</Typography.Text>
          <Button type="primary" icon={<EditOutlined />} loading={busy === 'open'} onClick={openDraft} data-testid="draft-open">
            {t.curriculum.openDraft}
          </Button>
        </Space>
      ) : (
        <>
          <Space wrap style={{ marginBottom: 16 }}>
            <Tag color="orange">{t.curriculum.hasDraft}</Tag>
            <Button icon={<EyeOutlined />} onClick={props.onViewDraft} data-testid="draft-view">
              {t.curriculum.viewDraft}
            </Button>
            <Button type="primary" icon={<CheckCircleOutlined />} onClick={() => setPublishOpen(true)} data-testid="draft-publish">
              {t.curriculum.publish}
            </Button>
            <Popconfirm
              title={t.curriculum.discardConfirm}
              okText={t.curriculum.discard}
              okButtonProps={{ danger: true }}
              cancelText={t.common.cancel}
              onConfirm={discard}
            >
              <Button danger icon={<DeleteOutlined />} loading={busy === 'discard'} data-testid="draft-discard">
                {t.curriculum.discard}
              </Button>
            </Popconfirm>
          </Space>
          <div data-testid="draft-upload">
            <FileDrop
              accept=".xlsx,.json"
              disabled={busy !== null}
              text={busy === 'upload' ? t.curriculum.uploading : t.curriculum.upload}
              hint={t.curriculum.uploadHint}
              onFile={(file) => void upload(file)}
            />
          </div>
        </>
      )}

      {uploadError && rows.length === 0 && (
        <UploadFailed error={uploadError} title={t.curriculum.importFailed} testId="draft-upload-error" />
      )}
      {rows.length > 0 && (
        <div style={{ marginTop: 16 }} data-testid="draft-problems">
          <Alert
            type="error"
            showIcon
            message={t.curriculum.invalidTitle(rows.length)}
            description={t.curriculum.invalidHint}
            style={{ marginBottom: 16 }}
          />
          <Table<GraphProblem>
            rowKey={(p, i) => `${p.row}-${p.kind}-${p.field ?? ''}-${i}`}
            size="small"
            data-testid="draft-problems-table"
            dataSource={rows}
            pagination={rows.length > 20 ? { pageSize: 20 } : false}
            columns={[
              { title: t.curriculum.probRow, dataIndex: 'row', width: 80 },
              {
                title: t.curriculum.probCode,
                dataIndex: 'code',
                width: 140,
                render: (c: string) => (c ? <Typography.Text code>{c}</Typography.Text> : t.common.none),
              },
              {
                title: t.curriculum.probKind,
                dataIndex: 'kind',
                width: 140,
                render: (k: string) => <Tag color="red">{t.curriculum.kinds[k] ?? k}</Tag>,
              },
              {
                title: t.curriculum.probMessage,
                dataIndex: 'message',
                render: (m: GraphProblem['message']) => (lang === 'zh-CN' ? m.zh : m.en),
              },
            ]}
          />
        </div>
      )}

      <Modal
        open={publishOpen}
        title={t.curriculum.publishTitle}
        okText={t.curriculum.publish}
        cancelText={t.common.cancel}
        confirmLoading={busy === 'publish'}
        onOk={publish}
        onCancel={() => setPublishOpen(false)}
        destroyOnHidden
      >
        <Typography.Paragraph>{t.curriculum.publishConfirm}</Typography.Paragraph>
        <Typography.Text strong>{t.curriculum.publishNote}</Typography.Text>
        <Input.TextArea
          style={{ marginTop: 8 }}
          rows={3}
          maxLength={500}
          showCount
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder={t.curriculum.publishNotePlaceholder}
          data-testid="publish-note"
        />
      </Modal>
    </Card>
  );
}
