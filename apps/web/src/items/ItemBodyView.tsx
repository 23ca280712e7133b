/**
 * An item body as a paper would print it. With `answers`, the correct options are marked and the
 * accepted blanks, reference answers and rubrics are shown; without, it is the student's view.
 */
import { Fragment } from 'react';
import { Space, Table, Tag, Typography } from 'antd';
import { CheckCircleFilled } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { RichText, Latex } from './RichText';
import type { ItemBody, PartBody } from './model';

type Blank = Extract<ItemBody, { type: 'fill_blank' }>['blanks'][number];

export function ItemBodyView({ body, answers }: { body: ItemBody | PartBody; answers: boolean }) {
  const { t } = useI18n();
  const blankMap = body.type === 'fill_blank' ? new Map(body.blanks.map((b) => [b.id, b])) : null;
  const blankRender = (id: string) => {
    const b = blankMap?.get(id);
    return (
      <span className="zj-blank" data-testid="rt-blank">
        （{id}）{answers && b && b.accepted.length > 0 && <span className="zj-blank-answer">{b.accepted[0]}</span>}
      </span>
    );
  };
  return (
    <div data-testid="item-body">
      <RichText text={body.stem} blank={body.type === 'fill_blank' ? blankRender : undefined} testId="item-stem" />
      {(body.type === 'single_choice' || body.type === 'multiple_choice') && (
        <div className="zj-options">
          {body.options.map((o) => {
            const correct = answers && (body.type === 'single_choice' ? body.answer === o.key : body.answer.includes(o.key));
            return (
              <div
                key={o.key}
                className={`zj-option${correct ? ' zj-option-correct' : ''}`}
                data-testid="item-option"
                data-correct={correct ? 'true' : undefined}
              >
                <span className="zj-option-key">{o.key}</span>
                <RichText text={o.text} />
                {correct && <CheckCircleFilled style={{ color: '#52c41a', marginTop: 8 }} />}
              </div>
            );
          })}
        </div>
      )}
      {body.type === 'true_false' && !answers && (
        <div className="zj-options" style={{ flexDirection: 'row' }}>
          <div className="zj-option">{t.items.trueLabel}</div>
          <div className="zj-option">{t.items.falseLabel}</div>
        </div>
      )}
      {!answers && (body.type === 'math' || body.type === 'short_answer' || body.type === 'essay') && (
        <>
          {body.type === 'essay' && body.minWords !== null && (
            <Typography.Text type="secondary">{t.items.minWordsN(body.minWords)}</Typography.Text>
          )}
          <div className="zj-student-answer-line" aria-label={t.items.studentAnswerArea} />
          {body.type === 'math' && body.unit && <Typography.Text type="secondary">{`${t.items.unit}：${body.unit}`}</Typography.Text>}
        </>
      )}
      {body.type === 'composite' &&
        body.parts.map((p, i) => (
          <div className="zj-part" key={i} data-testid="item-part">
            <div className="zj-part-title">
              <Space size={6}>
                {t.items.partN(i + 1)}
                <Tag bordered={false}>{t.items.types[p.body.type]}</Tag>
                <Typography.Text type="secondary">{t.items.scoreN(p.score)}</Typography.Text>
              </Space>
            </div>
            <ItemBodyView body={p.body} answers={answers} />
          </div>
        ))}
      {answers && body.type !== 'composite' && <AnswerBox body={body} />}
    </div>
  );
}

/** Only the answers (and rubrics) of a body; composite items list them per part. */
export function AnswersOnly({ body }: { body: ItemBody | PartBody }) {
  const { t } = useI18n();
  if (body.type !== 'composite') return <AnswerBox body={body} />;
  return (
    <>
      {body.parts.map((p, i) => (
        <div key={i} style={{ marginTop: i ? 12 : 0 }}>
          <Typography.Text strong>{t.items.partN(i + 1)}</Typography.Text>
          <AnswerBox body={p.body} />
        </div>
      ))}
    </>
  );
}

