--
-- PostgreSQL database dump
--

\restrict fPTRJ1mWTWyL5V6tZTBQAmJXlFCSGRF5YoeBNx2WJW9BeJtiKGpogPZxnCOkvTb

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
-- Name: candidates; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.candidates (
    candidate_id character varying(300) NOT NULL,
    award_type character varying(100) NOT NULL,
    nominee_kind character varying(12) NOT NULL,
    nominee_code character varying(200) NOT NULL,
    nominee_name character varying(200) NOT NULL,
    unit_code character varying(100) NOT NULL,
    status character varying(12) NOT NULL,
    evidence text NOT NULL,
    withdrawn_reason text NOT NULL
);


--
-- Name: cell_versions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.cell_versions (
    id integer NOT NULL,
    period_key character varying(40) NOT NULL,
    subject_kind character varying(10) NOT NULL,
    subject_code character varying(200) NOT NULL,
    indicator character varying(16) NOT NULL,
    numerator integer NOT NULL,
    denominator integer NOT NULL,
    as_of timestamp with time zone NOT NULL,
    campaign_version character varying(40) NOT NULL,
    catalogue_version character varying(80) NOT NULL,
    source_event_id character varying(36) NOT NULL,
    indicator_name character varying(200) NOT NULL,
    counted_unit character varying(40) NOT NULL
);


--
-- Name: cell_versions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.cell_versions_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: cell_versions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.cell_versions_id_seq OWNED BY public.cell_versions.id;


--
-- Name: cells; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.cells (
    period_key character varying(40) NOT NULL,
    subject_kind character varying(10) NOT NULL,
    subject_code character varying(200) NOT NULL,
    indicator character varying(16) NOT NULL,
    numerator integer NOT NULL,
    denominator integer NOT NULL,
    as_of timestamp with time zone NOT NULL,
    campaign_version character varying(40) NOT NULL,
    catalogue_version character varying(80) NOT NULL,
    source_event_id character varying(36) NOT NULL,
    indicator_name character varying(200) NOT NULL,
    counted_unit character varying(40) NOT NULL
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
-- Name: decisions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.decisions (
    decision_id character varying(36) NOT NULL,
    award_type character varying(100) NOT NULL,
    nominee_kind character varying(12) NOT NULL,
    nominee_code character varying(200) NOT NULL,
    unit_code character varying(100) NOT NULL,
    decided text NOT NULL,
    revoked boolean NOT NULL,
    revoked_reason text NOT NULL,
    revoked_at timestamp with time zone
);


--
-- Name: nomination_dossiers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.nomination_dossiers (
    dossier_id character varying(36) NOT NULL,
    award_type character varying(100) NOT NULL,
    nominee_kind character varying(12) NOT NULL,
    nominee_code character varying(200) NOT NULL,
    unit_code character varying(100) NOT NULL,
    accepted boolean NOT NULL,
    forwarded boolean NOT NULL
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
-- Name: standings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.standings (
    period_key character varying(40) NOT NULL,
    subject_kind character varying(10) NOT NULL,
    subject_code character varying(200) NOT NULL,
    unit_code character varying(100) NOT NULL,
    rank integer NOT NULL,
    total_points numeric(8,2) NOT NULL,
    targets_met character varying(100) NOT NULL,
    figures text NOT NULL,
    previous_rank integer,
    previous_points numeric(8,2),
    as_of timestamp with time zone NOT NULL
);


--
-- Name: cell_versions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cell_versions ALTER COLUMN id SET DEFAULT nextval('public.cell_versions_id_seq'::regclass);


--
-- Name: outbox id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox ALTER COLUMN id SET DEFAULT nextval('public.outbox_id_seq'::regclass);


--
-- Name: candidates candidates_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.candidates
    ADD CONSTRAINT candidates_pkey PRIMARY KEY (candidate_id);


--
-- Name: cell_versions cell_versions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cell_versions
    ADD CONSTRAINT cell_versions_pkey PRIMARY KEY (id);


--
-- Name: cells cells_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cells
    ADD CONSTRAINT cells_pkey PRIMARY KEY (period_key, subject_kind, subject_code, indicator);


--
-- Name: consumed_positions consumed_positions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consumed_positions
    ADD CONSTRAINT consumed_positions_pkey PRIMARY KEY (consumer, topic, partition);


--
-- Name: decisions decisions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.decisions
    ADD CONSTRAINT decisions_pkey PRIMARY KEY (decision_id);


--
-- Name: nomination_dossiers nomination_dossiers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nomination_dossiers
    ADD CONSTRAINT nomination_dossiers_pkey PRIMARY KEY (dossier_id);


--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);


--
-- Name: standings standings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.standings
    ADD CONSTRAINT standings_pkey PRIMARY KEY (period_key, subject_kind, subject_code);


--
-- Name: ix_cell_versions_period; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_cell_versions_period ON public.cell_versions USING btree (period_key, subject_kind);


--
-- Name: ix_outbox_published_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_outbox_published_at ON public.outbox USING btree (published_at);


--
-- PostgreSQL database dump complete
--

\unrestrict fPTRJ1mWTWyL5V6tZTBQAmJXlFCSGRF5YoeBNx2WJW9BeJtiKGpogPZxnCOkvTb

