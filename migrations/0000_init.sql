CREATE TABLE "changes" (
	"project" text NOT NULL,
	"id" text NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "changes_project_id_pk" PRIMARY KEY("project","id")
);
--> statement-breakpoint
CREATE TABLE "entities" (
	"project" text NOT NULL,
	"id" text NOT NULL,
	"tags" jsonb NOT NULL,
	"mod" bigint NOT NULL,
	CONSTRAINT "entities_project_id_pk" PRIMARY KEY("project","id")
);
--> statement-breakpoint
CREATE TABLE "his_points" (
	"pid" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "his_points_pid_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"project" text NOT NULL,
	"id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "history" (
	"pid" integer NOT NULL,
	"ts" timestamp(3) with time zone NOT NULL,
	"kind" smallint NOT NULL,
	"num" double precision,
	"unit" text,
	"bool" boolean,
	"str" text,
	CONSTRAINT "history_pid_ts_pk" PRIMARY KEY("pid","ts")
);
--> statement-breakpoint
CREATE TABLE "point_arrays" (
	"project" text NOT NULL,
	"id" text NOT NULL,
	"levels" jsonb NOT NULL,
	"next_expiry" bigint,
	CONSTRAINT "point_arrays_project_id_pk" PRIMARY KEY("project","id")
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"project" text PRIMARY KEY NOT NULL,
	"seq" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX "entities_tags" ON "entities" USING gin ("tags");--> statement-breakpoint
CREATE UNIQUE INDEX "his_points_key" ON "his_points" USING btree ("project","id");--> statement-breakpoint
CREATE INDEX "point_arrays_expiry" ON "point_arrays" USING btree ("next_expiry") WHERE "point_arrays"."next_expiry" IS NOT NULL;