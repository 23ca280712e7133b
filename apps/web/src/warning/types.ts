/** Shapes of the warning API as the page reads them (see the server's warning/schema.ts). */
export type AlertKind = 'attendance' | 'homework' | 'mastery';
export type AlertStatus = 'open' | 'verified' | 'followed_up' | 'closed' | 'dismissed';
export type AttendanceStatus = 'present' | 'absent' | 'late' | 'excused_absence';
export const ATTENDANCE_STATUSES: AttendanceStatus[] = ['present', 'absent', 'late', 'excused_absence'];

export interface AlertSummary {
  id: string;
  kind: AlertKind;
  status: AlertStatus;
  level: 'owner' | 'head_teacher' | 'school_admin';
  student: { id: string; name: string; studentNo: string };
  classId: string;
  className: string;
  owner: { id: string; name: string } | null;
  dueAt: string | null;
  raisedAt: string;
  updatedAt: string;
  headline: { count?: number; lastDate?: string | null; maxDrop?: number };
  canAct: boolean;
}

export interface AlertDetail extends AlertSummary {
  evidence: {
    records?: { id: string; date: string; status: string; reason: string | null; source: string }[];
    assignments?: { id: string; title: string; dueAt: string }[];
    points?: { subject: string; code: string; from: { pKnow: number }; to: { pKnow: number } }[];
  };
  dismissReason: string | null;
  closedAt: string | null;
  actions: { action: string; actor: { id: string; name: string } | null; note: string | null; at: string }[];
}

export interface ClassAttendance {
  classId: string;
  students: { id: string; name: string; studentNo: string }[];
  records: { studentId: string; date: string; status: AttendanceStatus; reason: string | null }[];
}

export interface Referral {
  id: string;
  student: { id: string; name: string; studentNo: string };
  className: string;
  referredBy: { id: string; name: string };
  referredTo: { id: string; name: string };
  note: string;
  status: 'open' | 'closed';
  createdAt: string;
  closedAt: string | null;
}

export interface RowError {
  row: number;
  column: string | null;
  code: string;
  message: { zh: string; en: string };
}
