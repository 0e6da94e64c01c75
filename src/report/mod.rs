//! Reporting run results: the console (libtest style) and JUnit XML, both from one outcome list,
//! both worded by [`text`].

pub mod console;
pub mod escape;
pub mod junit;
pub mod merge;
pub mod pack_test;
pub mod records;
pub mod text;

#[cfg(test)]
mod tests;
