-- The SQL of one Parcours transition, for pgbench: the physical limit `parcours bench` compares the runtime with.
--
-- It reproduces what `Runtime.send` does for one accepted event of the benchmark process (`bench_signup`: an
-- input state whose `submit` event carries an e-mail, names and an organisation, a `set`, a transition back to
-- the same state), statement for statement (Sources/ParcoursRuntime/Runtime/Runtime.swift, Runtime+Instances.swift
-- and Statements.swift; the runtime prepares every one of them once per connection, as pgbench -M prepared does):
--
--   Runtime.inTenant        BEGIN; SELECT set_config('parcours.tenant', …, true)
--   Runtime.load            SELECT … FROM instances WHERE instance_id = $1 FOR UPDATE
--   Runtime.definition      (no query: the parsed definition is cached in the runtime per tenant, process and
--                            version)
--   Runtime.save            one statement: WITH saved AS (UPDATE instances SET state, status, outcome, context,
--                           output, entries, waits, … RETURNING …) INSERT INTO history … the event and the transition,
--                           bound as arrays and numbered after the instance's last history row (max(seq) in the
--                           same statement)
--   (transaction end)       COMMIT
--
-- Nothing else: `send` builds the instance's view from the state it has just written (no read back), and NOTIFY is
-- sent only when timers or mail were written (none here). See Benchmarks/README.md.
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
WITH saved AS (
    UPDATE instances SET state = 'form', status = 'waiting', outcome = NULL,
        context = ('{"email": "client' || :id::text || '@example.org", "first_name": "Camille", "last_name": "Martin-Durand", "organisation": "Direction des achats", "submissions": ' || :id::text || '}')::jsonb,
        output = '{}'::jsonb, entries = :id, waits = '{"timers": []}'::jsonb, revision = revision + 1,
        updated_at = now()
    WHERE tenant_id = 'bench' AND instance_id = 'pgbench-' || :run::text || '-' || :id::text
    RETURNING tenant_id, instance_id)
INSERT INTO history (tenant_id, instance_id, seq, at, kind, event, from_state, to_state, actor, details)
SELECT saved.tenant_id, saved.instance_id, last.seq + r.ord, r.at, r.kind, r.event, r.from_state, r.to_state,
    r.actor, r.details::jsonb
FROM saved,
    (SELECT coalesce(max(seq), 0) AS seq FROM history
     WHERE tenant_id = 'bench' AND instance_id = 'pgbench-' || :run::text || '-' || :id::text) AS last,
    unnest(ARRAY[now(), now()]::timestamptz[], ARRAY['event', 'transition']::text[], ARRAY['submit', 'submit']::text[],
        ARRAY['form', 'form']::text[], ARRAY[NULL, 'form']::text[], ARRAY[NULL, NULL]::text[],
        ARRAY['{"email": "client' || :id::text || '@example.org", "first_name": "Camille", "last_name": "Martin-Durand", "organisation": "Direction des achats"}', '{}']::text[])
        WITH ORDINALITY AS r(at, kind, event, from_state, to_state, actor, details, ord);
COMMIT;
