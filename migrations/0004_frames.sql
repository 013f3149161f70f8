CREATE TABLE "fr_blobs" (
	"project" text NOT NULL,
	"collection" text COLLATE "C" NOT NULL,
	"item" text COLLATE "C" NOT NULL,
	"segment" text NOT NULL,
	"ordinal" integer NOT NULL,
	"bytes" "bytea" NOT NULL,
	CONSTRAINT "fr_blobs_project_collection_item_segment_ordinal_pk" PRIMARY KEY("project","collection","item","segment","ordinal")
);
--> statement-breakpoint
CREATE TABLE "fr_collections" (
	"project" text NOT NULL,
	"collection" text COLLATE "C" NOT NULL,
	"created_ms" bigint NOT NULL,
	"rules" jsonb NOT NULL,
	"metadata" jsonb NOT NULL,
	CONSTRAINT "fr_collections_project_collection_pk" PRIMARY KEY("project","collection")
);
--> statement-breakpoint
CREATE TABLE "fr_items" (
	"project" text NOT NULL,
	"collection" text COLLATE "C" NOT NULL,
	"name" text COLLATE "C" NOT NULL,
	"latest" integer,
	"next_version" integer NOT NULL,
	"strategy" text NOT NULL,
	"metadata" jsonb NOT NULL,
	"updated_ms" bigint NOT NULL,
	CONSTRAINT "fr_items_project_collection_name_pk" PRIMARY KEY("project","collection","name")
);
--> statement-breakpoint
CREATE TABLE "fr_segments" (
	"project" text NOT NULL,
	"collection" text COLLATE "C" NOT NULL,
	"item" text COLLATE "C" NOT NULL,
	"id" text NOT NULL,
	"record" jsonb NOT NULL,
	"staged_ms" bigint,
	CONSTRAINT "fr_segments_project_collection_item_id_pk" PRIMARY KEY("project","collection","item","id")
);
--> statement-breakpoint
CREATE TABLE "fr_snapshot_versions" (
	"project" text NOT NULL,
	"collection" text COLLATE "C" NOT NULL,
	"item" text COLLATE "C" NOT NULL,
	"version" integer NOT NULL,
	"snapshot" text COLLATE "C" NOT NULL,
	CONSTRAINT "fr_snapshot_versions_pk" PRIMARY KEY("project","collection","item","version","snapshot")
);
--> statement-breakpoint
CREATE TABLE "fr_snapshots" (
	"project" text NOT NULL,
	"collection" text COLLATE "C" NOT NULL,
	"name" text COLLATE "C" NOT NULL,
	"created_ms" bigint NOT NULL,
	"metadata" jsonb NOT NULL,
	CONSTRAINT "fr_snapshots_project_collection_name_pk" PRIMARY KEY("project","collection","name")
);
--> statement-breakpoint
CREATE TABLE "fr_version_segments" (
	"project" text NOT NULL,
	"collection" text COLLATE "C" NOT NULL,
	"item" text COLLATE "C" NOT NULL,
	"version" integer NOT NULL,
	"ord" integer NOT NULL,
	"segment" text NOT NULL,
	CONSTRAINT "fr_version_segments_project_collection_item_version_ord_pk" PRIMARY KEY("project","collection","item","version","ord")
);
--> statement-breakpoint
CREATE TABLE "fr_versions" (
	"project" text NOT NULL,
	"collection" text COLLATE "C" NOT NULL,
	"item" text COLLATE "C" NOT NULL,
	"version" integer NOT NULL,
	"created_ms" bigint NOT NULL,
	"op" text NOT NULL,
	"rows" bigint NOT NULL,
	"schema" jsonb NOT NULL,
	"zone" text,
	"metadata" jsonb NOT NULL,
	"pruned" boolean DEFAULT false NOT NULL,
	CONSTRAINT "fr_versions_project_collection_item_version_pk" PRIMARY KEY("project","collection","item","version")
);
--> statement-breakpoint
ALTER TABLE "fr_blobs" ADD CONSTRAINT "fr_blobs_segment_fk" FOREIGN KEY ("project","collection","item","segment") REFERENCES "public"."fr_segments"("project","collection","item","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fr_items" ADD CONSTRAINT "fr_items_collection_fk" FOREIGN KEY ("project","collection") REFERENCES "public"."fr_collections"("project","collection") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fr_segments" ADD CONSTRAINT "fr_segments_collection_fk" FOREIGN KEY ("project","collection") REFERENCES "public"."fr_collections"("project","collection") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fr_snapshot_versions" ADD CONSTRAINT "fr_snapshot_versions_version_fk" FOREIGN KEY ("project","collection","item","version") REFERENCES "public"."fr_versions"("project","collection","item","version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fr_snapshots" ADD CONSTRAINT "fr_snapshots_collection_fk" FOREIGN KEY ("project","collection") REFERENCES "public"."fr_collections"("project","collection") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fr_version_segments" ADD CONSTRAINT "fr_version_segments_version_fk" FOREIGN KEY ("project","collection","item","version") REFERENCES "public"."fr_versions"("project","collection","item","version") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fr_versions" ADD CONSTRAINT "fr_versions_item_fk" FOREIGN KEY ("project","collection","item") REFERENCES "public"."fr_items"("project","collection","name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "fr_items_metadata" ON "fr_items" USING gin ("metadata" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "fr_segments_staged" ON "fr_segments" USING btree ("project","collection","staged_ms") WHERE "fr_segments"."staged_ms" IS NOT NULL;