/**
 * The blueprint of a paper: subject, grade and rows of knowledge points × type × count ×
 * difficulty range × points each. "Preview" asks the server which items it would pick.
 */
import { useMemo } from 'react';
import { Button, InputNumber, Select, Space, Tooltip, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { ITEM_TYPES, usePoints, type ItemType } from '../items/model';
import type { Subject } from '@zhijiao/server/api-types';
import { plainNumber, round2 } from './model';

export interface BpRow {
  key: number;
  knowledgePoints: string[];
  type: ItemType;
  count: number;
  difficultyMin: number;
  difficultyMax: number;
  score: number;
}

export interface BpState {
  subject: string;
  grade: number;
  rows: BpRow[];
  seed: number;
}

let nextKey = 1;
export const newRow = (type: ItemType = 'single_choice'): BpRow => ({
  key: nextKey++,
  knowledgePoints: [],
  type,
  count: 1,
  difficultyMin: 1,
  difficultyMax: 5,
  score: 5,
});

/** The request body of a blueprint (POST /api/assignments/assemble, or inside an assignment). */
export function blueprintBody(bp: BpState) {
  return {
    subject: bp.subject,
    grade: bp.grade,
    seed: bp.seed,
    rows: bp.rows.map((r) => ({
      knowledgePoints: r.knowledgePoints,
      type: r.type,
      count: r.count,
      difficultyMin: Math.min(r.difficultyMin, r.difficultyMax),
      difficultyMax: Math.max(r.difficultyMin, r.difficultyMax),
      score: r.score,
    })),
  };
}

export const blueprintTotal = (bp: BpState) => round2(bp.rows.reduce((s, r) => s + r.count * r.score, 0));

export function BlueprintEditor(props: { value: BpState; onChange(v: BpState): void; subjects: Subject[] | undefined; shortRows: number[] }) {
  const { t, lang } = useI18n();
  const bp = props.value;
  const points = usePoints(bp.subject || undefined);
  const kpOptions = useMemo(
    () =>
      [...points.points]
        .sort((a, b) => Math.abs(a.grade - bp.grade) - Math.abs(b.grade - bp.grade) || a.code.localeCompare(b.code))
        .map((p) => ({ value: p.code, label: `${p.code} ${p.name}` })),
    [points.points, bp.grade],
  );
  const set = (patch: Partial<BpState>) => props.onChange({ ...bp, ...patch });
  const setRow = (key: number, patch: Partial<BpRow>) => set({ rows: bp.rows.map((r) => (r.key === key ? { ...r, ...patch } : r)) });
  const difficulty = [1, 2, 3, 4, 5];

  return (
    <div data-testid="blueprint">
      <Space wrap size={[16, 8]} style={{ marginBottom: 12 }}>
        <Space size={6}>
          <span className="zj-filter-label">{t.assessment.subject}</span>
          <Select
            style={{ width: 140 }}
            value={bp.subject || undefined}
            data-testid="bp-subject"
            options={(props.subjects ?? []).map((s) => ({ value: s.code, label: lang === 'en' ? s.nameEn : s.name }))}
            onChange={(subject: string) => set({ subject, rows: bp.rows.map((r) => ({ ...r, knowledgePoints: [] })) })}
          />
        </Space>
        <Space size={6}>
          <span className="zj-filter-label">{t.assessment.grade}</span>
          <Select
            style={{ width: 120 }}
            value={bp.grade}
            data-testid="bp-grade"
            options={Array.from({ length: 12 }, (_, i) => ({ value: i + 1, label: t.items.gradeName(i + 1) }))}
            onChange={(grade: number) => set({ grade })}
          />
        </Space>
      </Space>
      <div className="zj-hint" style={{ marginBottom: 8 }}>
        {t.assessment.bpHint}
      </div>
      <div className="zj-bp-row zj-bp-head">
        <span>#</span>
        <span>{t.assessment.bpKps}</span>
        <span>{t.assessment.bpType}</span>
        <span>{t.assessment.bpCount}</span>
        <span>{t.assessment.bpDifficulty}</span>
        <span>{t.assessment.bpScore}</span>
        <span>{t.assessment.bpSubtotal}</span>
        <span />
      </div>
      {bp.rows.map((r, i) => {
        const short = props.shortRows.includes(i + 1);
        return (
          <div key={r.key} className="zj-bp-row" data-testid="bp-row" style={short ? { background: '#fff2f0' } : undefined}>
            <Typography.Text type={short ? 'danger' : 'secondary'}>{i + 1}</Typography.Text>
            <Select
              mode="multiple"
              allowClear
              showSearch
              optionFilterProp="label"
              maxTagCount="responsive"
              placeholder={t.assessment.bpKpsPlaceholder}
              loading={points.loading}
              status={short ? 'error' : undefined}
              value={r.knowledgePoints}
              options={kpOptions}
              onChange={(v: string[]) => setRow(r.key, { knowledgePoints: v })}
              data-testid={`bp-row-${i + 1}-kps`}
            />
            <Select
              value={r.type}
              options={ITEM_TYPES.map((ty) => ({ value: ty, label: t.items.types[ty] }))}
              onChange={(type: ItemType) => setRow(r.key, { type })}
              data-testid={`bp-row-${i + 1}-type`}
            />
            <InputNumber
              min={1}
              max={50}
              precision={0}
              value={r.count}
              onChange={(v) => setRow(r.key, { count: v ?? 1 })}
              data-testid={`bp-row-${i + 1}-count`}
            />
            <Space.Compact>
              <Select
                value={r.difficultyMin}
                style={{ width: 80 }}
                options={difficulty.map((d) => ({ value: d, label: `${d}` }))}
                onChange={(v: number) => setRow(r.key, { difficultyMin: v })}
                data-testid={`bp-row-${i + 1}-dmin`}
              />
              <Select
                value={r.difficultyMax}
                style={{ width: 80 }}
                options={difficulty.map((d) => ({ value: d, label: `${d}` }))}
                onChange={(v: number) => setRow(r.key, { difficultyMax: v })}
                data-testid={`bp-row-${i + 1}-dmax`}
              />
            </Space.Compact>
            <InputNumber
              min={0.5}
              max={100}
              step={0.5}
              formatter={plainNumber}
              value={r.score}
              onChange={(v) => setRow(r.key, { score: v ?? 1 })}
              data-testid={`bp-row-${i + 1}-score`}
            />
            <Typography.Text>{round2(r.count * r.score)}</Typography.Text>
            <Tooltip title={t.assessment.removeRow}>
              <Button
                type="text"
                danger
                icon={<DeleteOutlined />}
                disabled={bp.rows.length === 1}
                onClick={() => set({ rows: bp.rows.filter((x) => x.key !== r.key) })}
                aria-label={t.assessment.removeRow}
              />
            </Tooltip>
          </div>
        );
      })}
      <Button
        type="dashed"
        icon={<PlusOutlined />}
        style={{ marginTop: 12 }}
        disabled={bp.rows.length >= 30}
        onClick={() => set({ rows: [...bp.rows, newRow(bp.rows[bp.rows.length - 1]?.type)] })}
        data-testid="bp-add-row"
      >
        {t.assessment.addRow}
      </Button>
    </div>
  );
}
