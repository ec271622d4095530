BEGIN TRANSACTION;
CREATE TABLE candidates (
	candidate_id VARCHAR(300) NOT NULL, 
	award_type VARCHAR(100) NOT NULL, 
	nominee_kind VARCHAR(12) NOT NULL, 
	nominee_code VARCHAR(200) NOT NULL, 
	nominee_name VARCHAR(200) NOT NULL, 
	unit_code VARCHAR(100) NOT NULL, 
	status VARCHAR(12) NOT NULL, 
	evidence TEXT NOT NULL, 
	withdrawn_reason TEXT NOT NULL, 
	PRIMARY KEY (candidate_id)
);
CREATE TABLE cell_versions (
	id INTEGER NOT NULL, 
	period_key VARCHAR(40) NOT NULL, 
	subject_kind VARCHAR(10) NOT NULL, 
	subject_code VARCHAR(200) NOT NULL, 
	indicator VARCHAR(16) NOT NULL, 
	numerator INTEGER NOT NULL, 
	denominator INTEGER NOT NULL, 
	as_of DATETIME NOT NULL, 
	campaign_version VARCHAR(40) NOT NULL, 
	catalogue_version VARCHAR(80) NOT NULL, 
	source_event_id VARCHAR(36) NOT NULL, 
	indicator_name VARCHAR(200) NOT NULL, 
	counted_unit VARCHAR(40) NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE cells (
	period_key VARCHAR(40) NOT NULL, 
	subject_kind VARCHAR(10) NOT NULL, 
	subject_code VARCHAR(200) NOT NULL, 
	indicator VARCHAR(16) NOT NULL, 
	numerator INTEGER NOT NULL, 
	denominator INTEGER NOT NULL, 
	as_of DATETIME NOT NULL, 
	campaign_version VARCHAR(40) NOT NULL, 
	catalogue_version VARCHAR(80) NOT NULL, 
	source_event_id VARCHAR(36) NOT NULL, 
	indicator_name VARCHAR(200) NOT NULL, 
	counted_unit VARCHAR(40) NOT NULL, 
	PRIMARY KEY (period_key, subject_kind, subject_code, indicator)
);
CREATE TABLE consumed_positions (
	consumer VARCHAR(100) NOT NULL, 
	topic VARCHAR(200) NOT NULL, 
	partition INTEGER NOT NULL, 
	"offset" BIGINT NOT NULL, 
	PRIMARY KEY (consumer, topic, partition)
);
CREATE TABLE decisions (
	decision_id VARCHAR(36) NOT NULL, 
	award_type VARCHAR(100) NOT NULL, 
	nominee_kind VARCHAR(12) NOT NULL, 
	nominee_code VARCHAR(200) NOT NULL, 
	unit_code VARCHAR(100) NOT NULL, 
	decided TEXT NOT NULL, 
	revoked BOOLEAN NOT NULL, 
	revoked_reason TEXT NOT NULL, 
	revoked_at DATETIME, 
	PRIMARY KEY (decision_id)
);
CREATE TABLE nomination_dossiers (
	dossier_id VARCHAR(36) NOT NULL, 
	award_type VARCHAR(100) NOT NULL, 
	nominee_kind VARCHAR(12) NOT NULL, 
	nominee_code VARCHAR(200) NOT NULL, 
	unit_code VARCHAR(100) NOT NULL, 
	accepted BOOLEAN NOT NULL, 
	forwarded BOOLEAN NOT NULL, 
	PRIMARY KEY (dossier_id)
);
CREATE TABLE outbox (
	id INTEGER NOT NULL, 
	topic VARCHAR(200) NOT NULL, 
	"key" VARCHAR(200), 
	payload BLOB NOT NULL, 
	published_at DATETIME, 
	PRIMARY KEY (id)
);
CREATE TABLE standings (
	period_key VARCHAR(40) NOT NULL, 
	subject_kind VARCHAR(10) NOT NULL, 
	subject_code VARCHAR(200) NOT NULL, 
	unit_code VARCHAR(100) NOT NULL, 
	rank INTEGER NOT NULL, 
	total_points NUMERIC(8, 2) NOT NULL, 
	targets_met VARCHAR(100) NOT NULL, 
	figures TEXT NOT NULL, 
	previous_rank INTEGER, 
	previous_points NUMERIC(8, 2), 
	as_of DATETIME NOT NULL, 
	PRIMARY KEY (period_key, subject_kind, subject_code)
);
CREATE INDEX ix_outbox_published_at ON outbox (published_at);
CREATE INDEX ix_cell_versions_period ON cell_versions (period_key, subject_kind);
COMMIT;
