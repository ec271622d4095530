BEGIN TRANSACTION;
CREATE TABLE accounts (
	username VARCHAR(100) NOT NULL, 
	display_name VARCHAR(200) NOT NULL, 
	role VARCHAR(20) NOT NULL, 
	unit_code VARCHAR(50), 
	password_hash VARCHAR(300) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (username)
);
COMMIT;
