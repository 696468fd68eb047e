CREATE TABLE "problem_files" (
	"problem_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"path" varchar(1000) NOT NULL,
	"content" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "problems" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" varchar(100) NOT NULL,
	"title" varchar(300) NOT NULL,
	"difficulty" varchar(10) DEFAULT 'medium' NOT NULL,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"type" varchar(20) DEFAULT 'pass-fail' NOT NULL,
	"interactive" boolean DEFAULT false NOT NULL,
	"published" boolean DEFAULT false NOT NULL,
	"author_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"statements" jsonb NOT NULL,
	"limits" jsonb NOT NULL,
	"model" jsonb NOT NULL,
	"public_tests" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"max_score" double precision DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "problems_difficulty" CHECK ("problems"."difficulty" in ('easy', 'medium', 'hard')),
	CONSTRAINT "problems_type" CHECK ("problems"."type" in ('pass-fail', 'scoring'))
);
--> statement-breakpoint
CREATE TABLE "submission_group_scores" (
	"submission_id" uuid NOT NULL,
	"problem_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"group_name" varchar(300) NOT NULL,
	"score" double precision NOT NULL
);
--> statement-breakpoint
CREATE TABLE "submissions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"problem_id" uuid NOT NULL,
	"problem_version" integer NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" varchar(10) DEFAULT 'submission' NOT NULL,
	"language" varchar(50) NOT NULL,
	"source" jsonb NOT NULL,
	"status" varchar(20) DEFAULT 'queued' NOT NULL,
	"verdict" varchar(5),
	"score" double precision DEFAULT 0 NOT NULL,
	"max_score" double precision DEFAULT 0 NOT NULL,
	"cpu_ms" integer,
	"memory_kb" bigint,
	"tests_done" integer DEFAULT 0 NOT NULL,
	"tests_total" integer DEFAULT 0 NOT NULL,
	"result" jsonb,
	"verify_program" varchar(500),
	"queue_owner" varchar(200),
	"attempts" integer DEFAULT 0 NOT NULL,
	"worker_id" varchar(100),
	"lease_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"judged_at" timestamp with time zone,
	CONSTRAINT "submissions_kind" CHECK ("submissions"."kind" in ('submission', 'run', 'verify')),
	CONSTRAINT "submissions_status" CHECK ("submissions"."status" in ('queued', 'compiling', 'running', 'cancelled', 'done'))
);
--> statement-breakpoint
ALTER TABLE "problem_files" ADD CONSTRAINT "problem_files_problem_id_problems_id_fk" FOREIGN KEY ("problem_id") REFERENCES "public"."problems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "problems" ADD CONSTRAINT "problems_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submission_group_scores" ADD CONSTRAINT "submission_group_scores_submission_id_submissions_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submissions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_problem_id_problems_id_fk" FOREIGN KEY ("problem_id") REFERENCES "public"."problems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "problem_files_pk" ON "problem_files" USING btree ("problem_id","version","path");--> statement-breakpoint
CREATE UNIQUE INDEX "problems_slug" ON "problems" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "problems_published" ON "problems" USING btree ("published","created_at");--> statement-breakpoint
CREATE INDEX "problems_difficulty_idx" ON "problems" USING btree ("difficulty");--> statement-breakpoint
CREATE INDEX "problems_author" ON "problems" USING btree ("author_id");--> statement-breakpoint
CREATE UNIQUE INDEX "submission_group_scores_pk" ON "submission_group_scores" USING btree ("submission_id","group_name");--> statement-breakpoint
CREATE INDEX "submission_group_scores_user_problem" ON "submission_group_scores" USING btree ("user_id","problem_id");--> statement-breakpoint
CREATE INDEX "submissions_problem_created" ON "submissions" USING btree ("problem_id","created_at");--> statement-breakpoint
CREATE INDEX "submissions_user_created" ON "submissions" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "submissions_user_problem" ON "submissions" USING btree ("user_id","problem_id");--> statement-breakpoint
CREATE INDEX "submissions_status" ON "submissions" USING btree ("status");--> statement-breakpoint
CREATE INDEX "submissions_created" ON "submissions" USING btree ("created_at");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_role" CHECK ("users"."role" in ('user', 'author', 'admin'));