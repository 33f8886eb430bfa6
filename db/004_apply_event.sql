-- One event applied in one statement: the runtime's path for an event whose step only moves the instance (no
-- action, timer, task, mail or sub-process), when the runtime already holds the instance's current revision.
--
-- The runtime interprets the event against the instance as it last stored it, then calls this function alone, in
-- its own implicit transaction (one round trip). The update applies only if the instance is still at the revision
-- the runtime read (`p_expected`): otherwise nothing changes, the function returns false, and the runtime applies
-- the event the usual way (BEGIN, lock, interpret, save, COMMIT). A concurrent writer holds the row lock until it
-- commits; this update waits for it, then sees the new revision and does nothing.
--
-- SECURITY INVOKER: the caller's row-level security applies, keyed on the tenant this function sets before any
-- statement of its body runs (PL/pgSQL runs them in order, each with the setting already in place).
CREATE FUNCTION parcours_apply_event(
    p_tenant text, p_instance text, p_expected bigint, p_state text, p_status text, p_outcome text,
    p_context text, p_output text, p_entries integer, p_waits text, p_now timestamptz,
    h_at timestamptz[], h_kind text[], h_event text[], h_from text[], h_to text[], h_actor text[], h_details text[]
) RETURNS boolean
    LANGUAGE plpgsql SET search_path = public
    AS $$
BEGIN
    PERFORM set_config('parcours.tenant', p_tenant, true);
    UPDATE instances SET state = p_state, status = p_status, outcome = p_outcome, context = p_context::jsonb,
        output = p_output::jsonb, entries = p_entries, waits = p_waits::jsonb, revision = revision + 1,
        updated_at = p_now
    WHERE tenant_id = p_tenant AND instance_id = p_instance
        -- NULL only from Benchmarks/transition.sql, whose pgbench clients cannot carry a revision along.
        AND (p_expected IS NULL OR revision = p_expected);
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    -- The instance row is locked by the update: nobody else numbers this instance's history meanwhile.
    INSERT INTO history (tenant_id, instance_id, seq, at, kind, event, from_state, to_state, actor, details)
    SELECT p_tenant, p_instance, last.seq + r.ord, r.at, r.kind, r.event, r.from_state, r.to_state, r.actor,
        r.details::jsonb
    FROM (SELECT coalesce(max(seq), 0) AS seq FROM history
          WHERE tenant_id = p_tenant AND instance_id = p_instance) AS last,
        unnest(h_at, h_kind, h_event, h_from, h_to, h_actor, h_details)
            WITH ORDINALITY AS r(at, kind, event, from_state, to_state, actor, details, ord);
    RETURN true;
END
$$;

REVOKE ALL ON FUNCTION parcours_apply_event(text, text, bigint, text, text, text, text, text, integer, text,
    timestamptz, timestamptz[], text[], text[], text[], text[], text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parcours_apply_event(text, text, bigint, text, text, text, text, text, integer, text,
    timestamptz, timestamptz[], text[], text[], text[], text[], text[], text[]) TO parcours_app;
