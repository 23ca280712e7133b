CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"key" text NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assignment_classes" (
	"assignment_id" uuid NOT NULL,
	"class_id" uuid NOT NULL,
	CONSTRAINT "assignment_classes_assignment_id_class_id_pk" PRIMARY KEY("assignment_id","class_id")
);
--> statement-breakpoint
CREATE TABLE "assignment_items" (
	"assignment_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"item_id" uuid NOT NULL,
	"item_version" integer NOT NULL,
	"snapshot" jsonb NOT NULL,
	"score" real NOT NULL,
	"always_review" boolean DEFAULT false NOT NULL,
	CONSTRAINT "assignment_items_assignment_id_position_pk" PRIMARY KEY("assignment_id","position")
);
--> statement-breakpoint
CREATE TABLE "assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"subject" text NOT NULL,
	"grade" integer NOT NULL,
	"author_id" uuid NOT NULL,
	"open_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"attempts_allowed" integer DEFAULT 1 NOT NULL,
	"late_policy" text DEFAULT 'accept' NOT NULL,
	"late_penalty" integer DEFAULT 0 NOT NULL,
	"feedback_policy" text DEFAULT 'after_submit' NOT NULL,
	"blueprint" jsonb,
	"max_score" real NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "answer_drafts" (
	"assignment_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	"answers" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "answer_drafts_assignment_id_student_id_pk" PRIMARY KEY("assignment_id","student_id")
);
--> statement-breakpoint
CREATE TABLE "essay_models" (
	"item_id" uuid PRIMARY KEY NOT NULL,
	"model" jsonb NOT NULL,
	"samples" integer NOT NULL,
	"cv_qwk" jsonb NOT NULL,
	"trained_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "item_marks" (
	"submission_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"assignment_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"item_version" integer NOT NULL,
	"engine" text NOT NULL,
	"engine_score" real NOT NULL,
	"max_score" real NOT NULL,
	"confidence" real NOT NULL,
	"detail" jsonb NOT NULL,
	"status" text NOT NULL,
	"review_reason" text,
	"final_score" real,
	"reviewer_id" uuid,
	"reviewed_at" timestamp with time zone,
	"review_points" jsonb,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "item_marks_submission_id_position_pk" PRIMARY KEY("submission_id","position")
);
--> statement-breakpoint
CREATE TABLE "notebook_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"student_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"item_version" integer NOT NULL,
	"subject" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	"knowledge_points" jsonb NOT NULL,
	"submission_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"last_answer" jsonb,
	"status" text DEFAULT 'open' NOT NULL,
	"retries" integer DEFAULT 0 NOT NULL,
	"correct_streak" integer DEFAULT 0 NOT NULL,
	"due_at" timestamp with time zone DEFAULT now() NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	"mastered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "submissions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"assignment_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	"class_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"answers" jsonb NOT NULL,
	"late" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'marking' NOT NULL,
	"score" real,
	"max_score" real NOT NULL,
	"source" text DEFAULT 'online' NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"marked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "assignment_classes" ADD CONSTRAINT "assignment_classes_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment_items" ADD CONSTRAINT "assignment_items_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "answer_drafts" ADD CONSTRAINT "answer_drafts_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_marks" ADD CONSTRAINT "item_marks_submission_id_submissions_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submissions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "events_type_id_idx" ON "events" USING btree ("type","id");--> statement-breakpoint
CREATE UNIQUE INDEX "events_type_key_uq" ON "events" USING btree ("type","key");--> statement-breakpoint
CREATE INDEX "assignment_classes_class_idx" ON "assignment_classes" USING btree ("class_id");--> statement-breakpoint
CREATE INDEX "assignment_items_item_idx" ON "assignment_items" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "assignments_author_idx" ON "assignments" USING btree ("author_id");--> statement-breakpoint
CREATE INDEX "item_marks_review_idx" ON "item_marks" USING btree ("assignment_id","status");--> statement-breakpoint
CREATE INDEX "item_marks_item_idx" ON "item_marks" USING btree ("item_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "notebook_student_item_uq" ON "notebook_entries" USING btree ("student_id","item_id");--> statement-breakpoint
CREATE INDEX "notebook_student_idx" ON "notebook_entries" USING btree ("student_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "submissions_client_uq" ON "submissions" USING btree ("student_id","client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "submissions_attempt_uq" ON "submissions" USING btree ("assignment_id","student_id","attempt");--> statement-breakpoint
CREATE INDEX "submissions_assignment_idx" ON "submissions" USING btree ("assignment_id","status");