-- The signup domain: accounts, structures and their workspaces, memberships (managers and members), attachment
-- requests, e-mailed links, password resets, sessions, login throttling and captcha challenges.
--
-- Every row belongs to a tenant, first column of its primary key, under the same row-level security as the engine's
-- tables (see 001_engine.sql). Secrets are never stored: passwords and secret answers as memory-hard hashes (scrypt,
-- with their parameters), link, session and captcha tokens as SHA-256 digests.

CREATE TABLE accounts (
    tenant_id              text NOT NULL REFERENCES tenants,
    account_id             text NOT NULL,
    -- The login e-mail never changes; it is unique per tenant whatever its case.
    login_email            text NOT NULL,
    first_name             text NOT NULL,
    last_name              text NOT NULL,
    phone                  text,
    contact_email          text NOT NULL,
    survey_consent         boolean NOT NULL DEFAULT false,
    conditions_accepted_at timestamptz NOT NULL,
    status                 text NOT NULL DEFAULT 'pending_activation'
                           CHECK (status IN ('pending_activation', 'active', 'deactivated', 'closed')),
    password_hash          text,
    secret_question        text,
    secret_answer_hash     text,
    created_at             timestamptz NOT NULL,
    activated_at           timestamptz,
    deactivated_at         timestamptz,
    reactivated_at         timestamptz,
    closed_at              timestamptz,
    PRIMARY KEY (tenant_id, account_id)
);
CREATE UNIQUE INDEX accounts_login_email ON accounts (tenant_id, lower(login_email));

CREATE TABLE structures (
    tenant_id          text NOT NULL REFERENCES tenants,
    structure_id       text NOT NULL,
    identifier_type    text NOT NULL
                       CHECK (identifier_type IN ('SIRET', 'UE_HORS_FRANCE', 'HORS_UE', 'TAHITI', 'RIDET',
                                                  'PARTICULIER', 'AUTRE')),
    identifier         text NOT NULL,
    name               text NOT NULL,
    label              text,
    address            text NOT NULL,
    complement_1       text,
    complement_2       text,
    postcode           text NOT NULL,
    city               text NOT NULL,
    country            text NOT NULL,
    non_diffusible     boolean NOT NULL DEFAULT false,
    payment_requests   boolean NOT NULL DEFAULT true,
    dume               boolean NOT NULL DEFAULT false,
    provider_category  text,
    provider_regime    text,
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, structure_id),
    UNIQUE (tenant_id, identifier_type, identifier),
    FOREIGN KEY (tenant_id, created_by) REFERENCES accounts
);

CREATE TABLE structure_workspaces (
    tenant_id      text NOT NULL,
    structure_id   text NOT NULL,
    workspace      text NOT NULL,
    PRIMARY KEY (tenant_id, structure_id, workspace),
    FOREIGN KEY (tenant_id, structure_id) REFERENCES structures ON DELETE CASCADE
);

-- Who belongs to a structure, and with which role. A row exists only once an attachment is approved (or for the
-- creator): a pending requester has none, and so sees nothing of the structure.
CREATE TABLE memberships (
    tenant_id      text NOT NULL,
    structure_id   text NOT NULL,
    account_id     text NOT NULL,
    role           text NOT NULL CHECK (role IN ('primary_manager', 'secondary_manager', 'member')),
    since          timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, structure_id, account_id),
    FOREIGN KEY (tenant_id, structure_id) REFERENCES structures,
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts
);
CREATE INDEX memberships_by_account ON memberships (tenant_id, account_id);

CREATE TABLE attachment_requests (
    tenant_id      text NOT NULL,
    request_id     text NOT NULL,
    account_id     text NOT NULL,
    structure_id   text NOT NULL,
    instance_id    text NOT NULL,
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused', 'expired')),
    requested_at   timestamptz NOT NULL,
    decided_by     text,
    decided_at     timestamptz,
    reason         text,
    PRIMARY KEY (tenant_id, request_id),
    FOREIGN KEY (tenant_id, structure_id) REFERENCES structures,
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts
);
-- At most one pending request per account and structure.
CREATE UNIQUE INDEX attachment_requests_pending ON attachment_requests (tenant_id, account_id, structure_id)
    WHERE status = 'pending';

-- E-mailed links: activation, password reset, reactivation. Only the token's SHA-256 is kept. A link opens one
-- event of one waiting instance; it is used once, and a newer link of the same purpose and account replaces it.
CREATE TABLE links (
    tenant_id      text NOT NULL REFERENCES tenants,
    token_hash     text NOT NULL,
    purpose        text NOT NULL CHECK (purpose IN ('activation', 'password_reset', 'reactivation')),
    account_id     text NOT NULL,
    instance_id    text NOT NULL,
    event          text NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    replaced_at    timestamptz,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts
);
CREATE INDEX links_by_account ON links (tenant_id, account_id, purpose);
CREATE INDEX links_by_instance ON links (tenant_id, instance_id);

-- Forgotten-password requests. `account_id` is NULL for an address without an active account (the decoy path:
-- the journey looks the same). Wrong answers are counted per login e-mail (its keyed hash), not per request.
CREATE TABLE password_resets (
    tenant_id      text NOT NULL REFERENCES tenants,
    request_id     text NOT NULL,
    email_key      text NOT NULL,
    account_id     text,
    status         text NOT NULL DEFAULT 'question'
                   CHECK (status IN ('question', 'answered', 'completed', 'locked')),
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, request_id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts
);

CREATE TABLE reset_failures (
    tenant_id      text NOT NULL REFERENCES tenants,
    email_key      text NOT NULL,
    at             timestamptz NOT NULL
);
CREATE INDEX reset_failures_by_email ON reset_failures (tenant_id, email_key, at);

-- Sessions: an opaque bearer token of which only the SHA-256 is kept.
CREATE TABLE sessions (
    tenant_id      text NOT NULL REFERENCES tenants,
    session_id     text NOT NULL,
    token_hash     text NOT NULL,
    account_id     text NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    source         text,
    PRIMARY KEY (tenant_id, session_id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts
);
CREATE INDEX sessions_by_account ON sessions (tenant_id, account_id);

-- Failed logins, per subject: `email:<keyed hash of the login e-mail>` and `source:<client address>`.
CREATE TABLE login_failures (
    tenant_id      text NOT NULL REFERENCES tenants,
    subject        text NOT NULL,
    at             timestamptz NOT NULL
);
CREATE INDEX login_failures_by_subject ON login_failures (tenant_id, subject, at);

-- Captcha challenges: the expected characters as a keyed hash, single use.
CREATE TABLE captcha_challenges (
    tenant_id      text NOT NULL REFERENCES tenants,
    challenge_id   text NOT NULL,
    answer_hash    text NOT NULL,
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    PRIMARY KEY (tenant_id, challenge_id)
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['accounts', 'structures', 'structure_workspaces', 'memberships', 'attachment_requests',
                             'links', 'password_resets', 'reset_failures', 'sessions', 'login_failures',
                             'captcha_challenges']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = parcours_current_tenant()) '
                       'WITH CHECK (tenant_id = parcours_current_tenant())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO parcours_app', t);
    END LOOP;
END
$$;
