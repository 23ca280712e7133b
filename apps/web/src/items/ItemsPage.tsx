/** /items: full-text search of the item bank with filters, as a paginated list of item cards. */
import { useEffect, useState } from 'react';
import { Button, Card, Empty, Input, Pagination, Select, Skeleton, Space, Tag, Tooltip, Typography } from 'antd';
import { ExportOutlined, PlusOutlined, ReloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useNavigate, useSearchParams } from 'react-router';
import type { PageOf } from '@zhijiao/server/api-types';
import { formatTime, useI18n } from '../i18n';
import { query } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { RichText } from './RichText';
import { DIFFICULTY_COLORS, ITEM_TYPES, OWNER_COLORS, TYPE_COLORS, subjectName, usePointNames, usePoints, useSubjects, type SearchHit } from './model';

const FILTER_KEYS = ['q', 'subject', 'grade', 'type', 'difficultyMin', 'difficultyMax', 'owner', 'knowledgePoint'] as const;

export function ItemsPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const get = (k: string) => params.get(k) ?? undefined;
  const q = get('q') ?? '';
  const subject = get('subject');
  const page = Number(params.get('page') ?? '1') || 1;
  const pageSize = Number(params.get('pageSize') ?? '10') || 10;
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);

  const subjects = useSubjects();
  const points = usePoints(subject);
  const list = useApi<PageOf<SearchHit>>(
    `/api/items${query({
      q,
      subject,
      grade: get('grade'),
      type: get('type'),
      difficultyMin: get('difficultyMin'),
      difficultyMax: get('difficultyMax'),
      owner: get('owner'),
      knowledgePoint: get('knowledgePoint'),
      page,
      pageSize,
    })}`,
  );

  const update = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || v === '') next.delete(k);
      else next.set(k, v);
    }
    if (!('page' in patch)) next.delete('page');
    setParams(next);
  };

  const kpName = usePointNames((list.data?.items ?? []).map((i) => i.subject));
  if (list.error) return <ApiErrorView error={list.error} />;

  const grades = Array.from({ length: 12 }, (_, i) => i + 1);
  const difficulty = [1, 2, 3, 4, 5].map((d) => ({ value: String(d), label: `${d} · ${t.items.difficulties[d]}` }));
  const filtered = FILTER_KEYS.some((k) => params.has(k));

  return (
    <>
      <PageHeader
        title={t.items.title}
        subtitle={list.data ? t.items.subtitle(list.data.total) : undefined}
        extra={
          <Space wrap>
            <Tooltip title={t.items.exportQtiHint}>
              <Button
                icon={<ExportOutlined />}
                href={`/api/items/export.qti.zip${query(Object.fromEntries(FILTER_KEYS.map((k) => [k, get(k)])))}`}
                download
                disabled={list.data?.total === 0}
                data-testid="item-export-qti"
              >
                {t.items.exportQti}
              </Button>
            </Tooltip>
            <Button icon={<UploadOutlined />} onClick={() => navigate('/items/import')} data-testid="item-import">
              {t.items.importButton}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/items/new')} data-testid="item-new">
              {t.items.create}
            </Button>
          </Space>
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          size="large"
          data-testid="items-search"
          placeholder={t.items.searchPlaceholder}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onSearch={(v) => update({ q: v.trim() || undefined })}
          enterButton={t.common.search}
          style={{ marginBottom: 16 }}
        />
        <Space wrap size={[12, 12]}>
          <Select
            allowClear
            placeholder={t.items.allSubjects}
            style={{ width: 140 }}
            value={subject}
            loading={subjects.loading}
            data-testid="filter-subject"
            options={(subjects.data ?? []).map((s) => ({ value: s.code, label: lang === 'en' ? s.nameEn : s.name }))}
            onChange={(v?: string) => update({ subject: v, knowledgePoint: undefined })}
          />
          <Select
            allowClear
            placeholder={t.items.allGrades}
            style={{ width: 120 }}
            value={get('grade')}
            options={grades.map((g) => ({ value: String(g), label: t.items.gradeName(g) }))}
            onChange={(v?: string) => update({ grade: v })}
          />
          <Select
            allowClear
            placeholder={t.items.allTypes}
            style={{ width: 140 }}
            value={get('type')}
            data-testid="filter-type"
            options={ITEM_TYPES.map((ty) => ({ value: ty, label: t.items.types[ty] }))}
            onChange={(v?: string) => update({ type: v })}
          />
          <Space size={4}>
            <span className="zj-filter-label">{t.items.difficultyRange}</span>
            <Select
              allowClear
              style={{ width: 110 }}
              value={get('difficultyMin')}
              options={difficulty}
              placeholder="1"
              onChange={(v?: string) => update({ difficultyMin: v })}
            />
            <span>–</span>
            <Select
              allowClear
              style={{ width: 110 }}
              value={get('difficultyMax')}
              options={difficulty}
              placeholder="5"
              onChange={(v?: string) => update({ difficultyMax: v })}
            />
          </Space>
          <Select
            allowClear
            placeholder={t.items.allBanks}
            style={{ width: 130 }}
            value={get('owner')}
            data-testid="filter-bank"
            options={(['mine', 'school', 'region'] as const).map((b) => ({ value: b, label: t.items.banks[b] }))}
            onChange={(v?: string) => update({ owner: v })}
          />
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            disabled={!subject}
            placeholder={subject ? t.items.kpPlaceholder : t.items.kpNeedSubject}
            style={{ width: 280 }}
            value={get('knowledgePoint')}
            loading={points.loading}
            data-testid="filter-kp"
            options={points.points.map((p) => ({ value: p.code, label: `${p.code} ${p.name}` }))}
            onChange={(v?: string) => update({ knowledgePoint: v })}
          />
          {filtered && (
            <Button icon={<ReloadOutlined />} onClick={() => setParams(new URLSearchParams())}>
              {t.items.resetFilters}
            </Button>
          )}
        </Space>
      </Card>

      {list.loading && !list.data ? (
        <Card>
          <Skeleton active paragraph={{ rows: 6 }} />
        </Card>
      ) : !list.data?.items.length ? (
        <Card>
          <Empty description={t.items.empty} />
        </Card>
      ) : (
        <div data-testid="items-list" style={{ opacity: list.loading ? 0.6 : 1 }}>
          {list.data.items.map((item) => (
            <Card
              key={item.id}
              size="small"
              className="zj-item-card"
              data-testid="item-card"
              onClick={() => navigate(`/items/${item.id}`)}
              styles={{ body: { padding: '14px 20px' } }}
            >
              <div className="zj-item-meta">
                <Tag color={TYPE_COLORS[item.body.type]} data-testid="item-type">
                  {t.items.types[item.body.type]}
                </Tag>
                <Tag bordered={false}>{subjectName(subjects.data, item.subject, lang)}</Tag>
                <Tag bordered={false}>{t.items.gradeName(item.grade)}</Tag>
                <Tag bordered={false} color={OWNER_COLORS[item.owner.type]}>
                  {t.items.owners[item.owner.type]}
                </Tag>
                <Typography.Text style={{ color: DIFFICULTY_COLORS[item.difficulty], fontSize: 12 }}>
                  {'★'.repeat(item.difficulty)}
                  <span style={{ color: '#d9d9d9' }}>{'★'.repeat(5 - item.difficulty)}</span>
                  {` ${t.items.difficulties[item.difficulty]}`}
                </Typography.Text>
              </div>
              <RichText text={item.body.stem} clamp={3} testId="item-card-stem" />
              <div className="zj-item-foot">
                <Space size={4} wrap>
                  {item.knowledgePoints.map((k) => (
                    <Tag key={k} color="blue" bordered={false} style={{ fontSize: 12 }}>
                      {kpName(item.subject, k)}
                    </Tag>
                  ))}
                </Space>
                <Space size={12}>
                  <span>{t.items.scoreN(item.score)}</span>
                  <span>{t.items.versionN(item.version)}</span>
                  <span>{t.items.updatedAt(formatTime(item.updatedAt, lang))}</span>
                </Space>
              </div>
            </Card>
          ))}
          <div style={{ display: 'flex', justifyContent: 'flex-end', marginTop: 16 }}>
            <Pagination
              current={list.data.page}
              pageSize={list.data.pageSize}
              total={list.data.total}
              showSizeChanger
              pageSizeOptions={[10, 20, 50]}
              showTotal={(n) => t.common.total(n)}
              onChange={(p, ps) => update({ page: String(p), pageSize: String(ps) })}
            />
          </div>
        </div>
      )}
    </>
  );
}
