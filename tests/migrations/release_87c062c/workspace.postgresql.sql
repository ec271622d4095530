--
-- PostgreSQL database dump
--

\restrict oZhsJDfGB23inNkket0brrjgpdixHrYAw7RFGGbju3ijomCnjQJjxIwqdpSuboQ

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
-- Name: accounts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.accounts (
    username character varying(100) NOT NULL,
    display_name character varying(200) NOT NULL,
    role character varying(20) NOT NULL,
    unit_code character varying(50),
    password_hash character varying(300) NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: accounts accounts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (username);


--
-- PostgreSQL database dump complete
--

\unrestrict oZhsJDfGB23inNkket0brrjgpdixHrYAw7RFGGbju3ijomCnjQJjxIwqdpSuboQ

