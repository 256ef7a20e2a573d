-- netmap schema 1 as first released (sqlmodel 0.0.50, SQLAlchemy 2.1.9): CREATE TABLE and
-- CREATE INDEX for SQLite, then for PostgreSQL. Changing it needs a migration (netmap/storage/schema.py).
CREATE TABLE audit (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR NOT NULL, 
	action VARCHAR NOT NULL, 
	target VARCHAR NOT NULL, 
	counts VARCHAR NOT NULL, 
	PRIMARY KEY (id)
)
CREATE INDEX ix_audit_at ON audit (at)
CREATE TABLE import_log (
	id INTEGER NOT NULL, 
	batch VARCHAR NOT NULL, 
	file_name VARCHAR NOT NULL, 
	sheet VARCHAR, 
	content_sha256 VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	mapping_json VARCHAR NOT NULL, 
	rows_read INTEGER NOT NULL, 
	added INTEGER NOT NULL, 
	updated INTEGER NOT NULL, 
	refused INTEGER NOT NULL, 
	warnings INTEGER NOT NULL, 
	details_json VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	undone_at DATETIME, 
	PRIMARY KEY (id)
)
CREATE INDEX ix_import_log_batch ON import_log (batch)
CREATE INDEX ix_import_log_content_sha256 ON import_log (content_sha256)
CREATE TABLE interaction (
	id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	external_id VARCHAR NOT NULL, 
	name VARCHAR, 
	happened_on DATE, 
	PRIMARY KEY (id), 
	UNIQUE (kind, external_id)
)
CREATE TABLE measure_cache (
	name VARCHAR NOT NULL, 
	data_version INTEGER NOT NULL, 
	payload BLOB NOT NULL, 
	PRIMARY KEY (name)
)
CREATE TABLE meta (
	"key" VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
)
CREATE TABLE person (
	id INTEGER NOT NULL, 
	crm_id VARCHAR, 
	email VARCHAR, 
	first_name VARCHAR, 
	last_name VARCHAR, 
	name VARCHAR, 
	company VARCHAR, 
	owner VARCHAR, 
	stage VARCHAR, 
	segment VARCHAR, 
	region VARCHAR, 
	created DATE, 
	listed BOOLEAN NOT NULL, 
	PRIMARY KEY (id)
)
CREATE INDEX ix_person_crm_id ON person (crm_id)
CREATE INDEX ix_person_email ON person (email)
CREATE INDEX ix_person_name ON person (name)
CREATE TABLE feedback (
	id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	score FLOAT NOT NULL, 
	scale VARCHAR NOT NULL, 
	answered_on DATE, 
	comment VARCHAR, 
	response_id VARCHAR, 
	natural_key VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (person_id, natural_key), 
	FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE
)
CREATE INDEX ix_feedback_person_id ON feedback (person_id)
CREATE TABLE identifier (
	id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (kind, value), 
	FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE
)
CREATE INDEX ix_identifier_person_id ON identifier (person_id)
CREATE TABLE import_change (
	id INTEGER NOT NULL, 
	import_id INTEGER NOT NULL, 
	table_name VARCHAR NOT NULL, 
	row_id INTEGER NOT NULL, 
	action VARCHAR NOT NULL, 
	before_json VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(import_id) REFERENCES import_log (id) ON DELETE CASCADE
)
CREATE INDEX ix_change_target ON import_change (table_name, row_id)
CREATE INDEX ix_import_change_import_id ON import_change (import_id)
CREATE TABLE participation (
	id INTEGER NOT NULL, 
	interaction_id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (interaction_id, person_id), 
	FOREIGN KEY(interaction_id) REFERENCES interaction (id) ON DELETE CASCADE, 
	FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE
)
CREATE INDEX ix_participation_interaction_id ON participation (interaction_id)
CREATE INDEX ix_participation_person_id ON participation (person_id)
CREATE TABLE referral (
	id INTEGER NOT NULL, 
	referrer_id INTEGER NOT NULL, 
	referred_id INTEGER NOT NULL, 
	referred_on DATE, 
	status VARCHAR, 
	value FLOAT, 
	PRIMARY KEY (id), 
	UNIQUE (referrer_id, referred_id), 
	FOREIGN KEY(referrer_id) REFERENCES person (id) ON DELETE CASCADE, 
	FOREIGN KEY(referred_id) REFERENCES person (id) ON DELETE CASCADE
)
CREATE INDEX ix_referral_referred_id ON referral (referred_id)
CREATE INDEX ix_referral_referrer_id ON referral (referrer_id)
CREATE TABLE relationship (
	id INTEGER NOT NULL, 
	a_id INTEGER NOT NULL, 
	b_id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	strength FLOAT, 
	since DATE, 
	PRIMARY KEY (id), 
	UNIQUE (a_id, b_id, kind), 
	FOREIGN KEY(a_id) REFERENCES person (id) ON DELETE CASCADE, 
	FOREIGN KEY(b_id) REFERENCES person (id) ON DELETE CASCADE
)
CREATE INDEX ix_relationship_a_id ON relationship (a_id)
CREATE INDEX ix_relationship_b_id ON relationship (b_id)
CREATE TABLE review (
	id INTEGER NOT NULL, 
	import_id INTEGER NOT NULL, 
	a_id INTEGER NOT NULL, 
	b_id INTEGER NOT NULL, 
	reason VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(import_id) REFERENCES import_log (id) ON DELETE CASCADE, 
	FOREIGN KEY(a_id) REFERENCES person (id) ON DELETE CASCADE, 
	FOREIGN KEY(b_id) REFERENCES person (id) ON DELETE CASCADE
)
CREATE INDEX ix_review_a_id ON review (a_id)
CREATE INDEX ix_review_b_id ON review (b_id)
CREATE INDEX ix_review_import_id ON review (import_id)
CREATE TABLE audit (
	id SERIAL NOT NULL, 
	at TIMESTAMP WITH TIME ZONE NOT NULL, 
	actor VARCHAR NOT NULL, 
	action VARCHAR NOT NULL, 
	target VARCHAR NOT NULL, 
	counts VARCHAR NOT NULL, 
	PRIMARY KEY (id)
)
CREATE INDEX ix_audit_at ON audit (at)
CREATE TABLE import_log (
	id SERIAL NOT NULL, 
	batch VARCHAR NOT NULL, 
	file_name VARCHAR NOT NULL, 
	sheet VARCHAR, 
	content_sha256 VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	mapping_json VARCHAR NOT NULL, 
	rows_read INTEGER NOT NULL, 
	added INTEGER NOT NULL, 
	updated INTEGER NOT NULL, 
	refused INTEGER NOT NULL, 
	warnings INTEGER NOT NULL, 
	details_json VARCHAR NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	undone_at TIMESTAMP WITH TIME ZONE, 
	PRIMARY KEY (id)
)
CREATE INDEX ix_import_log_batch ON import_log (batch)
CREATE INDEX ix_import_log_content_sha256 ON import_log (content_sha256)
CREATE TABLE interaction (
	id SERIAL NOT NULL, 
	kind VARCHAR NOT NULL, 
	external_id VARCHAR NOT NULL, 
	name VARCHAR, 
	happened_on DATE, 
	PRIMARY KEY (id), 
	UNIQUE (kind, external_id)
)
CREATE TABLE measure_cache (
	name VARCHAR NOT NULL, 
	data_version INTEGER NOT NULL, 
	payload BYTEA NOT NULL, 
	PRIMARY KEY (name)
)
CREATE TABLE meta (
	key VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY (key)
)
CREATE TABLE person (
	id SERIAL NOT NULL, 
	crm_id VARCHAR, 
	email VARCHAR, 
	first_name VARCHAR, 
	last_name VARCHAR, 
	name VARCHAR, 
	company VARCHAR, 
	owner VARCHAR, 
	stage VARCHAR, 
	segment VARCHAR, 
	region VARCHAR, 
	created DATE, 
	listed BOOLEAN NOT NULL, 
	PRIMARY KEY (id)
)
CREATE INDEX ix_person_crm_id ON person (crm_id)
CREATE INDEX ix_person_email ON person (email)
CREATE INDEX ix_person_name ON person (name)
CREATE TABLE feedback (
	id SERIAL NOT NULL, 
	person_id INTEGER NOT NULL, 
	score FLOAT NOT NULL, 
	scale VARCHAR NOT NULL, 
	answered_on DATE, 
	comment VARCHAR, 
	response_id VARCHAR, 
	natural_key VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (person_id, natural_key), 
	FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE
)
CREATE INDEX ix_feedback_person_id ON feedback (person_id)
CREATE TABLE identifier (
	id SERIAL NOT NULL, 
	person_id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (kind, value), 
	FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE
)
CREATE INDEX ix_identifier_person_id ON identifier (person_id)
CREATE TABLE import_change (
	id SERIAL NOT NULL, 
	import_id INTEGER NOT NULL, 
	table_name VARCHAR NOT NULL, 
	row_id INTEGER NOT NULL, 
	action VARCHAR NOT NULL, 
	before_json VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(import_id) REFERENCES import_log (id) ON DELETE CASCADE
)
CREATE INDEX ix_change_target ON import_change (table_name, row_id)
CREATE INDEX ix_import_change_import_id ON import_change (import_id)
CREATE TABLE participation (
	id SERIAL NOT NULL, 
	interaction_id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (interaction_id, person_id), 
	FOREIGN KEY(interaction_id) REFERENCES interaction (id) ON DELETE CASCADE, 
	FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE
)
CREATE INDEX ix_participation_interaction_id ON participation (interaction_id)
CREATE INDEX ix_participation_person_id ON participation (person_id)
CREATE TABLE referral (
	id SERIAL NOT NULL, 
	referrer_id INTEGER NOT NULL, 
	referred_id INTEGER NOT NULL, 
	referred_on DATE, 
	status VARCHAR, 
	value FLOAT, 
	PRIMARY KEY (id), 
	UNIQUE (referrer_id, referred_id), 
	FOREIGN KEY(referrer_id) REFERENCES person (id) ON DELETE CASCADE, 
	FOREIGN KEY(referred_id) REFERENCES person (id) ON DELETE CASCADE
)
CREATE INDEX ix_referral_referred_id ON referral (referred_id)
CREATE INDEX ix_referral_referrer_id ON referral (referrer_id)
CREATE TABLE relationship (
	id SERIAL NOT NULL, 
	a_id INTEGER NOT NULL, 
	b_id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	strength FLOAT, 
	since DATE, 
	PRIMARY KEY (id), 
	UNIQUE (a_id, b_id, kind), 
	FOREIGN KEY(a_id) REFERENCES person (id) ON DELETE CASCADE, 
	FOREIGN KEY(b_id) REFERENCES person (id) ON DELETE CASCADE
)
CREATE INDEX ix_relationship_a_id ON relationship (a_id)
CREATE INDEX ix_relationship_b_id ON relationship (b_id)
CREATE TABLE review (
	id SERIAL NOT NULL, 
	import_id INTEGER NOT NULL, 
	a_id INTEGER NOT NULL, 
	b_id INTEGER NOT NULL, 
	reason VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(import_id) REFERENCES import_log (id) ON DELETE CASCADE, 
	FOREIGN KEY(a_id) REFERENCES person (id) ON DELETE CASCADE, 
	FOREIGN KEY(b_id) REFERENCES person (id) ON DELETE CASCADE
)
CREATE INDEX ix_review_a_id ON review (a_id)
CREATE INDEX ix_review_b_id ON review (b_id)
CREATE INDEX ix_review_import_id ON review (import_id)
