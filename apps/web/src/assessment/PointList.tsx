/** The rubric points of a mark: hit, partly hit or missed, with their scores (feedback views). */
import { Typography } from 'antd';
import { CheckCircleFilled, CloseCircleFilled, MinusCircleFilled } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { pointLabel, round2, type ItemType, type PointMark } from './model';

export function PointList({ points, type, scale = 1 }: { points: PointMark[]; type: ItemType; scale?: number }) {
  const { t } = useI18n();
  if (!points.length) return null;
  return (
    <ul className="zj-point-list" data-testid="point-list">
      {points.map((p) => {
        const state = p.score >= p.max - 1e-9 && p.max > 0 ? 'hit' : p.score > 0 ? 'partial' : 'missed';
        return (
          <li key={p.id} className={`zj-point zj-point-${state}`} data-testid="point" data-state={state}>
            {state === 'hit' ? (
              <CheckCircleFilled style={{ color: '#52c41a' }} />
            ) : state === 'partial' ? (
              <MinusCircleFilled style={{ color: '#faad14' }} />
            ) : (
              <CloseCircleFilled style={{ color: '#ff4d4f' }} />
            )}
            <span className="zj-point-label">{pointLabel(p, type, t)}</span>
            <Typography.Text type="secondary" className="zj-point-score">
              {round2(p.score * scale)} / {round2(p.max * scale)}
            </Typography.Text>
            {p.evidence?.text && state !== 'missed' && (
              <Typography.Text type="secondary" className="zj-point-evidence">
                「{p.evidence.text}」
              </Typography.Text>
            )}
            {p.reason && state !== 'hit' && (
              <Typography.Text type="secondary" className="zj-point-evidence">
                {p.reason}
              </Typography.Text>
            )}
            {p.negated && <Typography.Text type="danger">{t.assessment.negated}</Typography.Text>}
          </li>
        );
      })}
    </ul>
  );
}