function AnswerBox({ body }: { body: Exclude<ItemBody, { type: 'composite' }> }) {
  const { t } = useI18n();
  return (
    <div className="zj-answer-box" data-testid="item-answer">
      <div className="zj-answer-title">
        {body.type === 'essay' ? t.items.dimensions : body.type === 'short_answer' ? t.items.referenceAnswer : t.items.correct}
      </div>
      {body.type === 'single_choice' && <Typography.Text strong>{body.answer}</Typography.Text>}
      {body.type === 'multiple_choice' && (
        <Space direction="vertical" size={2}>
          <Typography.Text strong>{body.answer.join('、')}</Typography.Text>
          <Typography.Text type="secondary">{`${t.items.partialCredit}：${t.items.partialCredits[body.partialCredit]}`}</Typography.Text>
        </Space>
      )}
      {body.type === 'true_false' && <Typography.Text strong>{body.answer ? t.items.trueLabel : t.items.falseLabel}</Typography.Text>}
      {body.type === 'fill_blank' && <BlanksTable blanks={body.blanks} />}
      {body.type === 'math' && (
        <Space direction="vertical" size={2}>
          <span data-testid="math-answer">
            <Latex src={body.answer} />
            {body.unit ? ` ${body.unit}` : ''}
          </span>
          {body.tolerance > 0 && <Typography.Text type="secondary">{`${t.items.tolerance}：±${body.tolerance}`}</Typography.Text>}
        </Space>
      )}
      {body.type === 'short_answer' && (
        <>
          <RichText text={body.referenceAnswer} />
          <Table
            size="small"
            style={{ marginTop: 8 }}
            pagination={false}
            rowKey="id"
            dataSource={body.keyPoints}
            columns={[
              { title: t.items.keyPointMeaning, dataIndex: 'meaning' },
              {
                title: t.items.keyPointVariants,
                dataIndex: 'variants',
                render: (v: string[]) => (v.length ? v.map((x) => <Tag key={x}>{x}</Tag>) : t.common.none),
              },
              { title: t.items.totalScore, dataIndex: 'score', width: 80, render: (s: number) => t.items.scoreN(s) },
            ]}
          />
        </>
      )}
      {body.type === 'essay' && (
        <>
          {body.minWords !== null && <Typography.Paragraph type="secondary">{t.items.minWordsN(body.minWords)}</Typography.Paragraph>}
          <RubricTable dimensions={body.dimensions} testId="rubric-table" />
        </>
      )}
    </div>
  );
}

function BlanksTable({ blanks }: { blanks: Blank[] }) {
  const { t } = useI18n();
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="id"
      dataSource={blanks}
      data-testid="blanks-table"
      columns={[
        { title: '#', dataIndex: 'id', width: 90, render: (id: string) => t.items.blankN(id) },
        {
          title: t.items.acceptedAnswers,
          dataIndex: 'accepted',
          render: (a: string[]) =>
            a.map((x, i) => (
              <Fragment key={i}>
                <Tag color="green">{x}</Tag>
              </Fragment>
            )),
        },
        {
          title: t.items.blankRules,
          render: (_, b) =>
            [b.ignoreWidth && t.items.ignoreWidth, b.ignoreSpaces && t.items.ignoreSpaces, b.ignoreCase && t.items.ignoreCase]
              .filter(Boolean)
              .join('、') || t.common.none,
        },
        { title: t.items.blankScore, dataIndex: 'score', width: 80, render: (s: number) => t.items.scoreN(s) },
      ]}
    />
  );
}

type Dimension = Extract<ItemBody, { type: 'essay' }>['dimensions'][number];

/** An essay rubric: dimensions with their score range and level descriptors. */
export function RubricTable(props: { dimensions: Dimension[]; testId?: string }) {
  const { t } = useI18n();
  return (
    <Table<Dimension>
      size="small"
      pagination={false}
      rowKey="id"
      dataSource={props.dimensions}
      data-testid={props.testId}
      columns={[
        { title: t.items.dimensionName, dataIndex: 'name', width: 120 },
        { title: t.items.scoreRange, width: 100, render: (_, d) => `${d.min}–${d.max}` },
        {
          title: t.items.levels,
          render: (_, d) => (
            <Space direction="vertical" size={4}>
              {d.levels.map((l, i) => (
                <div key={i}>
                  <Tag color="blue" bordered={false}>
                    {t.items.scoreN(l.score)}
                  </Tag>
                  {l.descriptor}
                </div>
              ))}
            </Space>
          ),
        },
      ]}
    />
  );
}
