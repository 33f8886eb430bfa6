-- The structure directory: INSEE's SIRENE stock (StockUniteLegale and StockEtablissement), imported by
-- `parcours directory import`. It is reference data shared by every tenant: no tenant column, no row-level
-- security. The application's role may only read it; the role that runs the migrations owns the tables and is the
-- one that imports. Only what the `directory.lookup` action shows is kept, with the states, diffusion statuses and
-- dates. The two files are imported separately and in any order, so no foreign key joins them.

CREATE TABLE directory_legal_units (
    siren               text PRIMARY KEY CHECK (siren ~ '^[0-9]{9}$'),
    -- etatAdministratifUniteLegale: A active, C ceased.
    state               text,
    -- statutDiffusionUniteLegale: O diffusible, P partially diffusible (N in files before 2023).
    diffusion           text,
    denomination        text,           -- denominationUniteLegale
    acronym             text,           -- sigleUniteLegale
    last_name           text,           -- nomUniteLegale
    usage_name          text,           -- nomUsageUniteLegale
    first_name          text,           -- prenom1UniteLegale
    usual_first_name    text,           -- prenomUsuelUniteLegale
    legal_category      text,           -- categorieJuridiqueUniteLegale
    created_on          date,           -- dateCreationUniteLegale
    period_started_on   date,           -- dateDebut
    last_processed_at   timestamp,      -- dateDernierTraitementUniteLegale
    imported_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE directory_establishments (
    siret               text PRIMARY KEY CHECK (siret ~ '^[0-9]{14}$'),
    siren               text NOT NULL CHECK (siren = left(siret, 9)),
    -- etatAdministratifEtablissement: A active, F closed.
    state               text,
    -- statutDiffusionEtablissement: O diffusible, P partially diffusible (N in files before 2023).
    diffusion           text,
    head_office         boolean,        -- etablissementSiege
    street_number       text,           -- numeroVoieEtablissement
    repetition_index    text,           -- indiceRepetitionEtablissement
    street_type         text,           -- typeVoieEtablissement
    street_name         text,           -- libelleVoieEtablissement
    address_complement  text,           -- complementAdresseEtablissement
    postcode            text,           -- codePostalEtablissement
    city                text,           -- libelleCommuneEtablissement
    foreign_city        text,           -- libelleCommuneEtrangerEtablissement
    foreign_country_code text,          -- codePaysEtrangerEtablissement
    foreign_country     text,           -- libellePaysEtrangerEtablissement
    sign_name           text,           -- enseigne1Etablissement
    usual_name          text,           -- denominationUsuelleEtablissement
    created_on          date,           -- dateCreationEtablissement
    period_started_on   date,           -- dateDebut
    last_processed_at   timestamp,      -- dateDernierTraitementEtablissement
    imported_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX directory_establishments_by_siren ON directory_establishments (siren);

-- Read-only for the application (and so for every tenant).
REVOKE ALL ON directory_legal_units, directory_establishments FROM PUBLIC;
GRANT SELECT ON directory_legal_units, directory_establishments TO parcours_app;
