CREATE TABLE "analytics_ai_regular" (
	"school_id" uuid NOT NULL,
	"role" text NOT NULL,
	"weeks_used" integer NOT NULL,
	"people" integer NOT NULL,
	"window_end" date NOT NULL,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_ai_school_weeks" (
	"school_id" uuid NOT NULL,
	"role" text NOT NULL,
	"week" date NOT NULL,
	"users" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_ai_use" (
	"user_id" uuid NOT NULL,
	"week" date NOT NULL,
	"source" text NOT NULL,
	"school_id" uuid,
	"uses" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_enrolment" (
	"school_id" uuid NOT NULL,
	"student_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_kp_rollup" (
	"school_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"kp" text NOT NULL,
	"assignment_id" uuid NOT NULL,
	"week" date NOT NULL,
	"earned" double precision NOT NULL,
	"possible" double precision NOT NULL,
	"responses" integer NOT NULL,
	"students" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_quality_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"student_id" uuid NOT NULL,
	"class_id" uuid NOT NULL,
	"school_id" uuid NOT NULL,
	"domain" text NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"evidence" text NOT NULL,
	"occurred_on" date NOT NULL,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"withdrawn_at" timestamp with time zone,
	"withdrawn_by" uuid,
	"withdraw_reason" text
);
--> statement-breakpoint
CREATE TABLE "analytics_sheets" (
	"assignment_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	"class_id" uuid NOT NULL,
	"school_id" uuid,
	"attempt" integer NOT NULL,
	"submissions" integer NOT NULL,
	"answers" jsonb NOT NULL,
	"first_id" bigint NOT NULL,
	CONSTRAINT "analytics_sheets_assignment_id_student_id_pk" PRIMARY KEY("assignment_id","student_id")
);
--> statement-breakpoint
CREATE TABLE "analytics_submissions" (
	"submission_id" uuid PRIMARY KEY NOT NULL,
	"assignment_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	"class_id" uuid NOT NULL,
	"school_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"week" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "warning_alert_actions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"alert_id" uuid NOT NULL,
	"actor_id" uuid,
	"action" text NOT NULL,
	"note" text,
	"detail" jsonb,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "warning_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"student_id" uuid NOT NULL,
	"class_id" uuid NOT NULL,
	"school_id" uuid NOT NULL,
	"evidence" jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"owner_id" uuid,
	"original_owner_id" uuid,
	"level" text DEFAULT 'owner' NOT NULL,
	"due_at" timestamp with time zone,
	"dismiss_reason" text,
	"raised_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "warning_attendance" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"student_id" uuid NOT NULL,
	"class_id" uuid NOT NULL,
	"school_id" uuid NOT NULL,
	"date" date NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"recorded_by" uuid NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "warning_referrals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"student_id" uuid NOT NULL,
	"class_id" uuid NOT NULL,
	"school_id" uuid NOT NULL,
	"referred_by" uuid NOT NULL,
	"referred_to" uuid NOT NULL,
	"note_enc" "bytea" NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "analytics_calibrations" ADD COLUMN "subject_answers" integer;--> statement-breakpoint
ALTER TABLE "hub_calls" ADD COLUMN "user_id" uuid;--> statement-breakpoint
ALTER TABLE "warning_alert_actions" ADD CONSTRAINT "warning_alert_actions_alert_id_warning_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."warning_alerts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "analytics_ai_regular_uq" ON "analytics_ai_regular" USING btree ("school_id","role","weeks_used");--> statement-breakpoint
CREATE UNIQUE INDEX "analytics_ai_school_weeks_uq" ON "analytics_ai_school_weeks" USING btree ("school_id","role","week");--> statement-breakpoint
CREATE INDEX "analytics_ai_use_week_idx" ON "analytics_ai_use" USING btree ("week","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "analytics_enrolment_uq" ON "analytics_enrolment" USING btree ("student_id","school_id");--> statement-breakpoint
CREATE UNIQUE INDEX "analytics_kp_rollup_uq" ON "analytics_kp_rollup" USING btree ("school_id","subject","kp","assignment_id","week");--> statement-breakpoint
CREATE INDEX "analytics_kp_rollup_week_idx" ON "analytics_kp_rollup" USING btree ("week");--> statement-breakpoint
CREATE INDEX "analytics_quality_student_idx" ON "analytics_quality_records" USING btree ("student_id","occurred_on");--> statement-breakpoint
CREATE INDEX "analytics_submissions_school_idx" ON "analytics_submissions" USING btree ("school_id","week");--> statement-breakpoint
CREATE INDEX "analytics_submissions_student_idx" ON "analytics_submissions" USING btree ("assignment_id","student_id","week");--> statement-breakpoint
CREATE INDEX "warning_alert_actions_alert_idx" ON "warning_alert_actions" USING btree ("alert_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "warning_alerts_active_uq" ON "warning_alerts" USING btree ("student_id","kind") WHERE status in ('open', 'verified', 'followed_up');--> statement-breakpoint
CREATE INDEX "warning_alerts_class_idx" ON "warning_alerts" USING btree ("class_id","status");--> statement-breakpoint
CREATE INDEX "warning_alerts_school_idx" ON "warning_alerts" USING btree ("school_id","status");--> statement-breakpoint
CREATE INDEX "warning_alerts_owner_idx" ON "warning_alerts" USING btree ("owner_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "warning_attendance_student_date_uq" ON "warning_attendance" USING btree ("student_id","date");--> statement-breakpoint
CREATE INDEX "warning_attendance_class_date_idx" ON "warning_attendance" USING btree ("class_id","date");--> statement-breakpoint
CREATE INDEX "warning_referrals_to_idx" ON "warning_referrals" USING btree ("referred_to","status");--> statement-breakpoint
CREATE INDEX "warning_referrals_school_idx" ON "warning_referrals" USING btree ("school_id","status");