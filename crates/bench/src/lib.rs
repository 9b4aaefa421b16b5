//! Scenario runner for the guide's claims (issue #9).
