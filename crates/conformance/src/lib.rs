//! Test-only crate: the conformance suites live in `tests/conformance.rs` (one entry point,
//! `cargo test -p modelsign-conformance --test conformance`); see `README.md`. A package
//! needs at least one library or binary target, hence this empty library.
