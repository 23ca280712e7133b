CREATE TABLE "kp_domains" (
	"version_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"name_en" text,
	"position" integer NOT NULL,
	CONSTRAINT "kp_domains_version_id_code_pk" PRIMARY KEY("version_id","code")
);
--> statement-breakpoint
CREATE TABLE "kp_graph_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subject_code" text NOT NULL,
	"version" integer,
	"status" text NOT NULL,
	"note" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_by" uuid,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "knowledge_points" (
	"version_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"grade" integer NOT NULL,
	"domain" text,
	"position" integer NOT NULL,
	CONSTRAINT "knowledge_points_version_id_code_pk" PRIMARY KEY("version_id","code")
);
--> statement-breakpoint
CREATE TABLE "kp_prerequisites" (
	"version_id" uuid NOT NULL,
	"point_code" text NOT NULL,
	"prerequisite_code" text NOT NULL,
	CONSTRAINT "kp_prerequisites_version_id_point_code_prerequisite_code_pk" PRIMARY KEY("version_id","point_code","prerequisite_code")
);
--> statement-breakpoint
CREATE TABLE "subjects" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"name_en" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "kp_domains" ADD CONSTRAINT "kp_domains_version_id_kp_graph_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."kp_graph_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kp_graph_versions" ADD CONSTRAINT "kp_graph_versions_subject_code_subjects_code_fk" FOREIGN KEY ("subject_code") REFERENCES "public"."subjects"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_points" ADD CONSTRAINT "knowledge_points_version_id_kp_graph_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."kp_graph_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kp_prerequisites" ADD CONSTRAINT "kp_prerequisites_version_id_kp_graph_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."kp_graph_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "kp_graph_versions_no_uq" ON "kp_graph_versions" USING btree ("subject_code","version");--> statement-breakpoint
CREATE UNIQUE INDEX "kp_graph_versions_one_draft_uq" ON "kp_graph_versions" USING btree ("subject_code") WHERE status = 'draft';--> statement-breakpoint
CREATE INDEX "knowledge_points_grade_idx" ON "knowledge_points" USING btree ("version_id","grade");