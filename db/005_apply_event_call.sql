-- The one-statement path without a result row: `CALL parcours_apply_event_checked(…)` applies the event as
-- `parcours_apply_event` (db/004) does, and raises serialization_failure (SQLSTATE 40001) instead of returning false
-- when the instance is no longer at the expected revision; nothing changes then.
--
-- Why a procedure: a statement that returns no row is answered by CommandComplete alone, and PostgresNIO then
-- completes it without building a row stream (an asynchronous sequence, its storage and a lock): about a tenth of the
-- runtime's CPU per event, for one boolean. A stale revision is the rare case; an error there costs nothing more
-- than the rolled-back implicit transaction that changed nothing.
--
-- SECURITY INVOKER, as the function it calls: row-level security applies as to every other statement.
CREATE PROCEDURE parcours_apply_event_checked(
    p_tenant text, p_instance text, p_expected bigint, p_state text, p_status text, p_outcome text,
    p_context text, p_output text, p_entries integer, p_waits text, p_now timestamptz,
    h_at timestamptz[], h_kind text[], h_event text[], h_from text[], h_to text[], h_actor text[], h_details text[]
)
    LANGUAGE plpgsql SET search_path = public
    AS $$
BEGIN
    IF NOT parcours_apply_event(p_tenant, p_instance, p_expected, p_state, p_status, p_outcome, p_context, p_output,
        p_entries, p_waits, p_now, h_at, h_kind, h_event, h_from, h_to, h_actor, h_details)
    THEN
        RAISE EXCEPTION 'instance % is no longer at revision %', p_instance, p_expected
            USING ERRCODE = 'serialization_failure';
    END IF;
END
$$;

REVOKE ALL ON PROCEDURE parcours_apply_event_checked(text, text, bigint, text, text, text, text, text, integer, text,
    timestamptz, timestamptz[], text[], text[], text[], text[], text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE parcours_apply_event_checked(text, text, bigint, text, text, text, text, text, integer,
    text, timestamptz, timestamptz[], text[], text[], text[], text[], text[], text[]) TO parcours_app;
