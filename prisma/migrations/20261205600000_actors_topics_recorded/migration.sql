-- When the tracker learned of an actor or a topic (issue 9: every answer is as known at knownAt).
-- Rows recorded before this migration, and the seed's, keep NULL: read at every knownAt.
ALTER TABLE "Actor" ADD COLUMN "createdAt" DATETIME;
ALTER TABLE "Topic" ADD COLUMN "createdAt" DATETIME;
