CREATE TABLE "ts_chunks" (
	"project" text NOT NULL,
	"store" text NOT NULL,
	"key" text COLLATE "C" NOT NULL,
	"chunk_index" integer NOT NULL,
	"start_ms" bigint NOT NULL,
	"dtype" text NOT NULL,
	"deleted" boolean NOT NULL,
	"updated_us" bigint NOT NULL,
	"seq" bigint NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "ts_chunks_project_store_key_chunk_index_pk" PRIMARY KEY("project","store","key","chunk_index")
);
--> statement-breakpoint
CREATE TABLE "ts_series" (
	"project" text NOT NULL,
	"store" text NOT NULL,
	"key" text COLLATE "C" NOT NULL,
	"version" integer NOT NULL,
	"count" integer NOT NULL,
	"updated_us" bigint NOT NULL,
	"idx" "bytea" NOT NULL,
	"vals" "bytea" NOT NULL,
	CONSTRAINT "ts_series_project_store_key_version_pk" PRIMARY KEY("project","store","key","version")
);
--> statement-breakpoint
CREATE TABLE "ts_sources" (
	"project" text NOT NULL,
	"store" text NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"protocol" text NOT NULL,
	"token_secret" text,
	"filters" jsonb NOT NULL,
	"every_s" integer NOT NULL,
	"page_size" integer,
	"batch" integer,
	"cursor" text,
	"last_success_ms" bigint,
	"last_error_ms" bigint,
	"last_error" text,
	"failures" integer DEFAULT 0 NOT NULL,
	"next_due_ms" bigint,
	CONSTRAINT "ts_sources_project_store_name_pk" PRIMARY KEY("project","store","name")
);
--> statement-breakpoint
CREATE TABLE "ts_stores" (
	"project" text NOT NULL,
	"store" text NOT NULL,
	"def" text,
	"created_ms" bigint,
	"seq" bigint DEFAULT 0 NOT NULL,
	"last_us" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "ts_stores_project_store_pk" PRIMARY KEY("project","store")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "ts_chunks_seq" ON "ts_chunks" USING btree ("project","store","seq");--> statement-breakpoint
CREATE INDEX "ts_chunks_updated" ON "ts_chunks" USING btree ("project","store","updated_us","key","chunk_index");