/**
 * /homework/:id: answering. Answers autosave as a draft (1.5 s after the last change); submitting
 * sends them with a client id made once per attempt and kept in sessionStorage, so a retry after
 * a network error (or a reload) can never create a second submission.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Card, Skeleton, Space, Tag, Typography } from 'antd';
import { CheckCircleOutlined, CloudSyncOutlined, SendOutlined, WarningOutlined } from '@ant-design/icons';
import { useNavigate, useParams } from 'react-router';
import { formatTime, useI18n } from '../i18n';
import { api, request, toApiError, type ApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { TYPE_COLORS } from '../items/model';
import { QuestionInput } from './QuestionInput';
import { ProblemAlert } from './ProblemAlert';
import { asBody, canAttempt, clientIdFor, forgetClientId, isBlank, isPastDue, type Answers, type Assignment } from './model';

const AUTOSAVE_MS = 1500;

interface Draft {
  answers: Answers;
  updatedAt: string | null;
}

export function AnswerPage() {
  const { id = '' } = useParams();
  const a = useApi<Assignment>(`/api/assignments/${id}`);
  const draft = useApi<Draft>(`/api/assignments/${id}/draft`);
  const error = a.error ?? draft.error;
  if (error) return <ApiErrorView error={error} />;
  if (!a.data || !draft.data)
    return (
      <Card>
        <Skeleton active paragraph={{ rows: 10 }} />
      </Card>
    );
  return <AnswerSheet key={id} assignment={a.data} draft={draft.data} />;
}

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; at: string } | { kind: 'error' };

/** Debounced draft saving; stop() cancels what is pending and turns saving off for good. */
function useAutosave(assignmentId: string, answers: Answers, dirty: boolean) {
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const stopped = useRef(false);
  const timer = useRef<number | undefined>(undefined);
  const latest = useRef(answers);
  latest.current = answers;

  const save = useCallback(async () => {
    if (stopped.current) return;
    setState({ kind: 'saving' });
    try {
      const d = await request<Draft>('PUT', `/api/assignments/${assignmentId}/draft`, { answers: latest.current });
      if (!stopped.current) setState({ kind: 'saved', at: d.updatedAt ?? new Date().toISOString() });
    } catch {
      if (!stopped.current) setState({ kind: 'error' });
    }
  }, [assignmentId]);

  useEffect(() => {
    if (!dirty || stopped.current) return;
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      timer.current = undefined;
      void save();
    }, AUTOSAVE_MS);
  }, [answers, dirty, save]);

  // Leaving the page with a change not saved yet: save it now.
  useEffect(
    () => () => {
      if (timer.current !== undefined) {
        window.clearTimeout(timer.current);
        void save();
      }
    },
    [save],
  );

  const stop = useCallback(() => {
    stopped.current = true;
    window.clearTimeout(timer.current);
    timer.current = undefined;
  }, []);
  const resume = useCallback(() => {
    stopped.current = false;
  }, []);
  return { state, stop, resume };
}

function AutosaveStatus({ state }: { state: SaveState }) {
  const { t } = useI18n();
  switch (state.kind) {
    case 'idle':
      return null;
    case 'saving':
      return (
        <Typography.Text type="secondary" data-testid="autosave">
          <CloudSyncOutlined /> {t.assessment.autosaving}
        </Typography.Text>
      );
    case 'saved':
      return (
        <Typography.Text type="secondary" data-testid="autosave">
          <CheckCircleOutlined style={{ color: '#52c41a' }} /> {t.assessment.autosaved(new Date(state.at).toLocaleTimeString('zh-CN', { hour12: false }))}
        </Typography.Text>
      );
    case 'error':
      return (
        <Typography.Text type="warning" data-testid="autosave">
          <WarningOutlined /> {t.assessment.autosaveFailed}
        </Typography.Text>
      );
  }
}

