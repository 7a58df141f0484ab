DROP INDEX "audit_logs_action_idx";--> statement-breakpoint
CREATE INDEX "audit_logs_action_created_at_user_id_idx" ON "audit_logs" USING btree ("action","created_at","user_id");--> statement-breakpoint
CREATE INDEX "sessions_live_expires_at_idx" ON "sessions" USING btree ("expires_at") WHERE "sessions"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "users_last_login_at_idx" ON "users" USING btree ("last_login_at" NULLS FIRST);