-- Supabase serves every table in "public" over its Data API to the anon and authenticated roles.
-- Row-level security with no policies denies those roles every row; the app connects as the
-- tables' owner, which RLS does not restrict, so it is unaffected.

ALTER TABLE "Admin" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "FeatureFlag" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "PointConfig" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "EmailTemplate" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "Member" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "Team" ENABLE ROW LEVEL SECURITY;
