BEGIN TRANSACTION;
CREATE TABLE award_decisions (
	decision_id VARCHAR(36) NOT NULL, 
	decision_number VARCHAR(100) NOT NULL, 
	payload TEXT NOT NULL, 
	dossier_id VARCHAR(36), 
	award_type VARCHAR(100) NOT NULL, 
	nominee_kind VARCHAR(20) NOT NULL, 
	nominee_code VARCHAR(200) NOT NULL, 
	revoked_reason TEXT, 
	PRIMARY KEY (decision_id)
);
CREATE TABLE candidates (
	candidate_id VARCHAR(300) NOT NULL, 
	award_type VARCHAR(100) NOT NULL, 
	nominee_kind VARCHAR(20) NOT NULL, 
	nominee_code VARCHAR(200) NOT NULL, 
	nominee_name TEXT NOT NULL, 
	unit_code VARCHAR(100) NOT NULL, 
	proposed BOOLEAN NOT NULL, 
	reason TEXT, 
	evidence TEXT NOT NULL, 
	source_event_id VARCHAR(36) NOT NULL, 
	PRIMARY KEY (candidate_id)
);
CREATE TABLE consumed_positions (
	consumer VARCHAR(100) NOT NULL, 
	topic VARCHAR(200) NOT NULL, 
	partition INTEGER NOT NULL, 
	"offset" BIGINT NOT NULL, 
	PRIMARY KEY (consumer, topic, partition)
);
CREATE TABLE dossier_documents (
	dossier_id VARCHAR(36) NOT NULL, 
	set_number INTEGER NOT NULL, 
	document_kind VARCHAR(60) NOT NULL, 
	filename VARCHAR(255) NOT NULL, 
	content_type VARCHAR(100) NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	size_bytes BIGINT NOT NULL, 
	uploaded_by VARCHAR(120) NOT NULL, 
	attached_at DATETIME NOT NULL, 
	PRIMARY KEY (dossier_id, set_number, document_kind)
);
CREATE TABLE dossier_events (
	dossier_id VARCHAR(36) NOT NULL, 
	sequence INTEGER NOT NULL, 
	event_id VARCHAR(36) NOT NULL, 
	event_type VARCHAR(40) NOT NULL, 
	occurred_at DATETIME NOT NULL, 
	payload TEXT NOT NULL, 
	PRIMARY KEY (dossier_id, sequence), 
	UNIQUE (event_id)
);
CREATE TABLE dossiers (
	dossier_id VARCHAR(36) NOT NULL, 
	campaign_id VARCHAR(100) NOT NULL, 
	campaign_version VARCHAR(40) NOT NULL, 
	unit_code VARCHAR(100) NOT NULL, 
	award_type VARCHAR(100) NOT NULL, 
	nominee_kind VARCHAR(20) NOT NULL, 
	nominee_code VARCHAR(200) NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	version INTEGER NOT NULL, 
	opened_at DATETIME NOT NULL, 
	opened_by VARCHAR(120) NOT NULL, 
	submitted_at DATETIME, 
	submitted_by VARCHAR(120), 
	reviewed_at DATETIME, 
	reviewed_by VARCHAR(120), 
	findings TEXT NOT NULL, 
	review_note TEXT, 
	forwarded_at DATETIME, 
	forwarded_by VARCHAR(120), 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (dossier_id)
);
CREATE TABLE nominations (
	campaign_id VARCHAR(100) NOT NULL, 
	award_type VARCHAR(100) NOT NULL, 
	nominee_kind VARCHAR(20) NOT NULL, 
	nominee_code VARCHAR(200) NOT NULL, 
	dossier_id VARCHAR(36) NOT NULL, 
	PRIMARY KEY (campaign_id, award_type, nominee_kind, nominee_code), 
	UNIQUE (dossier_id)
);
CREATE TABLE nominee_figures (
	subject_kind VARCHAR(20) NOT NULL, 
	subject_code VARCHAR(200) NOT NULL, 
	indicator VARCHAR(4) NOT NULL, 
	numerator INTEGER NOT NULL, 
	denominator INTEGER NOT NULL, 
	target NUMERIC(6, 4) NOT NULL, 
	target_met BOOLEAN NOT NULL, 
	campaign_version VARCHAR(40) NOT NULL, 
	catalogue_version VARCHAR(40) NOT NULL, 
	as_of DATETIME NOT NULL, 
	source_event_id VARCHAR(36) NOT NULL, 
	PRIMARY KEY (subject_kind, subject_code, indicator)
);
CREATE TABLE outbox (
	id INTEGER NOT NULL, 
	topic VARCHAR(200) NOT NULL, 
	"key" VARCHAR(200), 
	payload BLOB NOT NULL, 
	published_at DATETIME, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_outbox_published_at ON outbox (published_at);
CREATE INDEX ix_award_decisions_dossier_id ON award_decisions (dossier_id);
CREATE INDEX ix_award_decisions_decision_number ON award_decisions (decision_number);
CREATE INDEX ix_dossiers_unit_status ON dossiers (unit_code, status);
CREATE INDEX ix_dossier_documents_sha256 ON dossier_documents (sha256);
COMMIT;
