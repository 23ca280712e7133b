/**
 * /items/import: bulk import into the item bank from the .xlsx template or a QTI 3.0 package.
 * All or nothing: a 422 item.import_invalid lists every bad row (or package file) in a table.
 */
import { useState } from 'react';
import { Alert, Button, Card, Col, Form, Result, Row, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router';
import { useI18n } from '../i18n';
import { api, query, toApiError, type ApiError } from '../shell/api';
import { FileDrop, UploadFailed } from '../shell/upload';
import { PageHeader } from '../shell/PageHeader';
import { useSession } from '../shell/session';
import { banksFor, usePoints, useSubjects, type Bank } from './model';

/** One problem of a rejected import, as the server lists it in `errors`. */
interface ImportProblem {
  index: number;
  row?: number;
  file?: string;
  column?: string;
  code: string;
  message: { zh: string; en: string };
  value?: unknown;
}

const SHEET_COLUMNS: [string, boolean][] = [
  ['题型', true],
  ['学科', true],
  ['年级', true],
  ['题干', true],
  ['选项A…选项F', false],
  ['答案', true],
  ['解析', false],
  ['知识点', true],
  ['难度', true],
  ['分值', false],
];

export function ItemImportPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const { me } = useSession();
  const banks = banksFor(me);
  const [bank, setBank] = useState<Bank>('mine');
  const [subject, setSubject] = useState<string | undefined>();
  const [grade, setGrade] = useState<number | undefined>();
  const [kps, setKps] = useState<string[]>([]);
  const [difficulty, setDifficulty] = useState<number | undefined>();
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<{ imported: number; file: string; bank: Bank } | null>(null);
  const subjects = useSubjects();
  const points = usePoints(subject);

  const upload = async (file: File) => {
    setUploading(true);
    setError(null);
    setDone(null);
    const body = new FormData();
    body.append('bank', bank);
    if (subject) body.append('subject', subject);
    if (grade) body.append('grade', String(grade));
    if (kps.length) body.append('knowledgePoints', kps.join(','));
    if (difficulty) body.append('difficulty', String(difficulty));
    body.append('file', file, file.name);
    try {
      const r = await api.post<{ imported: number; ids: string[] }>('/api/items/import', body);
      setDone({ imported: r.imported, file: file.name, bank });
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setUploading(false);
    }
  };

  const problems = error?.code === 'item.import_invalid' && Array.isArray(error.problem?.errors) ? (error.problem.errors as ImportProblem[]) : null;
  const hasFiles = problems?.some((p) => p.file !== undefined) ?? false;
  const hasRows = problems?.some((p) => p.row !== undefined) ?? false;
  const whereTitle = hasFiles && hasRows ? t.items.errRowOrFile : hasFiles ? t.items.errFile : t.items.errRow;
  const columnName = (c: string | undefined) => {
    if (!c) return t.common.none;
    const head = c.split('.')[0]!;
    return t.items.fieldNames[head] ?? c;
  };
  const valueText = (v: unknown) =>
    v === undefined || v === null || v === '' ? null : Array.isArray(v) ? v.map(String).join('、') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const grades = Array.from({ length: 12 }, (_, i) => i + 1);

  return (
    <>
      <PageHeader title={t.items.importTitle} subtitle={t.items.importIntro} onBack={() => navigate('/items')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Card>
            <Form layout="vertical" requiredMark={false}>
              {banks.length > 1 && (
                <Form.Item label={t.items.importTo}>
                  <Segmented
                    value={bank}
                    data-testid="import-bank"
                    options={banks.map((b) => ({ value: b, label: t.items.banks[b] }))}
                    onChange={(v) => setBank(v as Bank)}
                  />
                </Form.Item>
              )}
              <Form.Item label={t.items.qtiDefaults} extra={t.items.qtiDefaultsHint} style={{ marginBottom: 16 }}>
                <Space wrap size={[12, 12]}>
                  <Select
                    allowClear
                    placeholder={t.items.subject}
                    style={{ width: 140 }}
                    value={subject}
                    loading={subjects.loading}
                    data-testid="import-subject"
                    options={(subjects.data ?? []).map((s) => ({ value: s.code, label: lang === 'en' ? s.nameEn : s.name }))}
                    onChange={(v?: string) => {
                      setSubject(v);
                      setKps([]);
                    }}
                  />
                  <Select
                    allowClear
                    placeholder={t.items.grade}
                    style={{ width: 120 }}
                    value={grade}
                    options={grades.map((g) => ({ value: g, label: t.items.gradeName(g) }))}
                    onChange={(v?: number) => setGrade(v)}
                  />
                  <Select
                    allowClear
                    placeholder={t.items.difficulty}
                    style={{ width: 120 }}
                    value={difficulty}
                    options={[1, 2, 3, 4, 5].map((d) => ({ value: d, label: `${d} · ${t.items.difficulties[d]}` }))}
                    onChange={(v?: number) => setDifficulty(v)}
                  />
                  <Select
                    mode="multiple"
                    allowClear
                    showSearch
                    optionFilterProp="label"
                    disabled={!subject}
                    placeholder={subject ? t.items.kpPickPlaceholder : t.items.kpNeedSubject}
                    style={{ width: 320 }}
                    value={kps}
                    loading={points.loading}
                    options={points.points.map((p) => ({ value: p.code, label: `${p.code} ${p.name}` }))}
                    onChange={(v: string[]) => setKps(v)}
                  />
                </Space>
              </Form.Item>
            </Form>
            <FileDrop
              accept=".xlsx,.zip,.xml"
              disabled={uploading}
              text={uploading ? t.items.importUploading : t.items.importDragText}
              hint={t.items.importDragHint}
              onFile={(file) => void upload(file)}
              testId="item-import-upload"
            />
          </Card>

          {error && !problems && (
            <UploadFailed error={error} title={t.items.importFailed} testId="item-import-error" />
          )}

          {problems && (
            <Card style={{ marginTop: 16 }} data-testid="item-import-invalid">
              <Alert
                type="error"
                showIcon
                message={t.items.importInvalidTitle(problems.length)}
                description={t.items.importInvalidHint}
                style={{ marginBottom: 16 }}
              />
              <Table<ImportProblem>
                rowKey={(e, i) => `${e.row ?? e.file ?? e.index}-${e.column ?? ''}-${e.code}-${i}`}
                size="small"
                data-testid="item-import-errors"
                dataSource={problems}
                pagination={problems.length > 20 ? { pageSize: 20 } : false}
                columns={[
                  {
                    title: whereTitle,
                    key: 'where',
                    width: hasFiles ? 200 : 80,
                    render: (_, e) =>
                      e.row !== undefined ? e.row : e.file !== undefined ? <Typography.Text code>{e.file}</Typography.Text> : e.index >= 0 ? t.items.errItemN(e.index + 1) : t.common.none,
                  },
                  { title: t.items.errColumn, dataIndex: 'column', width: 120, render: (c?: string) => columnName(c) },
                  {
                    title: t.items.errValue,
                    dataIndex: 'value',
                    width: 180,
                    render: (v: unknown) => {
                      const s = valueText(v);
                      return s ? <Typography.Text code>{s}</Typography.Text> : t.common.none;
                    },
                  },
                  { title: t.items.errReason, dataIndex: 'message', render: (m: ImportProblem['message']) => (lang === 'zh-CN' ? m.zh : m.en) },
                ]}
              />
            </Card>
          )}

          {done && (
            <Card style={{ marginTop: 16 }} data-testid="item-import-done">
              <Result
                status="success"
                title={<span data-testid="item-import-count">{t.items.importDoneTitle(done.imported)}</span>}
                subTitle={t.items.importDoneSubtitle(done.file, t.items.banks[done.bank])}
                style={{ padding: '16px 0 0' }}
                extra={
                  <Link to={`/items${query({ owner: done.bank })}`} data-testid="item-import-view">
                    <Button type="primary">{t.items.viewImported}</Button>
                  </Link>
                }
              />
            </Card>
          )}
        </Col>
        <Col xs={24} xl={8}>
          <Card title={t.items.templateTitle}>
            <Typography.Text strong>{t.items.templateColumns}</Typography.Text>
            <Space direction="vertical" style={{ width: '100%', marginTop: 8 }} size={4}>
              {SHEET_COLUMNS.map(([name, required]) => (
                <div key={name} style={{ display: 'flex', justifyContent: 'space-between' }}>
                  <Typography.Text>{name}</Typography.Text>
                  <Tag color={required ? 'red' : 'default'} bordered={false}>
                    {required ? t.items.required : t.items.optional}
                  </Tag>
                </div>
              ))}
            </Space>
            <Typography.Text strong style={{ display: 'block', marginTop: 16 }}>
              {t.items.answerFormats}
            </Typography.Text>
            <ul className="zj-import-formats">
              {t.items.answerFormatLines.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
            <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
              {t.items.templateNotes}
            </Typography.Paragraph>
            <Button icon={<DownloadOutlined />} href="/api/items/template.xlsx" download data-testid="item-template">
              {t.items.templateXlsx}
            </Button>
          </Card>
        </Col>
      </Row>
    </>
  );
}
