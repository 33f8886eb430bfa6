-- The SQL of one Parcours transition, for pgbench: the physical limit `parcours bench` compares the runtime with.
--
-- It reproduces what `Runtime.send` does for one accepted event of the benchmark process (`bench_signup`: an
-- input state whose `submit` event carries an e-mail, names and an organisation, a `set`, a transition back to
-- the same state), statement for statement (Sources/ParcoursRuntime/Runtime/Runtime+Instances.swift):
--
--   Runtime.inTenant        BEGIN; set_config('parcours.tenant', …, true)
--   Runtime.load            SELECT … FROM instances WHERE instance_id = $1 FOR UPDATE
--   Runtime.definition      (left out: the parsed definition is cached in the runtime per tenant, process and
--                            version, so after the first event no query is made)
--   Runtime.save            UPDATE instances SET state, status, outcome, context, output, entries, waits, …
--   HistoryWriter.write     SELECT coalesce(max(seq), 0) + 1 FROM history …; INSERT INTO history × 2 (the event
--                           and the transition)
--   (transaction end)       COMMIT
--
-- Not reproduced: what `send` reads back to return the instance's view after the transition (`Runtime.view`: the
-- instance row again and `parcours_current_tenant()`, 2 more statements in the same transaction). See
-- Benchmarks/README.md.
--
-- Run as the server role (row-level security on), with
--   pgbench -n -M prepared -c N -j min(N,2) -T SECONDS -D run=R -f Benchmarks/transition.sql DATABASE
-- against a database where `parcours bench` created the instances `pgbench-R-1` … `pgbench-R-N` of tenant `bench`
-- (client k, counted from 0, drives `pgbench-R-(k+1)` alone, as each runtime client drives its own instance).
-- The JSON is built from the client's number so that it is parsed at every execution, as the runtime's bound
-- text is (a constant would be parsed once, when the statement is prepared).

\set id :client_id + 1
BEGIN;
SELECT set_config('parcours.tenant', 'bench', true);
SELECT process, version, state, outcome, context::text, settings::text, output::text, entries, waits::text,
       parent_id, revision, started_at
FROM instances WHERE instance_id = 'pgbench-' || :run::text || '-' || :id::text FOR UPDATE;
UPDATE instances SET state = 'form', status = 'waiting', outcome = NULL,
    context = ('{"email": "client' || :id::text || '@example.org", "first_name": "Camille", "last_name": "Martin-Durand", "organisation": "Direction des achats", "submissions": ' || :id::text || '}')::jsonb,
    output = '{}'::jsonb, entries = entries + 1, waits = '{}'::jsonb, revision = revision + 1,
    updated_at = now()
WHERE instance_id = 'pgbench-' || :run::text || '-' || :id::text;
SELECT coalesce(max(seq), 0) + 1 AS seq FROM history
WHERE instance_id = 'pgbench-' || :run::text || '-' || :id::text \gset
\set next :seq + 1
INSERT INTO history (tenant_id, instance_id, seq, at, kind, event, from_state, to_state, actor, details)
VALUES ('bench', 'pgbench-' || :run::text || '-' || :id::text, :seq, now(), 'event', 'submit', 'form', NULL, NULL,
    ('{"email": "client' || :id::text || '@example.org", "first_name": "Camille", "last_name": "Martin-Durand", "organisation": "Direction des achats"}')::jsonb);
INSERT INTO history (tenant_id, instance_id, seq, at, kind, event, from_state, to_state, actor, details)
VALUES ('bench', 'pgbench-' || :run::text || '-' || :id::text, :next, now(), 'transition', 'submit', 'form', 'form',
    NULL, '{}'::jsonb);
COMMIT;
