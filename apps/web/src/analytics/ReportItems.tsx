/**
 * The per-question table of the report: difficulty, discrimination and flags as coloured tags; a
 * choice question expands into its distractor breakdown (who picked what, upper vs lower group).
 */
import type { HTMLAttributes } from 'react';
import { Progress, Table, Tag, Tooltip, Typography } from 'antd';
import { CheckCircleFilled } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { decimal, FLAG_COLORS, hasOptions, percent, type ReportItem, type Trace } from './report-model';

type Option = NonNullable<ReportItem['options']>[number];

export function OptionTable({ item }: { item: ReportItem }) {
  const { t } = useI18n();
  return (
    <Table<Option>
      size="small"
      rowKey="option"
      pagination={false}
      dataSource={item.options ?? []}
      data-testid={`options-${item.position}`}
      rowClassName={(o) => (o.isKey ? 'zj-report-key' : o.count === 0 ? 'zj-report-unused' : '')}
      columns={[
        {
          title: t.report.colOption,
          dataIndex: 'option',
          width: 80,
          render: (x: string, o) => (
            <span>
              {x} {o.isKey && <CheckCircleFilled style={{ color: '#52c41a' }} aria-label={t.report.key} />}
            </span>
          ),
        },
        { title: t.report.colChosen, dataIndex: 'count', width: 70, align: 'right' },
        {
          title: t.report.colProportion,
          dataIndex: 'proportion',
          width: 160,
          render: (p: number, o) => <Progress percent={Math.round(p * 100)} size="small" strokeColor={o.isKey ? '#52c41a' : o.count === 0 ? '#d9d9d9' : '#1677ff'} />,
        },
        { title: t.report.colUpper, dataIndex: 'upper', width: 80, align: 'right', render: (x: number | null) => percent(x, 0) },
        { title: t.report.colLower, dataIndex: 'lower', width: 80, align: 'right', render: (x: number | null) => percent(x, 0) },
        { title: t.report.colR, dataIndex: 'pointBiserial', width: 80, align: 'right', render: (x: number | null) => decimal(x) },
      ]}
    />
  );
}

export function ItemTable({ items, onTrace }: { items: ReportItem[]; onTrace(t: Trace): void }) {
  const { t } = useI18n();
  return (
    <Table<ReportItem>
      size="middle"
      rowKey="position"
      pagination={false}
      dataSource={items}
      data-testid="item-table"
      scroll={{ x: 900 }}
      expandable={{
        rowExpandable: hasOptions,
        expandedRowRender: (it) => (
          <div className="zj-report-expanded">
            <Typography.Paragraph type="secondary" ellipsis={{ rows: 2, expandable: true }}>
              {it.stem}
            </Typography.Paragraph>
            <OptionTable item={it} />
          </div>
        ),
      }}
      onRow={(it) => ({ 'data-position': it.position }) as HTMLAttributes<HTMLElement>}
      columns={[
        {
          title: t.report.colNo,
          dataIndex: 'position',
          width: 80,
          render: (n: number) => (
            <Typography.Link onClick={() => onTrace({ kind: 'item', position: n })}>{t.report.questionN(n)}</Typography.Link>
          ),
        },
        { title: t.report.colType, dataIndex: 'type', width: 90, render: (ty: string) => t.items.types[ty] ?? ty },
        { title: t.report.colMean, width: 100, render: (_, it) => `${decimal(it.mean)} / ${decimal(it.max)}` },
        {
          title: <Tooltip title={t.report.pHint}>{t.report.colP}</Tooltip>,
          dataIndex: 'p',
          width: 140,
          render: (p: number | null) => (p === null ? '—' : <Progress percent={Math.round(p * 100)} size="small" format={() => decimal(p)} />),
        },
        {
          title: <Tooltip title={t.report.dHint}>{t.report.colD}</Tooltip>,
          dataIndex: 'discrimination',
          width: 90,
          align: 'right',
          render: (d: number | null) => <span className={d !== null && d < 0 ? 'zj-report-negative' : undefined}>{decimal(d)}</span>,
        },
        {
          title: <Tooltip title={t.report.rHint}>{t.report.colR}</Tooltip>,
          dataIndex: 'pointBiserial',
          width: 90,
          align: 'right',
          render: (r: number | null) => <span className={r !== null && r < 0 ? 'zj-report-negative' : undefined}>{decimal(r)}</span>,
        },
        {
          title: t.report.colFlags,
          dataIndex: 'flags',
          render: (flags: string[]) =>
            flags.length ? (
              flags.map((f) => (
                <Tag key={f} color={FLAG_COLORS[f]} data-testid="item-flag" data-flag={f}>
                  {t.report.flags[f] ?? f}
                </Tag>
              ))
            ) : (
              <Typography.Text type="secondary">—</Typography.Text>
            ),
        },
      ]}
    />
  );
}
