-- The exporter's own PostgreSQL role (README, "The monitoring role"): pg_monitor, and SELECT on
-- Document Server's two tables, nothing more. Run by postgres-users on every `up`, harmlessly:
-- psql -v password=... -f exporter-role.sql, as Document Server's database owner.
SET client_min_messages = warning;  -- "already a member" on every run after the first
SELECT 'CREATE ROLE exporter LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'exporter') \gexec
SELECT format('ALTER ROLE exporter PASSWORD %L', :'password') \gexec
GRANT pg_monitor TO exporter;
-- Document Server creates its tables on its first start, possibly after this has run: tables
-- its owner creates later get SELECT too, and the two get it now where they exist.
ALTER DEFAULT PRIVILEGES FOR ROLE onlyoffice IN SCHEMA public GRANT SELECT ON TABLES TO exporter;
SELECT format('GRANT SELECT ON %I TO exporter', relname) FROM pg_class
WHERE relname IN ('task_result', 'doc_changes') AND relkind = 'r' \gexec
