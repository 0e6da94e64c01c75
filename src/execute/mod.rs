//! Running a plan: every call instance, concurrently, each distinct call once.

pub mod backend;
