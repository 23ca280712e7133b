/** /items/new and /items/:id/edit: the item form with a live student preview. */
import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Col, Form, Input, InputNumber, Rate, Row, Segmented, Select, Skeleton, Space, Typography } from 'antd';
import { LockOutlined, SaveOutlined } from '@ant-design/icons';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { useI18n } from '../i18n';
import { request, toApiError, type ApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { useSession } from '../shell/session';
import { RichText } from './RichText';
import { AnswersOnly, ItemBodyView } from './ItemBodyView';
import { BodyEditor, TypeSelect } from './BodyEditor';
import { banksFor, emptyBody, toInput, usePoints, useSubjects, type Bank, type Item, type ItemInput, type ItemType } from './model';

export function ItemEditorPage() {
  const { id } = useParams();
  const existing = useApi<Item>(id ? `/api/items/${id}` : null);
  if (id && existing.error) return <ApiErrorView error={existing.error} />;
  if (id && !existing.data)
    return (
      <Card>
        <Skeleton active paragraph={{ rows: 12 }} />
      </Card>
    );
  return <Editor key={existing.data ? `${existing.data.id}:${existing.data.version}` : 'new'} item={existing.data} />;
}

/** Problems of a failed save: the server's detail, plus each invalid field when it names them. */
function problemLines(e: ApiError): string[] {
  const p = e.problem as (Record<string, unknown> & { details?: { issues?: unknown } }) | null;
  const raw = (p?.issues ?? p?.details?.issues) as { path?: string; message?: string }[] | undefined;
  return Array.isArray(raw) ? raw.map((i) => [i.path, i.message].filter(Boolean).join(': ')).filter(Boolean) : [];
}

function Editor({ item }: { item: Item | undefined }) {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { message } = App.useApp();
  const subjects = useSubjects();
  const banks = banksFor(me);
  const [bank, setBank] = useState<Bank>('mine');
  const [draft, setDraft] = useState<ItemInput>(
    () =>
      (item && toInput(item)) ?? {
        subject: params.get('subject') ?? '',
        grade: Number(params.get('grade')) || 7,
        body: emptyBody('single_choice'),
        explanation: '',
        knowledgePoints: [],
        difficulty: 3,
        score: 1,
      },
  );
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const points = usePoints(draft.subject || undefined);

  // a new item starts in the first subject with a published graph
  useEffect(() => {
    if (!draft.subject && subjects.data?.length) {
      const first = subjects.data.find((s) => s.publishedVersion !== null) ?? subjects.data[0]!;
      setDraft((d) => (d.subject ? d : { ...d, subject: first.code }));
    }
  }, [subjects.data, draft.subject]);

  const set = (patch: Partial<ItemInput>) => setDraft((d) => ({ ...d, ...patch }));
  const kpOptions = useMemo(
    () =>
      [...points.points]
        .sort((a, b) => Math.abs(a.grade - draft.grade) - Math.abs(b.grade - draft.grade) || a.code.localeCompare(b.code))
        .map((p) => ({ value: p.code, label: `${p.code} ${p.name}` })),
    [points.points, draft.grade],
  );

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const saved = item
        ? await request<Item>('PUT', `/api/items/${item.id}`, draft)
        : await request<Item>('POST', '/api/items', { ...draft, bank });
      message.success(item ? t.items.saved : t.items.created);
      navigate(`/items/${saved.id}`, { replace: !!item });
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setSaving(false);
    }
  };

  const saveButton = (
    <Button type="primary" icon={<SaveOutlined />} loading={saving} onClick={() => void save()} data-testid="item-save">
      {t.common.save}
    </Button>
  );

  return (
    <>
      <PageHeader
        title={item ? t.items.editTitle : t.items.newTitle}
        subtitle={item ? t.items.editingVersion(item.version) : undefined}
        onBack={() => navigate(-1)}
        extra={
          <Space>
            <Button onClick={() => navigate(-1)}>{t.common.cancel}</Button>
            {saveButton}
          </Space>
        }
      />
      {item?.locked && (
        <Alert
          type="warning"
          showIcon
          icon={<LockOutlined />}
          style={{ marginBottom: 16 }}
          message={t.items.lockedNotice}
          description={t.items.lockedDetail(item.version)}
          data-testid="locked-notice"
        />
      )}
      {error && (
        <Alert
          type="error"
          showIcon
          closable
          onClose={() => setError(null)}
          style={{ marginBottom: 16 }}
          message={t.items.saveFailed}
          description={
            <>
              <div>{errorText(error, t)}</div>
              {problemLines(error).length > 0 && (
                <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
                  {problemLines(error).map((l, i) => (
                    <li key={i}>{l}</li>
                  ))}
                </ul>
              )}
            </>
          }
          data-testid="save-error"
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card title={t.items.basics}>
            <Form layout="vertical" component="div">
              <Row gutter={16}>
                <Col xs={24} md={8}>
                  <Form.Item label={t.items.subject} required tooltip={item ? t.items.subjectFixed : undefined}>
                    <Select
                      value={draft.subject || undefined}
                      disabled={!!item}
                      loading={subjects.loading}
                      placeholder={t.items.subjectRequired}
                      data-testid="editor-subject"
                      options={(subjects.data ?? []).map((s) => ({ value: s.code, label: lang === 'en' ? s.nameEn : s.name }))}
                      onChange={(v: string) => set({ subject: v, knowledgePoints: [] })}
                    />
                  </Form.Item>
                </Col>
                <Col xs={12} md={8}>
                  <Form.Item label={t.items.grade} required>
                    <Select
                      value={draft.grade}
                      data-testid="editor-grade"
                      options={Array.from({ length: 12 }, (_, i) => ({ value: i + 1, label: t.items.gradeName(i + 1) }))}
                      onChange={(v: number) => set({ grade: v })}
                    />
                  </Form.Item>
                </Col>
                <Col xs={12} md={8}>
                  <Form.Item label={t.items.totalScore} required>
                    <InputNumber
                      min={0.5}
                      max={100}
                      step={0.5}
                      value={draft.score}
                      style={{ width: '100%' }}
                      data-testid="editor-score"
                      onChange={(v) => set({ score: v ?? 1 })}
                    />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item label={t.items.knowledgePoints} required>
                <Select
                  mode="multiple"
                  showSearch
                  optionFilterProp="label"
                  value={draft.knowledgePoints}
                  loading={points.loading}
                  placeholder={t.items.kpPickPlaceholder}
                  maxCount={10}
                  data-testid="editor-kps"
                  options={kpOptions}
                  onChange={(v: string[]) => set({ knowledgePoints: v })}
                />
              </Form.Item>
              <Row gutter={16}>
                <Col xs={24} md={12}>
                  <Form.Item label={t.items.difficulty} required>
                    <Space>
                      <Rate
                        count={5}
                        value={draft.difficulty}
                        allowClear={false}
                        tooltips={t.items.difficulties.slice(1)}
                        onChange={(v) => set({ difficulty: v || 1 })}
                        data-testid="editor-difficulty"
                      />
                      <Typography.Text type="secondary">{t.items.difficulties[draft.difficulty]}</Typography.Text>
                    </Space>
                  </Form.Item>
                </Col>
                {!item && banks.length > 1 && (
                  <Col xs={24} md={12}>
                    <Form.Item label={t.items.saveTo}>
                      <Segmented
                        value={bank}
                        options={banks.map((b) => ({ value: b, label: t.items.banks[b] }))}
                        onChange={(v) => setBank(v as Bank)}
                      />
                    </Form.Item>
                  </Col>
                )}
              </Row>
            </Form>
          </Card>

          <Card
            title={t.items.content}
            style={{ marginTop: 16 }}
            extra={
              <TypeSelect
                value={draft.body.type}
                onChange={(ty: ItemType) => set({ body: emptyBody(ty, draft.body.stem) })}
              />
            }
          >
            <BodyEditor body={draft.body} onChange={(body) => set({ body })} />
          </Card>

          <Card title={t.items.explanation} style={{ marginTop: 16 }}>
            <Input.TextArea
              value={draft.explanation}
              autoSize={{ minRows: 3, maxRows: 12 }}
              placeholder={t.items.explanationPlaceholder}
              onChange={(e) => set({ explanation: e.target.value })}
              data-testid="editor-explanation"
            />
          </Card>
          <div style={{ marginTop: 16, textAlign: 'right' }}>{saveButton}</div>
        </Col>

        <Col xs={24} xl={10}>
          <div className="zj-preview-sticky">
            <Card
              title={t.items.preview}
              extra={<Typography.Text type="secondary">{t.items.scoreN(draft.score)}</Typography.Text>}
              data-testid="item-preview"
            >
              <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
                {t.items.previewHint}
              </Typography.Paragraph>
              <div className="zj-paper">
                <ItemBodyView body={draft.body} answers={false} />
              </div>
            </Card>
            <Card title={t.items.answerPreview} size="small" style={{ marginTop: 16 }} data-testid="answer-preview">
              <AnswersOnly body={draft.body} />
              {draft.explanation && (
                <div style={{ marginTop: 12 }}>
                  <Typography.Text strong>{t.items.explanation}</Typography.Text>
                  <RichText text={draft.explanation} />
                </div>
              )}
            </Card>
          </div>
        </Col>
      </Row>
    </>
  );
}
