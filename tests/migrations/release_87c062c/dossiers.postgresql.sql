--
-- PostgreSQL database dump
--

\restrict ixCXfb5LW1yzTohsWWt4CPG0YhObGG8Q5U5EQsf8s2JiReOH1YDNXkU33ObBxB7

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
-- Name: award_decisions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.award_decisions (
    decision_id character varying(36) NOT NULL,
    decision_number character varying(100) NOT NULL,
    payload text NOT NULL,
    dossier_id character varying(36),
    award_type character varying(100) NOT NULL,
    nominee_kind character varying(20) NOT NULL,
    nominee_code character varying(200) NOT NULL,
    revoked_reason text
);


--
-- Name: candidates; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.candidates (
    candidate_id character varying(300) NOT NULL,
    award_type character varying(100) NOT NULL,
    nominee_kind character varying(20) NOT NULL,
    nominee_code character varying(200) NOT NULL,
    nominee_name text NOT NULL,
    unit_code character varying(100) NOT NULL,
    proposed boolean NOT NULL,
    reason text,
    evidence text NOT NULL,
    source_event_id character varying(36) NOT NULL
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
-- Name: dossier_documents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.dossier_documents (
    dossier_id character varying(36) NOT NULL,
    set_number integer NOT NULL,
    document_kind character varying(60) NOT NULL,
    filename character varying(255) NOT NULL,
    content_type character varying(100) NOT NULL,
    sha256 character varying(64) NOT NULL,
    size_bytes bigint NOT NULL,
    uploaded_by character varying(120) NOT NULL,
    attached_at timestamp with time zone NOT NULL
);


--
-- Name: dossier_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.dossier_events (
    dossier_id character varying(36) NOT NULL,
    sequence integer NOT NULL,
    event_id character varying(36) NOT NULL,
    event_type character varying(40) NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    payload text NOT NULL
);


--
-- Name: dossiers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.dossiers (
    dossier_id character varying(36) NOT NULL,
    campaign_id character varying(100) NOT NULL,
    campaign_version character varying(40) NOT NULL,
    unit_code character varying(100) NOT NULL,
    award_type character varying(100) NOT NULL,
    nominee_kind character varying(20) NOT NULL,
    nominee_code character varying(200) NOT NULL,
    status character varying(20) NOT NULL,
    version integer NOT NULL,
    opened_at timestamp with time zone NOT NULL,
    opened_by character varying(120) NOT NULL,
    submitted_at timestamp with time zone,
    submitted_by character varying(120),
    reviewed_at timestamp with time zone,
    reviewed_by character varying(120),
    findings text NOT NULL,
    review_note text,
    forwarded_at timestamp with time zone,
    forwarded_by character varying(120),
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: nominations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.nominations (
    campaign_id character varying(100) NOT NULL,
    award_type character varying(100) NOT NULL,
    nominee_kind character varying(20) NOT NULL,
    nominee_code character varying(200) NOT NULL,
    dossier_id character varying(36) NOT NULL
);


--
-- Name: nominee_figures; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.nominee_figures (
    subject_kind character varying(20) NOT NULL,
    subject_code character varying(200) NOT NULL,
    indicator character varying(4) NOT NULL,
    numerator integer NOT NULL,
    denominator integer NOT NULL,
    target numeric(6,4) NOT NULL,
    target_met boolean NOT NULL,
    campaign_version character varying(40) NOT NULL,
    catalogue_version character varying(40) NOT NULL,
    as_of timestamp with time zone NOT NULL,
    source_event_id character varying(36) NOT NULL
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
-- Name: outbox id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox ALTER COLUMN id SET DEFAULT nextval('public.outbox_id_seq'::regclass);


--
-- Name: award_decisions award_decisions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.award_decisions
    ADD CONSTRAINT award_decisions_pkey PRIMARY KEY (decision_id);


--
-- Name: candidates candidates_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.candidates
    ADD CONSTRAINT candidates_pkey PRIMARY KEY (candidate_id);


--
-- Name: consumed_positions consumed_positions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consumed_positions
    ADD CONSTRAINT consumed_positions_pkey PRIMARY KEY (consumer, topic, partition);


--
-- Name: dossier_documents dossier_documents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dossier_documents
    ADD CONSTRAINT dossier_documents_pkey PRIMARY KEY (dossier_id, set_number, document_kind);


--
-- Name: dossier_events dossier_events_event_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dossier_events
    ADD CONSTRAINT dossier_events_event_id_key UNIQUE (event_id);


--
-- Name: dossier_events dossier_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dossier_events
    ADD CONSTRAINT dossier_events_pkey PRIMARY KEY (dossier_id, sequence);


--
-- Name: dossiers dossiers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dossiers
    ADD CONSTRAINT dossiers_pkey PRIMARY KEY (dossier_id);


--
-- Name: nominations nominations_dossier_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nominations
    ADD CONSTRAINT nominations_dossier_id_key UNIQUE (dossier_id);


--
-- Name: nominations nominations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nominations
    ADD CONSTRAINT nominations_pkey PRIMARY KEY (campaign_id, award_type, nominee_kind, nominee_code);


--
-- Name: nominee_figures nominee_figures_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nominee_figures
    ADD CONSTRAINT nominee_figures_pkey PRIMARY KEY (subject_kind, subject_code, indicator);


--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);


--
-- Name: ix_award_decisions_decision_number; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_award_decisions_decision_number ON public.award_decisions USING btree (decision_number);


--
-- Name: ix_award_decisions_dossier_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_award_decisions_dossier_id ON public.award_decisions USING btree (dossier_id);


--
-- Name: ix_dossier_documents_sha256; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_dossier_documents_sha256 ON public.dossier_documents USING btree (sha256);


--
-- Name: ix_dossiers_unit_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_dossiers_unit_status ON public.dossiers USING btree (unit_code, status);


--
-- Name: ix_outbox_published_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_outbox_published_at ON public.outbox USING btree (published_at);


--
-- PostgreSQL database dump complete
--

\unrestrict ixCXfb5LW1yzTohsWWt4CPG0YhObGG8Q5U5EQsf8s2JiReOH1YDNXkU33ObBxB7

