-- Findings are written only by the report import, in the same transaction as their report row and with
-- the computer id it has just read from the register; reports and computers are never deleted. The two
-- foreign keys therefore never caught anything, but PostgreSQL checked them row by row (an SPI query with
-- FOR KEY SHARE per key per finding): 18 % of all CPU during an import of 1,000-finding reports
-- (`perf record -a`, see BENCHMARKS.md). SQLite keeps them: its checks are cheap, and dropping one there
-- means rebuilding the table.
ALTER TABLE findings DROP CONSTRAINT IF EXISTS findings_report_row_fkey;
ALTER TABLE findings DROP CONSTRAINT IF EXISTS findings_computer_id_fkey;
-- The list's filters on these columns are equalities, never ranges or sorts: compare them byte by byte
-- (collation "C") instead of by the database's locale rules, in every index insert of every finding.
ALTER TABLE findings ALTER COLUMN rule TYPE TEXT COLLATE "C";
ALTER TABLE findings ALTER COLUMN severity TYPE TEXT COLLATE "C";
ALTER TABLE findings ALTER COLUMN level TYPE TEXT COLLATE "C";
ALTER TABLE findings ALTER COLUMN zone TYPE TEXT COLLATE "C";
