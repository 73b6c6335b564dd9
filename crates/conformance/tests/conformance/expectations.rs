//! Expectation files and the per-suite tally.
//!
//! Each suite has one JSON file under `crates/conformance/expectations/`:
//!
//! ```json
//! { "suite": "pkits",
//!   "skip": { "<case id>": "why this case is out of scope" },
//!   "known_wrong_rejects": { "<case id>": "why modelsign rejects a case the suite accepts" } }
//! ```
//!
//! Rules enforced by [`Tally::finish`]:
//! * a WRONG ACCEPT (suite expects rejection, modelsign accepts) is always a failure, and
//!   listing such a case under `known_wrong_rejects` is itself a failure — the file has no
//!   way to excuse one;
//! * a wrong reject not listed is a regression;
//! * a listed case that now agrees with the suite, was skipped, or does not exist is stale
//!   and fails too, so the file stays true;
//! * every reason is a non-empty line.
//!
//! Cases in `skip` are still run where that is cheap, and their observed outcome is shown,
//! so a skip never hides what modelsign would do.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Deserialize;

/// The directory of the expectation files.
const EXPECTATIONS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/expectations");

/// One suite's expectation file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Expectations {
    suite: String,
    /// Free text: where the suite comes from, how ids are formed.
    #[serde(default)]
    #[allow(dead_code)]
    about: String,
    #[serde(default)]
    skip: BTreeMap<String, String>,
    #[serde(default)]
    known_wrong_rejects: BTreeMap<String, String>,
}

impl Expectations {
    /// Loads `expectations/<file>` and checks its own consistency.
    pub(crate) fn load(file: &str, suite: &str) -> Result<Self, String> {
        let path = format!("{EXPECTATIONS_DIR}/{file}");
        let text = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
        Self::from_json(&text, suite, &path)
    }

    /// Parses and checks an expectation file's text; `path` names it in errors.
    pub(crate) fn from_json(text: &[u8], suite: &str, path: &str) -> Result<Self, String> {
        let exp: Expectations = serde_json::from_slice(text).map_err(|e| format!("{path}: {e}"))?;
        if exp.suite != suite {
            return Err(format!(
                "{path}: suite is {:?}, expected {suite:?}",
                exp.suite
            ));
        }
        for (id, reason) in exp.skip.iter().chain(&exp.known_wrong_rejects) {
            if reason.trim().is_empty() || reason.contains('\n') {
                return Err(format!(
                    "{path}: {id}: the reason must be one non-empty line"
                ));
            }
        }
        if let Some(id) = exp
            .skip
            .keys()
            .find(|id| exp.known_wrong_rejects.contains_key(*id))
        {
            return Err(format!(
                "{path}: {id} is both skipped and a known wrong reject"
            ));
        }
        Ok(exp)
    }

    /// The reason a case is listed as out of scope, if it is.
    pub(crate) fn skip_reason(&self, id: &str) -> Option<&str> {
        self.skip.get(id).map(String::as_str)
    }
}

/// What the code under test did with one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Accepted,
    /// Rejected, with the error text.
    Rejected(String),
}

impl Outcome {
    pub(crate) fn from_result<T, E: std::fmt::Display>(r: Result<T, E>) -> Self {
        match r {
            Ok(_) => Outcome::Accepted,
            Err(e) => Outcome::Rejected(e.to_string()),
        }
    }

    fn accepted(&self) -> bool {
        matches!(self, Outcome::Accepted)
    }
}

/// The suite's verdict for a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expected {
    Accept,
    Reject,
    /// Wycheproof "acceptable": either outcome is allowed; logged and counted apart.
    Either,
}

#[derive(Debug)]
enum Entry {
    Ran {
        expected: Expected,
        outcome: Outcome,
    },
    Skipped {
        reason: String,
        /// What modelsign did anyway, when the harness could run it.
        observed: Option<(Expected, Outcome)>,
    },
}

/// Results of one suite, in case order.
#[derive(Debug)]
pub(crate) struct Tally {
    suite: &'static str,
    entries: Vec<(String, Entry)>,
    /// Extra lines printed under the summary (baselines, notes).
    pub(crate) notes: Vec<String>,
    /// Failures the harness found besides the accept/reject verdicts (e.g. a case rejected
    /// for the wrong reason).
    extra_problems: Vec<String>,
}

/// The printed result of one suite.
#[derive(Debug)]
pub(crate) struct Summary {
    pub(crate) suite: &'static str,
    pub(crate) line: String,
    pub(crate) details: Vec<String>,
    pub(crate) problems: Vec<String>,
}

impl Tally {
    pub(crate) fn new(suite: &'static str) -> Self {
        Tally {
            suite,
            entries: Vec::new(),
            notes: Vec::new(),
            extra_problems: Vec::new(),
        }
    }

    /// Records a failure that is not an accept/reject disagreement.
    pub(crate) fn problem(&mut self, text: impl Into<String>) {
        self.extra_problems.push(text.into());
    }

    pub(crate) fn ran(&mut self, id: impl Into<String>, expected: Expected, outcome: Outcome) {
        self.entries
            .push((id.into(), Entry::Ran { expected, outcome }));
    }

    pub(crate) fn skipped(&mut self, id: impl Into<String>, reason: impl Into<String>) {
        self.entries.push((
            id.into(),
            Entry::Skipped {
                reason: reason.into(),
                observed: None,
            },
        ));
    }

