-- The procedure of db/005 runs the event's statements itself instead of calling `parcours_apply_event` (db/004).
--
-- Why: the call was a second PL/pgSQL invocation per event, with its eighteen arguments passed through an
-- expression and its own `SET search_path` (a GUC nesting level set up and torn down at every call), all of it
-- server CPU per transaction that the bare SQL (`Benchmarks/transition.sql`, which calls the function) does not
-- spend. The statements are the function's, with the same order and the same row-level security: the tenant is set
-- before any of them runs. The function stays, for pgbench and for a runtime started before this migration.
--
-- When the instance is no longer at the expected revision, the update changes nothing and the procedure raises
-- serialization_failure (SQLSTATE 40001): its implicit transaction rolls back, and nothing changed.
CREATE OR REPLACE PROCEDURE parcours_apply_event_checked(
    p_tenant text, p_instance text, p_expected bigint, p_state text, p_status text, p_outcome text,
    p_context text, p_output text, p_entries integer, p_waits text, p_now timestamptz,
    h_at timestamptz[], h_kind text[], h_event text[], h_from text[], h_to text[], h_actor text[], h_details text[]
)
    LANGUAGE plpgsql SET search_path = public
    AS $$
BEGIN
    PERFORM set_config('parcours.tenant', p_tenant, true);
    UPDATE instances SET state = p_state, status = p_status, outcome = p_outcome, context = p_context::jsonb,
        output = p_output::jsonb, entries = p_entries, waits = p_waits::jsonb, revision = revision + 1,
        updated_at = p_now
    WHERE tenant_id = p_tenant AND instance_id = p_instance AND revision = p_expected;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'instance % is no longer at revision %', p_instance, p_expected
            USING ERRCODE = 'serialization_failure';
    END IF;
    -- The instance row is locked by the update: nobody else numbers this instance's history meanwhile.
    INSERT INTO history (tenant_id, instance_id, seq, at, kind, event, from_state, to_state, actor, details)
    SELECT p_tenant, p_instance, last.seq + r.ord, r.at, r.kind, r.event, r.from_state, r.to_state, r.actor,
        r.details::jsonb
    FROM (SELECT coalesce(max(seq), 0) AS seq FROM history
          WHERE tenant_id = p_tenant AND instance_id = p_instance) AS last,
        unnest(h_at, h_kind, h_event, h_from, h_to, h_actor, h_details)
            WITH ORDINALITY AS r(at, kind, event, from_state, to_state, actor, details, ord);
END
$$;
