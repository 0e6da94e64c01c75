//! The check format: packs, suites, calls and checks, loaded from YAML with locations.

pub mod yaml;
