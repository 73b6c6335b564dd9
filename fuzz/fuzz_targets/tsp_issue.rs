//! The TSA issuance core (`Issuer::respond`) on arbitrary request bytes, with a dev PKI
//! generated once at start-up (see `harness/issue.rs` and the README).
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

#[path = "../harness/issue.rs"]
mod harness;

fn fixture() -> &'static harness::IssueFixture {
    static FIXTURE: OnceLock<harness::IssueFixture> = OnceLock::new();
    FIXTURE.get_or_init(|| match harness::tsp_issue_fixture() {
        Ok(f) => f,
        Err(e) => {
            // Not an input-dependent failure: stop before libFuzzer reports it as a crash.
            eprintln!("tsp_issue: cannot build the issuer: {e}");
            std::process::exit(2);
        }
    })
}

fuzz_target!(|data: &[u8]| {
    harness::tsp_issue(data, fixture());
});
