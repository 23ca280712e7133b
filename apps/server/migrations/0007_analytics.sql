CREATE TABLE "analytics_calibrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subject" text NOT NULL,
	"model" text NOT NULL,
	"min_responses" integer NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"progress" real DEFAULT 0 NOT NULL,
	"requested_by" uuid,
	"result" jsonb,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "analytics_responses" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"assignment_id" uuid NOT NULL,
	"submission_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	"class_id" uuid NOT NULL,
	"school_id" uuid,
	"subject" text NOT NULL,
	"kind" text NOT NULL,
	"attempt" integer NOT NULL,
	"source" text NOT NULL,
	"item_id" uuid NOT NULL,
	"item_version" integer NOT NULL,
	"position" integer NOT NULL,
	"type" text NOT NULL,
	"knowledge_points" jsonb NOT NULL,
	"score" real NOT NULL,
	"max" real NOT NULL,
	"correct" boolean NOT NULL,
	"chosen" jsonb,
	"marked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "analytics_responses_submission_uq" ON "analytics_responses" USING btree ("submission_id","position");--> statement-breakpoint
CREATE INDEX "analytics_responses_assignment_idx" ON "analytics_responses" USING btree ("assignment_id","student_id");--> statement-breakpoint
CREATE INDEX "analytics_responses_subject_idx" ON "analytics_responses" USING btree ("subject","id");