-- Actors, topics and sources are edited by PATCH like the tracked records: a version each, so
-- If-Match can refuse an edit made on a stale copy (412) instead of losing the other writer's.
ALTER TABLE "Actor" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "Topic" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "Source" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
