-- A deadline created with only its condition named (before session 7) belongs to that condition's
-- threat or agreement too, as one created now does: the owner's end reaches it, and the pending
-- view shows the owner's status beside it. Links are not history: nothing else changes.
UPDATE "Deadline"
SET "threatId" = (SELECT c."threatId" FROM "Condition" c WHERE c."id" = "Deadline"."conditionId"),
    "agreementId" = (SELECT c."agreementId" FROM "Condition" c WHERE c."id" = "Deadline"."conditionId")
WHERE "conditionId" IS NOT NULL AND "threatId" IS NULL AND "agreementId" IS NULL;