function AnswerSheet({ assignment: a, draft }: { assignment: Assignment; draft: Draft }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const { modal } = App.useApp();
  const [answers, setAnswers] = useState<Answers>(() => draft.answers ?? {});
  const [dirty, setDirty] = useState(false);
  const [sending, setSending] = useState(false);
  const sendingRef = useRef(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const autosave = useAutosave(a.id, answers, dirty);
  const open = canAttempt(a);
  const total = a.items.length;
  const answered = a.items.filter((it) => !isBlank(answers[String(it.position)])).length;

  const setAnswer = (position: number, v: unknown) => {
    setAnswers((prev) => ({ ...prev, [String(position)]: v }));
    setDirty(true);
  };

  const send = async () => {
    if (sendingRef.current) return;
    sendingRef.current = true;
    setSending(true);
    setFailure(null);
    autosave.stop();
    // The same id for every try of this attempt: the server stores the attempt once.
    const clientId = clientIdFor(a.id);
    try {
      const r = await api.post<{ id: string; status: string; attempt: number }>(`/api/assignments/${a.id}/submissions`, { clientId, answers });
      forgetClientId(a.id);
      navigate(`/homework/${a.id}/result/${r.id}`, { replace: true });
    } catch (e) {
      setFailure(toApiError(e));
      autosave.resume();
      sendingRef.current = false;
      setSending(false);
    }
  };

  const submit = () => {
    if (sendingRef.current) return;
    const missing = total - answered;
    if (missing > 0)
      modal.confirm({
        title: t.assessment.submitConfirmTitle,
        content: t.assessment.unansweredConfirm(missing),
        okText: t.assessment.submit,
        cancelText: t.common.cancel,
        onOk: () => void send(),
      });
    else void send();
  };

  const networkFailure = failure?.status === 0;
  return (
    <>
      <PageHeader
        title={a.title}
        subtitle={`${t.assessment.itemsN(total)} · ${t.items.scoreN(a.maxScore)} · ${t.assessment.dueLine(formatTime(a.dueAt, lang))}`}
        onBack={() => navigate('/homework')}
        extra={(a.myAttempts ?? 0) > 0 && <Tag>{t.assessment.attemptsUsed(a.myAttempts ?? 0, a.attemptsAllowed)}</Tag>}
      />
      {!open && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message={(a.myAttempts ?? 0) >= a.attemptsAllowed ? t.assessment.noAttemptsLeft : t.assessment.closedNotice}
          action={
            (a.myAttempts ?? 0) > 0 && (
              <Button size="small" onClick={() => navigate(`/homework/${a.id}/result`)}>
                {t.assessment.viewResult}
              </Button>
            )
          }
        />
      )}
      {open && isPastDue(a) && <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t.assessment.lateNotice} />}
      {failure &&
        (networkFailure ? (
          <Alert type="error" showIcon style={{ marginBottom: 16 }} message={t.assessment.submitFailed} description={t.assessment.submitNetworkError} data-testid="submit-error" />
        ) : (
          <ProblemAlert error={failure} title={t.assessment.submitFailed} onClose={() => setFailure(null)} testId="submit-error" />
        ))}
      <div data-testid="answer-sheet">
        {a.items.map((it) => (
          <Card
            key={it.position}
            size="small"
            className="zj-question"
            data-testid="question"
            data-type={it.type}
            data-position={it.position}
            title={
              <Space size={6}>
                <span className="zj-question-no">{t.assessment.questionN(it.position)}</span>
                <Tag color={TYPE_COLORS[it.type]}>{t.items.types[it.type]}</Tag>
                <Typography.Text type="secondary" style={{ fontWeight: 'normal' }}>
                  {t.items.scoreN(it.score)}
                </Typography.Text>
              </Space>
            }
          >
            <QuestionInput
              body={asBody(it.body)}
              value={answers[String(it.position)] ?? null}
              onChange={(v) => setAnswer(it.position, v)}
              disabled={!open || sending}
              testId={String(it.position)}
            />
          </Card>
        ))}
      </div>
      <div className="zj-submit-bar">
        <Space size={16} wrap>
          <Typography.Text strong data-testid="answered-count">
            {t.assessment.answered(answered, total)}
          </Typography.Text>
          <AutosaveStatus state={autosave.state} />
        </Space>
        <Button type="primary" size="large" icon={<SendOutlined />} loading={sending} disabled={!open} onClick={submit} data-testid="submit">
          {networkFailure ? t.assessment.resubmit : t.assessment.submit}
        </Button>
      </div>
    </>
  );
}
