-- Parcours engine schema: tenants, deployed definitions, instances, history, tasks, timers, outbox, idempotency.
--
-- Every tenant-owned row carries its tenant as the first column of its primary key, and row-level security keyed on
-- the per-transaction setting `parcours.tenant` makes a query that forgets its tenant see and change nothing.
-- The application connects as a member of `parcours_app`, which neither owns these tables nor bypasses RLS; the
-- role that runs the migrations owns them.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parcours_app') THEN
        CREATE ROLE parcours_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
END
$$;

-- The tenant of the current transaction, or NULL (which matches no row) when none was set.
CREATE FUNCTION parcours_current_tenant() RETURNS text
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('parcours.tenant', true), '') $$;

CREATE TABLE tenants (
    tenant_id      text PRIMARY KEY CHECK (tenant_id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    name           text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- Tenant administrators' keys: only a SHA-256 of the key is kept.
CREATE TABLE tenant_keys (
    tenant_id      text NOT NULL REFERENCES tenants,
    key_id         text NOT NULL,
    key_hash       text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    PRIMARY KEY (tenant_id, key_id)
);

CREATE TABLE definitions (
    tenant_id      text NOT NULL REFERENCES tenants,
    process        text NOT NULL,
    version        integer NOT NULL CHECK (version > 0),
    source         text NOT NULL,
    sha256         text NOT NULL,
    file           text NOT NULL,
    deployed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, process, version),
    UNIQUE (tenant_id, process, sha256)
);

-- A tenant's overrides of a process's settings (its variant).
CREATE TABLE tenant_settings (
    tenant_id      text NOT NULL REFERENCES tenants,
    process        text NOT NULL,
    settings       jsonb NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, process)
);

CREATE TABLE instances (
    tenant_id      text NOT NULL REFERENCES tenants,
    instance_id    text NOT NULL,
    process        text NOT NULL,
    version        integer NOT NULL,
    state          text NOT NULL,
    status         text NOT NULL CHECK (status IN ('waiting', 'finished')),
    outcome        text,
    context        jsonb NOT NULL,
    settings       jsonb NOT NULL,
    output         jsonb NOT NULL DEFAULT '{}',
    entries        integer NOT NULL,
    -- What the instance waits on besides events: its armed timers, its open task, its sub-process.
    waits          jsonb NOT NULL DEFAULT '{}',
    parent_id      text,
    revision       bigint NOT NULL DEFAULT 1,
    started_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, instance_id),
    FOREIGN KEY (tenant_id, process, version) REFERENCES definitions
);
CREATE INDEX instances_by_process ON instances (tenant_id, process, status);

-- Append-only: one row per transition, decision and task operation. Payloads are redacted before they get here.
CREATE TABLE history (
    tenant_id      text NOT NULL,
    instance_id    text NOT NULL,
    seq            bigint NOT NULL,
    at             timestamptz NOT NULL,
    kind           text NOT NULL,
    event          text,
    from_state     text,
    to_state       text,
    actor          text,
    details        jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, instance_id, seq),
    FOREIGN KEY (tenant_id, instance_id) REFERENCES instances
);

CREATE TABLE tasks (
    tenant_id      text NOT NULL,
    task_id        text NOT NULL,
    instance_id    text NOT NULL,
    state          text NOT NULL,
    title          text NOT NULL,
    description    text,
    structure_id   text,
    candidates     text[] NOT NULL,
    requester      text,
    outcomes       jsonb NOT NULL,
    status         text NOT NULL CHECK (status IN ('open', 'decided', 'closed')),
    outcome        text,
    comment        text,
    decided_by     text,
    decided_at     timestamptz,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, task_id),
    FOREIGN KEY (tenant_id, instance_id) REFERENCES instances
);
CREATE INDEX tasks_by_candidate ON tasks USING gin (candidates) WHERE status = 'open';
CREATE INDEX tasks_by_status ON tasks (tenant_id, status, created_at);

CREATE TABLE timers (
    tenant_id      text NOT NULL,
    timer_id       text NOT NULL,
    instance_id    text NOT NULL,
    due_at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, timer_id),
    FOREIGN KEY (tenant_id, instance_id) REFERENCES instances
);
CREATE INDEX timers_due ON timers (due_at);

-- Notifications written in the same transaction as the transition that sends them. Secret params are encrypted.
CREATE TABLE outbox (
    tenant_id      text NOT NULL,
    message_id     text NOT NULL,
    instance_id    text NOT NULL,
    process        text NOT NULL,
    version        integer NOT NULL,
    template       text NOT NULL,
    recipients     text[] NOT NULL,
    language       text NOT NULL,
    params         jsonb NOT NULL,
    sealed_params  text,
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts       integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error     text,
    created_at     timestamptz NOT NULL,
    sent_at        timestamptz,
    PRIMARY KEY (tenant_id, message_id)
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE status = 'pending';

-- A replayed write (same key) returns the original result and has no second effect.
CREATE TABLE idempotency_keys (
    tenant_id      text NOT NULL,
    key            text NOT NULL,
    request_hash   text NOT NULL,
    response       jsonb,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);

-- Row-level security on every tenant-owned table.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tenants', 'tenant_keys', 'definitions', 'tenant_settings', 'instances', 'history',
                             'tasks', 'timers', 'outbox', 'idempotency_keys']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = parcours_current_tenant()) '
                       'WITH CHECK (tenant_id = parcours_current_tenant())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO parcours_app', t);
    END LOOP;
END
$$;
REVOKE UPDATE, DELETE ON history FROM parcours_app;

-- Workers need to know which tenants have due work without seeing any tenant's rows: these functions run as the
-- tables' owner and return tenant ids only.
CREATE FUNCTION parcours_tenants_with_due_timers(until timestamptz) RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT DISTINCT tenant_id FROM timers WHERE due_at <= until $$;

CREATE FUNCTION parcours_tenants_with_pending_mail(until timestamptz) RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT DISTINCT tenant_id FROM outbox WHERE status = 'pending' AND next_attempt_at <= until $$;

CREATE FUNCTION parcours_next_due(until timestamptz) RETURNS timestamptz
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT least((SELECT min(due_at) FROM timers),
                       (SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending')) $$;

-- Creating a tenant happens before any tenant is set: the owner-run function checks the name and inserts.
CREATE FUNCTION parcours_create_tenant(id text, display_name text, key_id text, key_hash text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
    AS $$
BEGIN
    INSERT INTO tenants (tenant_id, name) VALUES (id, display_name);
    INSERT INTO tenant_keys (tenant_id, key_id, key_hash) VALUES (id, key_id, key_hash);
END
$$;

-- Resolving an admin key to its tenant, for authentication; only a hash is compared.
CREATE FUNCTION parcours_tenant_for_key(hash text) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT tenant_id FROM tenant_keys WHERE key_hash = hash AND revoked_at IS NULL $$;

REVOKE ALL ON FUNCTION parcours_tenants_with_due_timers(timestamptz), parcours_tenants_with_pending_mail(timestamptz),
    parcours_next_due(timestamptz), parcours_create_tenant(text, text, text, text), parcours_tenant_for_key(text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parcours_tenants_with_due_timers(timestamptz), parcours_tenants_with_pending_mail(timestamptz),
    parcours_next_due(timestamptz), parcours_create_tenant(text, text, text, text), parcours_tenant_for_key(text),
    parcours_current_tenant() TO parcours_app;
