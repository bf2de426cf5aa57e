-- A deadline whose leaving entry took effect after it was recorded (up to a minute ahead was
-- once counted as exact) keeps "pending" as its cached status until then, so its bounds are not
-- exact: readers must evaluate its history. Its exact bounds are also a valid hull (decision 013).
UPDATE "Deadline" SET "pendingInexact" = 1
WHERE "pendingInexact" = 0 AND "pendingUntil" IS NOT NULL AND "pendingUntil" > "pendingUntilKnownAt";
