/** Small pieces: the mastery tag of a point, a progress bar of pKnow, the before→after of a practice answer. */
import { Progress, Space, Tag, Tooltip, Typography } from 'antd';
import { ArrowRightOutlined, FallOutlined, RiseOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { STATE_COLORS, STATE_TAG_COLORS, pct, stateLabel, type MasteryState, type PointMastery, type PracticeResult } from './model';

export function MasteryTag({ m, testId = 'mastery-tag' }: { m: Pick<PointMastery, 'state' | 'observations' | 'uncertainty'>; testId?: string }) {
  const { t } = useI18n();
  const tag = (
    <Tag color={STATE_TAG_COLORS[m.state]} bordered={false} data-testid={testId} data-state={m.state}>
      {stateLabel(m, t)}
    </Tag>
  );
  return m.state === 'not_enough_evidence' && m.observations > 0 ? <Tooltip title={t.learning.uncertain}>{tag}</Tooltip> : tag;
}

/** pKnow as a thin bar in the state's colour; the uncertain part is drawn lighter. */
export function PKnowBar({ m, width = 160 }: { m: Pick<PointMastery, 'pKnow' | 'state'>; width?: number }) {
  const { t } = useI18n();
  return (
    <Space size={8} align="center">
      <Progress
        percent={pct(m.pKnow)}
        showInfo={false}
        size={[width, 8]}
        strokeColor={STATE_COLORS[m.state]}
        aria-label={t.learning.pKnow(pct(m.pKnow))}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="pknow">
        {t.learning.pKnow(pct(m.pKnow))}
      </Typography.Text>
    </Space>
  );
}

/** "有理数的加法 42% → 68% 学习中" per point the answer was evidence for. */
export function MasteryChange({ changes }: { changes: PracticeResult['mastery'] }) {
  const { t } = useI18n();
  if (!changes.length) return null;
  return (
    <div className="zj-mastery-change" data-testid="mastery-change">
      <div className="zj-feedback-label">{t.learning.masteryChange}</div>
      {changes.map((c) => {
        const up = c.after > c.before + 1e-9;
        const down = c.after < c.before - 1e-9;
        return (
          <div key={c.code} className="zj-mastery-change-row" data-testid="mastery-change-row" data-code={c.code} data-before={c.before} data-after={c.after}>
            <Typography.Text strong>{c.name}</Typography.Text>
            <span className="zj-mastery-change-values">
              <span>{pct(c.before)}%</span>
              <ArrowRightOutlined style={{ color: '#8c8c8c', fontSize: 11 }} />
              <span style={{ color: up ? '#389e0d' : down ? '#cf1322' : undefined, fontWeight: 600 }}>{pct(c.after)}%</span>
              {up ? <RiseOutlined style={{ color: '#389e0d' }} /> : down ? <FallOutlined style={{ color: '#cf1322' }} /> : null}
            </span>
            <Tag color={STATE_TAG_COLORS[c.state as MasteryState]} bordered={false}>
              {t.learning.states[c.state] ?? c.state}
            </Tag>
          </div>
        );
      })}
    </div>
  );
}
