-- The SQL of one Parcours transition, for pgbench: the physical limit `parcours bench` compares the runtime with.
--
-- It is what `Runtime.send` issues for one accepted event of the benchmark process (`bench_signup`: an input
-- state whose `submit` event carries an e-mail, names and an organisation, a `set`, a transition back to the same
-- state) once the runtime holds the instance as it last committed it: one statement in its own implicit
-- transaction, `CALL parcours_apply_event_checked` (db/005_apply_event_call.sql), a procedure that runs the
-- statements of `parcours_apply_event` (db/004_apply_event.sql; in its own body since db/006) — set the tenant,
-- update the instance at the revision read, append the event and the transition to its history (numbered after
-- max(seq)) — and raises an error instead of returning false. This script calls the function: a CALL plans its arguments again at every execution, and this
-- script's arguments are expressions (the JSON built from the client's number), where the runtime binds plain
-- values; measured, the CALL made pgbench's side about 15 % slower. The bare-SQL limit is the faster form. See
-- Sources/ParcoursRuntime/Runtime/Runtime+ApplyFromCache.swift; the runtime prepares the statement once per
-- connection, as pgbench -M prepared does. (An event whose step calls an action, arms a timer, opens a task, sends
-- mail or starts a sub-process takes the locking path instead: BEGIN, tenant, SELECT … FOR UPDATE, statements,
-- COMMIT. The benchmark's step does none of these.)
--
-- The other difference: the expected revision is NULL (no check), because a pgbench client cannot carry the
-- instance's revision from one transaction to the next; comparing a bigint is not what costs.
--
-- Run as the server role (row-level security on), with
--   pgbench -n -M prepared -c N -j min(N,2) -T SECONDS -D run=R -D state=form … -f Benchmarks/transition.sql DATABASE
-- against a database where `parcours bench` created one instance per pgbench client, copies of a runtime instance of
-- tenant `bench`: client k (counted from 0) drives `00000000-0000-4000-8000-RRRRRKKKKKKK` alone (R and k + 1 padded
-- with zeros), as each runtime client drives its own instance.
--
-- The rows written are the runtime's, byte for byte in size, so that both sides write as much WAL (`parcours bench`
-- prints it per transaction for each): the instance id is as long as the runtime's UUIDs (it is in both history rows
-- and their index entries); the e-mail carries a number that changes at every transaction and the context's counter
-- changes too, as the runtime's do (an update's WAL record holds only the bytes that changed). The JSON is built at
-- every execution, as the runtime's bound text is parsed at every execution (a constant would be parsed once, when
-- the statement is prepared).
--
-- For the same reason, what the runtime binds as parameters is bound here too, from variables `parcours bench`
-- defines with -D (pgbench cannot build a text in a script): the state, status, output and waits, and the history's
-- arrays. Written as constants, PostgreSQL parsed them once, at PREPARE, while the runtime's server receives all
-- eighteen values at every execution. They come here as text (the runtime sends the arrays and the numbers in
-- binary, which the server reads a little faster). The update's time stays now(): a constant time would leave the
-- instance's `updated_at` unchanged from one update to the next, and its WAL record shorter than the runtime's.
-- The variables, as `parcours bench` passes them (BenchCommand.pgbenchVariables):
--   state=form status=waiting output={} waits={"timers":[]} ats={"2026-12-05 00:00:00+00","2026-12-05 00:00:00+00"}
--   kinds={event,transition} events={submit,submit} froms={form,form} tos={NULL,form} actors={NULL,NULL}

\set id :client_id + 1
\set n random(10000, 99999)
SELECT parcours_apply_event('bench', '00000000-0000-4000-8000-' || lpad(:run::text, 5, '0') || lpad(:id::text, 7, '0'),
    NULL, :state, :status, NULL,
    '{"email": "client' || :client_id::text || '+' || :n::text || '@example.org", "first_name": "Camille", "last_name": "Martin-Durand", "organisation": "Direction des achats", "submissions": ' || :n::text || '}',
    :output, :id, :waits, now(),
    :ats, :kinds, :events, :froms, :tos, :actors,
    ARRAY['{"email": "client' || :client_id::text || '+' || :n::text || '@example.org", "first_name": "Camille", "last_name": "Martin-Durand", "organisation": "Direction des achats"}', '{}']::text[]);
