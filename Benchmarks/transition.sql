-- The SQL of one Parcours transition, for pgbench: the physical limit `parcours bench` compares the runtime with.
--
-- It is what `Runtime.send` issues for one accepted event of the benchmark process (`bench_signup`: an input
-- state whose `submit` event carries an e-mail, names and an organisation, a `set`, a transition back to the same
-- state) once the runtime holds the instance as it last committed it: one statement in its own implicit
-- transaction, `parcours_apply_event` (db/004_apply_event.sql) — set the tenant, update the instance at the
-- revision read, append the event and the transition to its history (numbered after max(seq)). See
-- Sources/ParcoursRuntime/Runtime/Runtime+ApplyFromCache.swift; the runtime prepares the statement once per
-- connection, as pgbench -M prepared does. (An event whose step calls an action, arms a timer, opens a task, sends
-- mail or starts a sub-process takes the locking path instead: BEGIN, tenant, SELECT … FOR UPDATE, statements,
-- COMMIT. The benchmark's step does none of these.)
--
-- The one difference: the expected revision is NULL (no check), because a pgbench client cannot carry the
-- instance's revision from one transaction to the next; comparing a bigint is not what costs.
--
-- Run as the server role (row-level security on), with
--   pgbench -n -M prepared -c N -j min(N,2) -T SECONDS -D run=R -f Benchmarks/transition.sql DATABASE
-- against a database where `parcours bench` created the instances `pgbench-R-1` … `pgbench-R-N` of tenant `bench`
-- (client k, counted from 0, drives `pgbench-R-(k+1)` alone, as each runtime client drives its own instance).
-- The JSON is built from the client's number so that it is parsed at every execution, as the runtime's bound
-- text is (a constant would be parsed once, when the statement is prepared).

\set id :client_id + 1
SELECT parcours_apply_event('bench', 'pgbench-' || :run::text || '-' || :id::text, NULL, 'form', 'waiting', NULL,
    '{"email": "client' || :id::text || '@example.org", "first_name": "Camille", "last_name": "Martin-Durand", "organisation": "Direction des achats", "submissions": ' || :id::text || '}',
    '{}', :id, '{"timers": []}', now(),
    ARRAY[now(), now()]::timestamptz[], ARRAY['event', 'transition']::text[], ARRAY['submit', 'submit']::text[],
    ARRAY['form', 'form']::text[], ARRAY[NULL, 'form']::text[], ARRAY[NULL, NULL]::text[],
    ARRAY['{"email": "client' || :id::text || '@example.org", "first_name": "Camille", "last_name": "Martin-Durand", "organisation": "Direction des achats"}', '{}']::text[]);
