CREATE TABLE "hub_approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"product_id" uuid NOT NULL,
	"review_id" uuid NOT NULL,
	"region_ids" jsonb NOT NULL,
	"school_ids" jsonb NOT NULL,
	"grade_bands" jsonb NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"revoked_by" uuid,
	"revoke_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub_calls" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"key_id" uuid NOT NULL,
	"owner_type" text NOT NULL,
	"school_id" uuid,
	"region_path" text NOT NULL,
	"product_id" uuid,
	"model_id" uuid,
	"model_name" text NOT NULL,
	"node_id" uuid,
	"endpoint" text NOT NULL,
	"stream" boolean DEFAULT false NOT NULL,
	"status" integer NOT NULL,
	"outcome" text NOT NULL,
	"error_code" text,
	"prompt_tokens" integer DEFAULT 0 NOT NULL,
	"completion_tokens" integer DEFAULT 0 NOT NULL,
	"usage_estimated" boolean DEFAULT false NOT NULL,
	"cost_micro_fen" bigint DEFAULT 0 NOT NULL,
	"latency_ms" integer NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"guardrails" jsonb NOT NULL,
	"content_enc" text,
	"retain_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "hub_compute_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"requester_id" uuid NOT NULL,
	"scenario" text NOT NULL,
	"needs" text NOT NULL,
	"model_ids" jsonb NOT NULL,
	"starts_on" text NOT NULL,
	"days" integer NOT NULL,
	"monthly_tokens" bigint NOT NULL,
	"rpm" integer NOT NULL,
	"status" text DEFAULT 'submitted' NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_comment" text,
	"quota_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"owner_type" text NOT NULL,
	"owner_id" uuid,
	"region_path" text NOT NULL,
	"module" text,
	"product_id" uuid,
	"grade_band" text NOT NULL,
	"models" jsonb,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub_lexicon" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"term" text NOT NULL,
	"category" text NOT NULL,
	"action" text NOT NULL,
	"grade_bands" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub_models" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"vendor" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"prompt_price" integer DEFAULT 0 NOT NULL,
	"completion_price" integer DEFAULT 0 NOT NULL,
	"context_tokens" integer DEFAULT 8192 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub_node_models" (
	"node_id" uuid NOT NULL,
	"model_id" uuid NOT NULL,
	"upstream_model" text NOT NULL,
	CONSTRAINT "hub_node_models_node_id_model_id_pk" PRIMARY KEY("node_id","model_id")
);
--> statement-breakpoint
CREATE TABLE "hub_nodes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"tier" text NOT NULL,
	"base_url" text NOT NULL,
	"credential_enc" "bytea",
	"weight" integer DEFAULT 1 NOT NULL,
	"max_concurrency" integer DEFAULT 16 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"status" text DEFAULT 'unknown' NOT NULL,
	"last_check_at" timestamp with time zone,
	"last_error" text,
	"latency_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub_policies" (
	"grade_band" text PRIMARY KEY NOT NULL,
	"mask_pii" boolean DEFAULT true NOT NULL,
	"restore_pii" boolean DEFAULT true NOT NULL,
	"scan_input" boolean DEFAULT true NOT NULL,
	"scan_output" boolean DEFAULT true NOT NULL,
	"retention_days" integer DEFAULT 180 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub_products" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"model_id" uuid,
	"vendor" text NOT NULL,
	"purpose" text NOT NULL,
	"data_touched" jsonb NOT NULL,
	"grade_bands" jsonb NOT NULL,
	"evidence" text DEFAULT '' NOT NULL,
	"status" text NOT NULL,
	"registered_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub_quotas" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"period" text NOT NULL,
	"token_limit" bigint,
	"rpm" integer,
	"request_id" uuid,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub_reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"product_id" uuid NOT NULL,
	"reviewer_id" uuid NOT NULL,
	"decision" text NOT NULL,
	"checklist" jsonb NOT NULL,
	"comment" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "hub_approvals" ADD CONSTRAINT "hub_approvals_product_id_hub_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."hub_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_keys" ADD CONSTRAINT "hub_keys_product_id_hub_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."hub_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_node_models" ADD CONSTRAINT "hub_node_models_node_id_hub_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."hub_nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_node_models" ADD CONSTRAINT "hub_node_models_model_id_hub_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."hub_models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_products" ADD CONSTRAINT "hub_products_model_id_hub_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."hub_models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_reviews" ADD CONSTRAINT "hub_reviews_product_id_hub_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."hub_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hub_approvals_product_idx" ON "hub_approvals" USING btree ("product_id");--> statement-breakpoint
CREATE INDEX "hub_calls_at_idx" ON "hub_calls" USING btree ("at");--> statement-breakpoint
CREATE INDEX "hub_calls_school_idx" ON "hub_calls" USING btree ("school_id","at");--> statement-breakpoint
CREATE INDEX "hub_calls_key_idx" ON "hub_calls" USING btree ("key_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "hub_keys_hash_uq" ON "hub_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "hub_lexicon_term_idx" ON "hub_lexicon" USING btree ("term");--> statement-breakpoint
CREATE UNIQUE INDEX "hub_models_name_uq" ON "hub_models" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "hub_nodes_name_uq" ON "hub_nodes" USING btree ("name");--> statement-breakpoint
CREATE INDEX "hub_quotas_subject_idx" ON "hub_quotas" USING btree ("subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "hub_reviews_product_idx" ON "hub_reviews" USING btree ("product_id");