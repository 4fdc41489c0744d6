-- A report's body (kept verbatim, ~0.5 MB for 1,000 findings) is compressed with LZ4 instead of
-- PostgreSQL's default pglz, which was an eighth of the database's time during imports. A server
-- built without LZ4 keeps pglz: the statement is skipped, not failed. (SQLite stores text as is.)
DO $$
BEGIN
    ALTER TABLE reports ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'LZ4 not available; report bodies stay pglz-compressed';
END
$$;
