--
-- PostgreSQL database dump
--

\restrict sn0K8LHmHpBrrYIu4lF0ClitfzeO32j5MOUlyIHChVTcMVTz3WOisnnkhqGMnGF

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: catalogue_entries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.catalogue_entries (
    procedure_code character varying(100) NOT NULL,
    unit_code character varying(100) NOT NULL,
    procedure_name character varying(500) NOT NULL,
    online_level character varying(20) NOT NULL,
    has_fees boolean NOT NULL
);


--
-- Name: consumed_positions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.consumed_positions (
    consumer character varying(100) NOT NULL,
    topic character varying(200) NOT NULL,
    partition integer NOT NULL,
    "offset" bigint NOT NULL
);


--
-- Name: dead_letters; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.dead_letters (
    reason character varying(40) NOT NULL,
    records bigint NOT NULL
);


--
-- Name: definitions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.definitions (
    id integer NOT NULL,
    campaign_id character varying(100) NOT NULL,
    campaign_version character varying(40) NOT NULL,
    campaign_fingerprint character varying(40) NOT NULL,
    catalogue_version character varying(40) NOT NULL,
    catalogue_source character varying(300) NOT NULL,
    catalogue_loaded_at_ms bigint NOT NULL
);


--
-- Name: definitions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.definitions_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: definitions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.definitions_id_seq OWNED BY public.definitions.id;


--
-- Name: dossiers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.dossiers (
    dossier_code character varying(100) NOT NULL,
    unit_code character varying(100) NOT NULL,
    procedure_code character varying(100) NOT NULL,
    channel integer NOT NULL,
    status integer NOT NULL,
    received_on date,
    online_payment integer NOT NULL,
    fee_exempt boolean NOT NULL,
    receiving_officer character varying(200),
    finished_on date,
    finished_in_time boolean,
    known_to_catalogue boolean NOT NULL,
    source_topic character varying(200) NOT NULL,
    source_partition integer NOT NULL,
    source_offset bigint NOT NULL,
    record_at_ms bigint NOT NULL
);


--
-- Name: indicator_cells; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.indicator_cells (
    indicator character varying(16) NOT NULL,
    subject_kind character varying(20) NOT NULL,
    subject_code character varying(200) NOT NULL,
    period_kind character varying(20) NOT NULL,
    period_key character varying(40) NOT NULL,
    numerator integer NOT NULL,
    denominator integer NOT NULL,
    campaign_version character varying(40) NOT NULL,
    catalogue_version character varying(40) NOT NULL,
    as_of_ms bigint NOT NULL,
    last_source character varying(260),
    dirty boolean NOT NULL,
    emitted_numerator integer,
    emitted_denominator integer,
    emitted_versions character varying(90)
);


--
-- Name: outbox; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox (
    id integer NOT NULL,
    topic character varying(200) NOT NULL,
    key character varying(200),
    payload bytea NOT NULL,
    published_at timestamp with time zone
);


--
-- Name: outbox_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.outbox_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: outbox_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.outbox_id_seq OWNED BY public.outbox.id;


--
-- Name: service_usage; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.service_usage (
    indicator character varying(16) NOT NULL,
    subject_kind character varying(20) NOT NULL,
    subject_code character varying(200) NOT NULL,
    procedure_code character varying(100) NOT NULL,
    period_kind character varying(20) NOT NULL,
    period_key character varying(40) NOT NULL,
    dossiers integer NOT NULL
);


--
-- Name: definitions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.definitions ALTER COLUMN id SET DEFAULT nextval('public.definitions_id_seq'::regclass);


--
-- Name: outbox id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox ALTER COLUMN id SET DEFAULT nextval('public.outbox_id_seq'::regclass);


--
-- Name: catalogue_entries catalogue_entries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.catalogue_entries
    ADD CONSTRAINT catalogue_entries_pkey PRIMARY KEY (procedure_code, unit_code);


--
-- Name: consumed_positions consumed_positions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consumed_positions
    ADD CONSTRAINT consumed_positions_pkey PRIMARY KEY (consumer, topic, partition);


--
-- Name: dead_letters dead_letters_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dead_letters
    ADD CONSTRAINT dead_letters_pkey PRIMARY KEY (reason);


--
-- Name: definitions definitions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.definitions
    ADD CONSTRAINT definitions_pkey PRIMARY KEY (id);


--
-- Name: dossiers dossiers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dossiers
    ADD CONSTRAINT dossiers_pkey PRIMARY KEY (dossier_code);


--
-- Name: indicator_cells indicator_cells_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.indicator_cells
    ADD CONSTRAINT indicator_cells_pkey PRIMARY KEY (indicator, subject_kind, subject_code, period_kind, period_key);


--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);


--
-- Name: service_usage service_usage_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.service_usage
    ADD CONSTRAINT service_usage_pkey PRIMARY KEY (indicator, subject_kind, subject_code, procedure_code, period_kind, period_key);


--
-- Name: ix_dossiers_unit_day; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_dossiers_unit_day ON public.dossiers USING btree (unit_code, received_on);


--
-- Name: ix_dossiers_unit_finished; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_dossiers_unit_finished ON public.dossiers USING btree (unit_code, finished_on);


--
-- Name: ix_dossiers_unknown; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_dossiers_unknown ON public.dossiers USING btree (known_to_catalogue);


--
-- Name: ix_indicator_cells_dirty; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_indicator_cells_dirty ON public.indicator_cells USING btree (dirty);


--
-- Name: ix_outbox_published_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_outbox_published_at ON public.outbox USING btree (published_at);


--
-- PostgreSQL database dump complete
--

\unrestrict sn0K8LHmHpBrrYIu4lF0ClitfzeO32j5MOUlyIHChVTcMVTz3WOisnnkhqGMnGF

