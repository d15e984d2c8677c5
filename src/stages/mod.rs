//! One module per install stage (see `pipeline` for the order and how to add one).

pub mod apply;
pub mod namespaces;
pub mod preflight;
pub mod schema;
pub mod secrets;
pub mod trees;
pub mod trust;
pub mod wait;
