/**
 * Identity: the region tree, schools, grades, classes, users and their scoped roles, parents'
 * links to children, sessions and API keys, roster import, and the demo region.
 * This file is the module's only public door.
 */
import type { AuditLog } from '../../platform/audit/index.js';
import type { DataCipher } from '../../platform/crypto/index.js';
import type { Db } from '../../platform/db/index.js';
import type { App } from '../../platform/http/app.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import { Auth, type AuthSettings } from './auth.js';
import { seedDemoIfEmpty } from './demo.js';
import { Directory } from './directory.js';
import { identityRoutes } from './routes.js';
import { RosterImports } from './roster.js';

export { SESSION_COOKIE } from './auth.js';
export { PERMISSIONS, type Permission } from './policies.js';
export type { DemoResult } from './demo.js';

export interface IdentityDeps {
  db: Db;
  audit: AuditLog;
  cipher: DataCipher;
  jobs: JobQueue;
  settings: AuthSettings;
}

export function createIdentity(d: IdentityDeps) {
  const auth = new Auth(d.db, d.audit, d.settings);
  const directory = new Directory(d.db, d.audit);
  const roster = new RosterImports(d.db, d.audit, d.cipher, d.jobs);
  return {
    authenticate: auth.authenticate.bind(auth),
    /** Schools the caller works in or oversees (for other modules' school-level sharing). */
    schoolIdsOf: directory.schoolIdsOf.bind(directory),
    rootRegionId: directory.rootRegionId.bind(directory),
    /** The class and school a student is enrolled in, or null for a non-student. */
    enrolment: directory.enrolment.bind(directory),
    /** Students of classes the calling module has already authorised. */
    classMembers: directory.classMembers.bind(directory),
    classNames: directory.classNames.bind(directory),
    /** The school of each class (class id -> school id). */
    classSchools: directory.classSchools.bind(directory),
    regionTree: directory.regionTree.bind(directory),
    userNames: directory.userNames.bind(directory),
    /** Names and student numbers of a school, for the hub's PII masking only. */
    rosterTerms: directory.rosterTerms.bind(directory),
    /** Enabled teachers' and students' user ids per school (no names): the AI regular-use rate. */
    activeMembers: directory.activeMembers.bind(directory),
    /** Whether a parent is a guardian of a student. */
    isGuardianOf: directory.isGuardianOf.bind(directory),
    /** The classes a user teaches, with school and subject. */
    teachingBindings: directory.teachingBindings.bind(directory),
    /** Teachers of a school's classes (id and name). */
    teachersOfSchool: directory.teachersOfSchool.bind(directory),
    /** Teachers and head teachers of classes (with their subject), for routing work to class staff. */
    classStaff: directory.classStaff.bind(directory),
    /** School administrators of schools. */
    schoolAdmins: directory.schoolAdmins.bind(directory),
    /** Admins and class staff of one school, by name (e.g. whom a wellbeing concern may be referred to). */
    schoolStaff: directory.schoolStaff.bind(directory),
    /** The class and school of each student. */
    studentPlacements: directory.studentPlacements.bind(directory),
    seedDemoIfEmpty: (password: string | undefined) => seedDemoIfEmpty(d.db, d.audit, d.cipher, password),
    /** For the demo activity only: act as a demo account (by username), or as one of its students (by id). */
    demoPrincipal: (username: string) => auth.principalByUsername(username),
    demoPrincipalOf: (userId: string) => auth.principalOf(userId, 'session', null),
    routes: (app: App) =>
      identityRoutes(app, { auth, directory, roster, sessionHours: d.settings.sessionHours }),
  };
}
export type Identity = ReturnType<typeof createIdentity>;
