//! Multi-workstation replication through a shared PostgreSQL hub (issue #11).
