--
-- PostgreSQL database dump
--

\restrict uYb3eyK4hsCP3OO4bb4WFAD5fBMTVzTuFc9VTSALR3C3MR2tQo38zKYEUW6N9vU

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
-- Name: attachments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.attachments (
    dossier_id character varying(36) NOT NULL,
    set_number integer NOT NULL,
    document_kind character varying(100) NOT NULL
);


--
-- Name: candidates; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.candidates (
    candidate_id character varying(300) NOT NULL,
    award_type character varying(100) NOT NULL,
    award_name character varying(300) NOT NULL,
    nominee_kind character varying(20) NOT NULL,
    nominee_code character varying(300) NOT NULL,
    nominee_name character varying(300) NOT NULL,
    unit_code character varying(100) NOT NULL,
    open boolean NOT NULL
);


--
-- Name: cells; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.cells (
    unit_code character varying(100) NOT NULL,
    indicator character varying(16) NOT NULL,
    indicator_name character varying(300) NOT NULL,
    counted_unit character varying(50) NOT NULL,
    numerator integer NOT NULL,
    denominator integer NOT NULL,
    rate character varying(12),
    target character varying(12) NOT NULL,
    met boolean NOT NULL,
    state_since timestamp with time zone NOT NULL,
    as_of timestamp with time zone
);


--
-- Name: clock_anchor; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.clock_anchor (
    name character varying(20) NOT NULL,
    wall timestamp with time zone NOT NULL,
    campaign timestamp with time zone NOT NULL
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
-- Name: deliveries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.deliveries (
    delivery_id character varying(36) NOT NULL,
    idempotency_key character varying(64) NOT NULL,
    notice_id integer NOT NULL,
    cause_event_id character varying(36) NOT NULL,
    correlation_id character varying(36) NOT NULL,
    rule character varying(50) NOT NULL,
    audience character varying(20) NOT NULL,
    unit_code character varying(100) NOT NULL,
    channel character varying(20) NOT NULL,
    recipient character varying(500) NOT NULL,
    recipient_name character varying(300) NOT NULL,
    language character varying(5) NOT NULL,
    subject character varying(500) NOT NULL,
    text text NOT NULL,
    html text NOT NULL,
    payload text NOT NULL,
    status character varying(20) NOT NULL,
    attempts integer NOT NULL,
    last_error text,
    next_attempt_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    sent_at timestamp with time zone
);


--
-- Name: delivery_attempts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.delivery_attempts (
    delivery_id character varying(36) NOT NULL,
    number integer NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone,
    outcome character varying(20),
    error text
);


--
-- Name: dossiers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.dossiers (
    dossier_id character varying(36) NOT NULL,
    unit_code character varying(100) NOT NULL,
    award_type character varying(100) NOT NULL,
    nominee_kind character varying(20) NOT NULL,
    nominee_code character varying(300) NOT NULL,
    submitted boolean NOT NULL
);


--
-- Name: freshness; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.freshness (
    kind character varying(10) NOT NULL,
    code character varying(200) NOT NULL,
    last_record_at timestamp with time zone NOT NULL
);


--
-- Name: notices; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notices (
    id integer NOT NULL,
    rule character varying(50) NOT NULL,
    unit_code character varying(100) NOT NULL,
    subject_key character varying(300) NOT NULL,
    period character varying(100) NOT NULL,
    template character varying(50) NOT NULL,
    context text NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: notices_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.notices_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: notices_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.notices_id_seq OWNED BY public.notices.id;


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
-- Name: schedule_marks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schedule_marks (
    rule character varying(50) NOT NULL,
    last_slot timestamp with time zone NOT NULL
);


--
-- Name: standings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.standings (
    unit_code character varying(100) NOT NULL,
    rank integer NOT NULL,
    total_points character varying(20) NOT NULL
);


--
-- Name: notices id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notices ALTER COLUMN id SET DEFAULT nextval('public.notices_id_seq'::regclass);


--
-- Name: outbox id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox ALTER COLUMN id SET DEFAULT nextval('public.outbox_id_seq'::regclass);


--
-- Name: attachments attachments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attachments
    ADD CONSTRAINT attachments_pkey PRIMARY KEY (dossier_id, set_number, document_kind);


--
-- Name: candidates candidates_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.candidates
    ADD CONSTRAINT candidates_pkey PRIMARY KEY (candidate_id);


--
-- Name: cells cells_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cells
    ADD CONSTRAINT cells_pkey PRIMARY KEY (unit_code, indicator);


--
-- Name: clock_anchor clock_anchor_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.clock_anchor
    ADD CONSTRAINT clock_anchor_pkey PRIMARY KEY (name);


--
-- Name: consumed_positions consumed_positions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consumed_positions
    ADD CONSTRAINT consumed_positions_pkey PRIMARY KEY (consumer, topic, partition);


--
-- Name: deliveries deliveries_idempotency_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deliveries
    ADD CONSTRAINT deliveries_idempotency_key_key UNIQUE (idempotency_key);


--
-- Name: deliveries deliveries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deliveries
    ADD CONSTRAINT deliveries_pkey PRIMARY KEY (delivery_id);


--
-- Name: delivery_attempts delivery_attempts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.delivery_attempts
    ADD CONSTRAINT delivery_attempts_pkey PRIMARY KEY (delivery_id, number);


--
-- Name: dossiers dossiers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dossiers
    ADD CONSTRAINT dossiers_pkey PRIMARY KEY (dossier_id);


--
-- Name: freshness freshness_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.freshness
    ADD CONSTRAINT freshness_pkey PRIMARY KEY (kind, code);


--
-- Name: notices notices_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notices
    ADD CONSTRAINT notices_pkey PRIMARY KEY (id);


--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);


--
-- Name: schedule_marks schedule_marks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schedule_marks
    ADD CONSTRAINT schedule_marks_pkey PRIMARY KEY (rule);


--
-- Name: standings standings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.standings
    ADD CONSTRAINT standings_pkey PRIMARY KEY (unit_code);


--
-- Name: notices uq_notice_once; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notices
    ADD CONSTRAINT uq_notice_once UNIQUE (rule, unit_code, subject_key, period);


--
-- Name: ix_deliveries_created_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_deliveries_created_at ON public.deliveries USING btree (created_at);


--
-- Name: ix_deliveries_rule; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_deliveries_rule ON public.deliveries USING btree (rule);


--
-- Name: ix_deliveries_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_deliveries_status ON public.deliveries USING btree (status);


--
-- Name: ix_deliveries_unit_code; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_deliveries_unit_code ON public.deliveries USING btree (unit_code);


--
-- Name: ix_outbox_published_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_outbox_published_at ON public.outbox USING btree (published_at);


--
-- PostgreSQL database dump complete
--

\unrestrict uYb3eyK4hsCP3OO4bb4WFAD5fBMTVzTuFc9VTSALR3C3MR2tQo38zKYEUW6N9vU

