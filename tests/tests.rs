//! journeymap's integration tests: one binary (as ripgrep does), each module a concern.
//! They run the real `journeymap` executable with a pinned date and a scrubbed environment.

// A failed unwrap in a test is a failed test, with its line.
#![allow(clippy::unwrap_used)]

mod analytics;
mod browser;
mod chunks;
mod docs;
mod edges;
mod effects;
mod events;
mod examples;
mod fuzz_regressions;
mod hostile;
mod init_schema;
mod invalid;
mod markdown;
mod mistakes;
mod other_tools;
mod output;
mod pictures;
mod portfolio;
mod properties;
mod real;
mod review;
mod safety;
mod scoring;
mod sentiment;
mod serve;
mod sql;
mod sql_quoting;
mod summary;
mod survey_sql;
mod surveys;
mod targets;
mod themes;
mod trackers;
mod trust;
mod untrusted;
mod waves;
mod workbooks;

mod util;
mod workflow;
