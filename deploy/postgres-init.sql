-- Koers's own store (tasks, outbox) lives beside Temporal's databases on the same server.
-- The password is set by deploy/temporal-schema.sh from POSTGRES_PASSWORD.
CREATE ROLE koers LOGIN;
CREATE DATABASE koers OWNER koers;
