BEGIN TRANSACTION;
CREATE TABLE attachments (
	dossier_id VARCHAR(36) NOT NULL, 
	set_number INTEGER NOT NULL, 
	document_kind VARCHAR(100) NOT NULL, 
	PRIMARY KEY (dossier_id, set_number, document_kind)
);
CREATE TABLE candidates (
	candidate_id VARCHAR(300) NOT NULL, 
	award_type VARCHAR(100) NOT NULL, 
	award_name VARCHAR(300) NOT NULL, 
	nominee_kind VARCHAR(20) NOT NULL, 
	nominee_code VARCHAR(300) NOT NULL, 
	nominee_name VARCHAR(300) NOT NULL, 
	unit_code VARCHAR(100) NOT NULL, 
	open BOOLEAN NOT NULL, 
	PRIMARY KEY (candidate_id)
);
CREATE TABLE cells (
	unit_code VARCHAR(100) NOT NULL, 
	indicator VARCHAR(16) NOT NULL, 
	indicator_name VARCHAR(300) NOT NULL, 
	counted_unit VARCHAR(50) NOT NULL, 
	numerator INTEGER NOT NULL, 
	denominator INTEGER NOT NULL, 
	rate VARCHAR(12), 
	target VARCHAR(12) NOT NULL, 
	met BOOLEAN NOT NULL, 
	state_since DATETIME NOT NULL, 
	as_of DATETIME, 
	PRIMARY KEY (unit_code, indicator)
);
CREATE TABLE clock_anchor (
	name VARCHAR(20) NOT NULL, 
	wall DATETIME NOT NULL, 
	campaign DATETIME NOT NULL, 
	PRIMARY KEY (name)
);
CREATE TABLE consumed_positions (
	consumer VARCHAR(100) NOT NULL, 
	topic VARCHAR(200) NOT NULL, 
	partition INTEGER NOT NULL, 
	"offset" BIGINT NOT NULL, 
	PRIMARY KEY (consumer, topic, partition)
);
CREATE TABLE deliveries (
	delivery_id VARCHAR(36) NOT NULL, 
	idempotency_key VARCHAR(64) NOT NULL, 
	notice_id INTEGER NOT NULL, 
	cause_event_id VARCHAR(36) NOT NULL, 
	correlation_id VARCHAR(36) NOT NULL, 
	rule VARCHAR(50) NOT NULL, 
	audience VARCHAR(20) NOT NULL, 
	unit_code VARCHAR(100) NOT NULL, 
	channel VARCHAR(20) NOT NULL, 
	recipient VARCHAR(500) NOT NULL, 
	recipient_name VARCHAR(300) NOT NULL, 
	language VARCHAR(5) NOT NULL, 
	subject VARCHAR(500) NOT NULL, 
	text TEXT NOT NULL, 
	html TEXT NOT NULL, 
	payload TEXT NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	attempts INTEGER NOT NULL, 
	last_error TEXT, 
	next_attempt_at DATETIME NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	sent_at DATETIME, 
	PRIMARY KEY (delivery_id), 
	UNIQUE (idempotency_key)
);
CREATE TABLE delivery_attempts (
	delivery_id VARCHAR(36) NOT NULL, 
	number INTEGER NOT NULL, 
	started_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	outcome VARCHAR(20), 
	error TEXT, 
	PRIMARY KEY (delivery_id, number)
);
CREATE TABLE dossiers (
	dossier_id VARCHAR(36) NOT NULL, 
	unit_code VARCHAR(100) NOT NULL, 
	award_type VARCHAR(100) NOT NULL, 
	nominee_kind VARCHAR(20) NOT NULL, 
	nominee_code VARCHAR(300) NOT NULL, 
	submitted BOOLEAN NOT NULL, 
	PRIMARY KEY (dossier_id)
);
CREATE TABLE freshness (
	kind VARCHAR(10) NOT NULL, 
	code VARCHAR(200) NOT NULL, 
	last_record_at DATETIME NOT NULL, 
	PRIMARY KEY (kind, code)
);
CREATE TABLE notices (
	id INTEGER NOT NULL, 
	rule VARCHAR(50) NOT NULL, 
	unit_code VARCHAR(100) NOT NULL, 
	subject_key VARCHAR(300) NOT NULL, 
	period VARCHAR(100) NOT NULL, 
	template VARCHAR(50) NOT NULL, 
	context TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_notice_once UNIQUE (rule, unit_code, subject_key, period)
);
CREATE TABLE outbox (
	id INTEGER NOT NULL, 
	topic VARCHAR(200) NOT NULL, 
	"key" VARCHAR(200), 
	payload BLOB NOT NULL, 
	published_at DATETIME, 
	PRIMARY KEY (id)
);
CREATE TABLE schedule_marks (
	rule VARCHAR(50) NOT NULL, 
	last_slot DATETIME NOT NULL, 
	PRIMARY KEY (rule)
);
CREATE TABLE standings (
	unit_code VARCHAR(100) NOT NULL, 
	rank INTEGER NOT NULL, 
	total_points VARCHAR(20) NOT NULL, 
	PRIMARY KEY (unit_code)
);
CREATE INDEX ix_outbox_published_at ON outbox (published_at);
CREATE INDEX ix_deliveries_status ON deliveries (status);
CREATE INDEX ix_deliveries_unit_code ON deliveries (unit_code);
CREATE INDEX ix_deliveries_created_at ON deliveries (created_at);
CREATE INDEX ix_deliveries_rule ON deliveries (rule);
COMMIT;
