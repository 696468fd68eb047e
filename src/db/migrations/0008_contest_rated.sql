ALTER TABLE "contests" ADD COLUMN "rated" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "contests" ADD COLUMN "ratings_applied_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "rating_history" ADD COLUMN "contest_id" uuid;--> statement-breakpoint
ALTER TABLE "rating_history" ADD CONSTRAINT "rating_history_contest_id_contests_id_fk" FOREIGN KEY ("contest_id") REFERENCES "public"."contests"("id") ON DELETE set null ON UPDATE no action;