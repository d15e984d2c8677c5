//! The work the upstream design runs as Kubernetes Jobs, done in-process: the Trillian schema
//! (mysql_async), trees (tonic + our own prost messages), keys and certificates (rcgen, p256) and
//! the CT log's configuration. Nothing here knows about Kubernetes: callers pass socket addresses
//! and get bytes back, so all of it is tested against a real MariaDB and a real Trillian.

pub mod certs;
pub mod ctlog_config;
pub mod schema;
pub mod secret;
pub mod trillian;
