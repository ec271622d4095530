-- One database per service: no service reads another's tables.
CREATE DATABASE metrics;
CREATE DATABASE dossiers;
CREATE DATABASE awards;
CREATE DATABASE notifier;
