CREATE TABLE "event_cursors" (
	"consumer" text PRIMARY KEY NOT NULL,
	"last_id" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assignment_students" (
	"assignment_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	CONSTRAINT "assignment_students_assignment_id_student_id_pk" PRIMARY KEY("assignment_id","student_id")
);
--> statement-breakpoint
CREATE TABLE "learning_kt_params" (
	"subject" text NOT NULL,
	"code" text NOT NULL,
	"params" jsonb NOT NULL,
	"observations" integer NOT NULL,
	"fitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "learning_kt_params_subject_code_pk" PRIMARY KEY("subject","code")
);
--> statement-breakpoint
CREATE TABLE "learning_mastery" (
	"student_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"code" text NOT NULL,
	"p_know" real NOT NULL,
	"observations" integer DEFAULT 0 NOT NULL,
	"correct" integer DEFAULT 0 NOT NULL,
	"last_at" timestamp with time zone,
	CONSTRAINT "learning_mastery_student_id_subject_code_pk" PRIMARY KEY("student_id","subject","code")
);
--> statement-breakpoint
CREATE TABLE "learning_mastery_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"student_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"code" text NOT NULL,
	"p_know" real NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "learning_refits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subject" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"progress" real DEFAULT 0 NOT NULL,
	"points" integer,
	"observations" integer,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "learning_responses" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"student_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"item_id" uuid NOT NULL,
	"knowledge_points" jsonb NOT NULL,
	"correct" boolean NOT NULL,
	"source" text NOT NULL,
	"source_key" text,
	"answered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "assignment_students" ADD CONSTRAINT "assignment_students_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assignment_students_student_idx" ON "assignment_students" USING btree ("student_id");--> statement-breakpoint
CREATE INDEX "learning_history_student_idx" ON "learning_mastery_history" USING btree ("student_id","subject","at");--> statement-breakpoint
CREATE INDEX "learning_responses_student_idx" ON "learning_responses" USING btree ("student_id","subject","id");--> statement-breakpoint
CREATE INDEX "learning_responses_subject_idx" ON "learning_responses" USING btree ("subject","id");