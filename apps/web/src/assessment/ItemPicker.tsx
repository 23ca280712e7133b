/** Picking items by hand: search the bank, add items, set their points and "always review". */
import { useState } from 'react';
import { Button, Empty, Input, InputNumber, List, Select, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, CheckOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { PageOf, Subject } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { query } from '../shell/api';
import { useApi } from '../shell/useApi';
import { RichText } from '../items/RichText';
import { ITEM_TYPES, TYPE_COLORS, type SearchHit } from '../items/model';
import { plainNumber, round2 } from './model';

export interface Picked {
  item: SearchHit;
  score: number;
  alwaysReview: boolean;
}

export const pickedTotal = (p: Picked[]) => round2(p.reduce((s, x) => s + x.score, 0));

export function ItemPicker(props: { value: Picked[]; onChange(v: Picked[]): void; subjects: Subject[] | undefined; defaultSubject?: string; defaultGrade?: number }) {
  const { t, lang } = useI18n();
  const [text, setText] = useState('');
  const [filters, setFilters] = useState<{ q?: string; subject?: string; grade?: number; type?: string }>({
    subject: props.defaultSubject,
    grade: props.defaultGrade,
  });
  const [page, setPage] = useState(1);
  const hits = useApi<PageOf<SearchHit>>(`/api/items${query({ ...filters, page, pageSize: 8 })}`);
  const picked = props.value;
  const has = (id: string) => picked.some((p) => p.item.id === id);
  const set = (i: number, patch: Partial<Picked>) => props.onChange(picked.map((p, k) => (k === i ? { ...p, ...patch } : p)));
  const move = (i: number, d: -1 | 1) => {
    const next = [...picked];
    [next[i], next[i + d]] = [next[i + d]!, next[i]!];
    props.onChange(next);
  };
  const filter = (patch: Partial<typeof filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setPage(1);
  };

  return (
    <div data-testid="item-picker">
      <Space wrap size={[8, 8]} style={{ marginBottom: 12 }}>
        <Input.Search
          allowClear
          style={{ width: 320 }}
          placeholder={t.assessment.searchPlaceholder}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onSearch={(v) => filter({ q: v.trim() || undefined })}
          enterButton={t.common.search}
          data-testid="picker-search"
        />
        <Select
          allowClear
          style={{ width: 120 }}
          placeholder={t.items.allSubjects}
          value={filters.subject}
          options={(props.subjects ?? []).map((s) => ({ value: s.code, label: lang === 'en' ? s.nameEn : s.name }))}
          onChange={(subject?: string) => filter({ subject })}
        />
        <Select
          allowClear
          style={{ width: 110 }}
          placeholder={t.items.allGrades}
          value={filters.grade}
          options={Array.from({ length: 12 }, (_, i) => ({ value: i + 1, label: t.items.gradeName(i + 1) }))}
          onChange={(grade?: number) => filter({ grade })}
        />
        <Select
          allowClear
          style={{ width: 130 }}
          placeholder={t.items.allTypes}
          value={filters.type}
          options={ITEM_TYPES.map((ty) => ({ value: ty, label: t.items.types[ty] }))}
          onChange={(type?: string) => filter({ type })}
        />
      </Space>
      <List<SearchHit>
        size="small"
        bordered
        loading={hits.loading}
        dataSource={hits.data?.items ?? []}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t.items.empty} /> }}
        pagination={
          hits.data && hits.data.total > hits.data.pageSize
            ? { current: page, pageSize: 8, total: hits.data.total, size: 'small', onChange: setPage, showSizeChanger: false }
            : false
        }
        renderItem={(item) => (
          <List.Item
            data-testid="picker-hit"
            actions={[
              has(item.id) ? (
                <Button key="added" size="small" icon={<CheckOutlined />} disabled>
                  {t.assessment.added}
                </Button>
              ) : (
                <Button
                  key="add"
                  size="small"
                  type="primary"
                  ghost
                  icon={<PlusOutlined />}
                  onClick={() => props.onChange([...picked, { item, score: item.score, alwaysReview: item.body.type === 'essay' }])}
                  data-testid="picker-add"
                >
                  {t.assessment.add}
                </Button>
              ),
            ]}
          >
            <div style={{ minWidth: 0, flex: 1 }}>
              <Space size={4} style={{ marginBottom: 2 }}>
                <Tag color={TYPE_COLORS[item.body.type]}>{t.items.types[item.body.type]}</Tag>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t.items.gradeName(item.grade)} · {t.items.difficultyN(item.difficulty)} · {t.items.scoreN(item.score)}
                </Typography.Text>
              </Space>
              <RichText text={item.body.stem} clamp={2} />
            </div>
          </List.Item>
        )}
      />
      <Typography.Title level={5} style={{ marginTop: 20 }}>
        {t.assessment.picked(picked.length)}
      </Typography.Title>
      <Table<Picked>
        size="small"
        rowKey={(p) => p.item.id}
        pagination={false}
        dataSource={picked}
        data-testid="picked-table"
        locale={{ emptyText: t.assessment.noPicked }}
        columns={[
          { title: '#', width: 44, render: (_, __, i) => i + 1 },
          {
            title: t.items.stem,
            render: (_, p) => (
              <Space direction="vertical" size={0} style={{ width: '100%' }}>
                <Tag color={TYPE_COLORS[p.item.body.type]}>{t.items.types[p.item.body.type]}</Tag>
                <RichText text={p.item.body.stem} clamp={2} />
              </Space>
            ),
          },
          {
            title: t.assessment.points,
            width: 110,
            render: (_, p, i) => <InputNumber min={0.5} max={100} step={0.5} formatter={plainNumber} value={p.score} onChange={(v) => set(i, { score: v ?? p.score })} style={{ width: 90 }} />,
          },
          {
            title: (
              <Tooltip title={t.assessment.alwaysReviewHint}>
                <span>{t.assessment.alwaysReview}</span>
              </Tooltip>
            ),
            width: 100,
            render: (_, p, i) => <Switch size="small" checked={p.alwaysReview} onChange={(alwaysReview) => set(i, { alwaysReview })} />,
          },
          {
            title: t.common.actions,
            width: 120,
            render: (_, __, i) => (
              <Space size={0}>
                <Button type="text" size="small" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, -1)} aria-label={t.assessment.moveUp} />
                <Button type="text" size="small" icon={<ArrowDownOutlined />} disabled={i === picked.length - 1} onClick={() => move(i, 1)} aria-label={t.assessment.moveDown} />
                <Button type="text" size="small" danger icon={<DeleteOutlined />} onClick={() => props.onChange(picked.filter((_, k) => k !== i))} aria-label={t.assessment.remove} />
              </Space>
            ),
          },
        ]}
      />
    </div>
  );
}
