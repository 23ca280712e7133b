CREATE TABLE "item_versions" (
	"item_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"grade" integer NOT NULL,
	"type" text NOT NULL,
	"body" jsonb NOT NULL,
	"explanation" text DEFAULT '' NOT NULL,
	"knowledge_points" jsonb NOT NULL,
	"difficulty" integer NOT NULL,
	"score" real NOT NULL,
	"locked" boolean DEFAULT false NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "item_versions_item_id_version_pk" PRIMARY KEY("item_id","version")
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subject_code" text NOT NULL,
	"owner_type" text NOT NULL,
	"owner_id" uuid NOT NULL,
	"author_id" uuid,
	"current_version" integer DEFAULT 1 NOT NULL,
	"irt" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "item_versions" ADD CONSTRAINT "item_versions_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_subject_code_subjects_code_fk" FOREIGN KEY ("subject_code") REFERENCES "public"."subjects"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "items_owner_idx" ON "items" USING btree ("owner_type","owner_id");--> statement-breakpoint
CREATE INDEX "items_subject_idx" ON "items" USING btree ("subject_code");--> statement-breakpoint
-- A version that students have answered is frozen: submissions point at it.
CREATE OR REPLACE FUNCTION item_version_refuse_locked_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.locked THEN
    RAISE EXCEPTION 'item % version % was answered and is immutable', OLD.item_id, OLD.version USING ERRCODE = 'check_violation';
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;
--> statement-breakpoint
CREATE TRIGGER item_versions_locked BEFORE UPDATE OR DELETE ON item_versions
  FOR EACH ROW EXECUTE FUNCTION item_version_refuse_locked_change();