    /// A skipped case that was run anyway for information.
    pub(crate) fn skipped_observed(
        &mut self,
        id: impl Into<String>,
        reason: impl Into<String>,
        expected: Expected,
        outcome: Outcome,
    ) {
        self.entries.push((
            id.into(),
            Entry::Skipped {
                reason: reason.into(),
                observed: Some((expected, outcome)),
            },
        ));
    }

    /// Compares the results with the expectations; the summary's `problems` fail the run.
    pub(crate) fn finish(self, exp: &Expectations) -> Summary {
        let (mut passed, mut failed, mut skipped, mut acceptable) =
            (0usize, 0usize, 0usize, 0usize);
        let mut wrong_accepts = 0usize;
        let mut details = Vec::new();
        let mut problems = self.extra_problems.clone();
        let mut seen = BTreeSet::new();
        let mut skipped_would_accept = Vec::new();
        let (mut acceptable_accepted, mut acceptable_rejected) = (Vec::new(), Vec::new());
        // `CONFORMANCE_VERBOSE=1` lists every case with its outcome.
        let verbose = std::env::var_os("CONFORMANCE_VERBOSE").is_some();
        for (id, entry) in &self.entries {
            if verbose {
                details.push(format!("  case {id}: {entry:?}"));
            }
            if !seen.insert(id.clone()) {
                problems.push(format!("{id}: case id occurs twice (harness bug)"));
            }
            let listed = exp.known_wrong_rejects.get(id);
            match entry {
                Entry::Skipped { reason, observed } => {
                    skipped += 1;
                    if let Some(r) = listed {
                        problems.push(format!(
                            "{id}: listed as known wrong reject ({r}) but skipped ({reason}): remove it"
                        ));
                    }
                    if let Some((Expected::Reject, Outcome::Accepted)) = observed {
                        skipped_would_accept.push(id.clone());
                    }
                }
                Entry::Ran {
                    expected: Expected::Either,
                    outcome,
                } => {
                    acceptable += 1;
                    match outcome {
                        Outcome::Accepted => acceptable_accepted.push(id.clone()),
                        Outcome::Rejected(_) => acceptable_rejected.push(id.clone()),
                    }
                    if let Some(r) = listed {
                        problems.push(format!(
                            "{id}: \"acceptable\" cases cannot be known wrong rejects ({r})"
                        ));
                    }
                }
                Entry::Ran { expected, outcome } => {
                    let want_accept = *expected == Expected::Accept;
                    match (want_accept, outcome.accepted(), listed) {
                        (true, true, None) | (false, false, None) => passed += 1,
                        (true, true, Some(r)) => {
                            passed += 1;
                            problems.push(format!(
                                "{id}: now accepted as the suite expects; remove it from known_wrong_rejects ({r})"
                            ));
                        }
                        (false, false, Some(r)) => {
                            passed += 1;
                            problems.push(format!(
                                "{id}: the suite expects rejection, so it cannot be a known wrong reject ({r}); remove it"
                            ));
                        }
                        (false, true, listed) => {
                            failed += 1;
                            wrong_accepts += 1;
                            problems.push(format!(
                                "{id}: WRONG ACCEPT: the suite expects rejection and modelsign accepted it"
                            ));
                            if listed.is_some() {
                                problems.push(format!(
                                    "{id}: a wrong accept is never allowed in the expectations file"
                                ));
                            }
                        }
                        (true, false, Some(r)) => {
                            failed += 1;
                            details.push(format!("  known wrong reject {id}: {r}"));
                        }
                        (true, false, None) => {
                            failed += 1;
                            let why = match outcome {
                                Outcome::Rejected(e) => e.as_str(),
                                Outcome::Accepted => "",
                            };
                            problems.push(format!(
                                "{id}: REGRESSION: wrong reject (not in known_wrong_rejects): {why}"
                            ));
                        }
                    }
                }
            }
        }
        for id in exp.known_wrong_rejects.keys().chain(exp.skip.keys()) {
            if !seen.contains(id) {
                problems.push(format!(
                    "{id}: listed in the expectations file but no such case ran: remove it"
                ));
            }
        }
        let mut line = format!(
            "{}: {passed} passed, {failed} failed, {skipped} skipped",
            self.suite
        );
        if acceptable > 0 {
            let _ = write!(line, ", {acceptable} acceptable (logged, not counted)");
        }
        let _ = write!(line, "; wrong accepts: {wrong_accepts}");
        if acceptable > 0 {
            details.push(format!(
                "  acceptable cases: {} accepted [{}], {} rejected [{}]",
                acceptable_accepted.len(),
                abbreviated(&acceptable_accepted),
                acceptable_rejected.len(),
                abbreviated(&acceptable_rejected)
            ));
        }
        if !skipped_would_accept.is_empty() {
            details.push(format!(
                "  note: {} skipped case(s) would be accepted although the suite expects rejection (out of scope, see the skip reasons): {}",
                skipped_would_accept.len(),
                skipped_would_accept.join(", ")
            ));
        }
        details.extend(self.notes.iter().map(|n| format!("  {n}")));
        Summary {
            suite: self.suite,
            line,
            details,
            problems,
        }
    }
}

/// At most 12 ids, then a count of the rest (keeps the log readable).
fn abbreviated(ids: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut s = ids
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN {
        let _ = write!(s, ", ... {} more", ids.len() - SHOWN);
    }
    s
}
