BEGIN TRANSACTION;
CREATE TABLE catalogue_entries (
	procedure_code VARCHAR(100) NOT NULL, 
	unit_code VARCHAR(100) NOT NULL, 
	procedure_name VARCHAR(500) NOT NULL, 
	online_level VARCHAR(20) NOT NULL, 
	has_fees BOOLEAN NOT NULL, 
	PRIMARY KEY (procedure_code, unit_code)
);
CREATE TABLE consumed_positions (
	consumer VARCHAR(100) NOT NULL, 
	topic VARCHAR(200) NOT NULL, 
	partition INTEGER NOT NULL, 
	"offset" BIGINT NOT NULL, 
	PRIMARY KEY (consumer, topic, partition)
);
CREATE TABLE dead_letters (
	reason VARCHAR(40) NOT NULL, 
	records BIGINT NOT NULL, 
	PRIMARY KEY (reason)
);
CREATE TABLE definitions (
	id INTEGER NOT NULL, 
	campaign_id VARCHAR(100) NOT NULL, 
	campaign_version VARCHAR(40) NOT NULL, 
	campaign_fingerprint VARCHAR(40) NOT NULL, 
	catalogue_version VARCHAR(40) NOT NULL, 
	catalogue_source VARCHAR(300) NOT NULL, 
	catalogue_loaded_at_ms BIGINT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE dossiers (
	dossier_code VARCHAR(100) NOT NULL, 
	unit_code VARCHAR(100) NOT NULL, 
	procedure_code VARCHAR(100) NOT NULL, 
	channel INTEGER NOT NULL, 
	status INTEGER NOT NULL, 
	received_on DATE, 
	online_payment INTEGER NOT NULL, 
	fee_exempt BOOLEAN NOT NULL, 
	receiving_officer VARCHAR(200), 
	finished_on DATE, 
	finished_in_time BOOLEAN, 
	known_to_catalogue BOOLEAN NOT NULL, 
	source_topic VARCHAR(200) NOT NULL, 
	source_partition INTEGER NOT NULL, 
	source_offset BIGINT NOT NULL, 
	record_at_ms BIGINT NOT NULL, 
	PRIMARY KEY (dossier_code)
);
CREATE TABLE indicator_cells (
	indicator VARCHAR(16) NOT NULL, 
	subject_kind VARCHAR(20) NOT NULL, 
	subject_code VARCHAR(200) NOT NULL, 
	period_kind VARCHAR(20) NOT NULL, 
	period_key VARCHAR(40) NOT NULL, 
	numerator INTEGER NOT NULL, 
	denominator INTEGER NOT NULL, 
	campaign_version VARCHAR(40) NOT NULL, 
	catalogue_version VARCHAR(40) NOT NULL, 
	as_of_ms BIGINT NOT NULL, 
	last_source VARCHAR(260), 
	dirty BOOLEAN NOT NULL, 
	emitted_numerator INTEGER, 
	emitted_denominator INTEGER, 
	emitted_versions VARCHAR(90), 
	PRIMARY KEY (indicator, subject_kind, subject_code, period_kind, period_key)
);
CREATE TABLE outbox (
	id INTEGER NOT NULL, 
	topic VARCHAR(200) NOT NULL, 
	"key" VARCHAR(200), 
	payload BLOB NOT NULL, 
	published_at DATETIME, 
	PRIMARY KEY (id)
);
CREATE TABLE service_usage (
	indicator VARCHAR(16) NOT NULL, 
	subject_kind VARCHAR(20) NOT NULL, 
	subject_code VARCHAR(200) NOT NULL, 
	procedure_code VARCHAR(100) NOT NULL, 
	period_kind VARCHAR(20) NOT NULL, 
	period_key VARCHAR(40) NOT NULL, 
	dossiers INTEGER NOT NULL, 
	PRIMARY KEY (indicator, subject_kind, subject_code, procedure_code, period_kind, period_key)
);
CREATE INDEX ix_outbox_published_at ON outbox (published_at);
CREATE INDEX ix_dossiers_unit_day ON dossiers (unit_code, received_on);
CREATE INDEX ix_dossiers_unknown ON dossiers (known_to_catalogue);
CREATE INDEX ix_dossiers_unit_finished ON dossiers (unit_code, finished_on);
CREATE INDEX ix_indicator_cells_dirty ON indicator_cells (dirty);
COMMIT;
