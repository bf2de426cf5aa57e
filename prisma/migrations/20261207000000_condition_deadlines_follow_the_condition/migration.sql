-- A condition's deadline belongs to the condition's threat or agreement (the API has required it
-- since session 7, and migration 20261203300000 filled those written before). The seed loader
-- wrote what a seed file named until session 13: a deadline named with its condition only had no
-- threat, and one naming another threat kept it. A threat's page takes a condition's deadlines
-- from the threat's own list (decision 035), so each gets its condition's owner here, as the API
-- would have given it. Links are not history: nothing else changes.
UPDATE "Deadline"
SET "threatId" = (SELECT c."threatId" FROM "Condition" c WHERE c."id" = "Deadline"."conditionId"),
    "agreementId" = (SELECT c."agreementId" FROM "Condition" c WHERE c."id" = "Deadline"."conditionId")
WHERE "conditionId" IS NOT NULL
  AND EXISTS (
    SELECT 1 FROM "Condition" c
    WHERE c."id" = "Deadline"."conditionId"
      AND (c."threatId" IS NOT "Deadline"."threatId" OR c."agreementId" IS NOT "Deadline"."agreementId")
  );
