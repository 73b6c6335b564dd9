//! Checks of the expectation rules themselves ([`crate::expectations`]): without them a
//! harness bug could turn every suite green. Runs first, as suite `selftest`.

use crate::expectations::{Expectations, Expected, Outcome, Summary, Tally};

fn exp(json: &str) -> Expectations {
    Expectations::from_json(json.as_bytes(), "t", "selftest").unwrap()
}

fn rejected() -> Outcome {
    Outcome::Rejected("no".into())
}

/// Runs `cases` against `json` and returns the problems.
fn problems(json: &str, cases: &[(&str, Expected, Outcome)]) -> Vec<String> {
    let mut tally = Tally::new("t");
    for (id, expected, outcome) in cases {
        tally.ran(*id, *expected, outcome.clone());
    }
    tally.finish(&exp(json)).problems
}

pub(crate) fn run() -> Result<Summary, String> {
    let mut results: Vec<(String, bool)> = Vec::new();
    let mut check = |name: &str, ok: bool| results.push((name.to_owned(), ok));
    let empty = r#"{"suite":"t"}"#;

    let p = problems(
        empty,
        &[
            ("a", Expected::Accept, Outcome::Accepted),
            ("b", Expected::Reject, rejected()),
        ],
    );
    check("agreeing cases give no problem", p.is_empty());

    let p = problems(empty, &[("a", Expected::Reject, Outcome::Accepted)]);
    check(
        "a wrong accept is a problem",
        p.iter().any(|x| x.contains("WRONG ACCEPT")),
    );

    let listed = r#"{"suite":"t","known_wrong_rejects":{"a":"r"}}"#;
    let p = problems(listed, &[("a", Expected::Reject, Outcome::Accepted)]);
    check(
        "a listed wrong accept is still a problem",
        p.iter().any(|x| x.contains("never allowed")),
    );

    let p = problems(empty, &[("a", Expected::Accept, rejected())]);
    check(
        "an unlisted wrong reject is a regression",
        p.iter().any(|x| x.contains("REGRESSION")),
    );

    let p = problems(listed, &[("a", Expected::Accept, rejected())]);
    check("a listed wrong reject is accepted", p.is_empty());

    let p = problems(listed, &[("a", Expected::Accept, Outcome::Accepted)]);
    check(
        "a listed case that now passes is stale",
        p.iter().any(|x| x.contains("remove it")),
    );

    let p = problems(listed, &[("b", Expected::Accept, Outcome::Accepted)]);
    check(
        "a listed case that never ran is stale",
        p.iter().any(|x| x.contains("no such case")),
    );

    let p = problems(empty, &[("a", Expected::Either, rejected())]);
    check("acceptable cases are not failures", p.is_empty());

    let bad = [
        r#"{"suite":"t","known_wrong_accepts":{"a":"r"}}"#,
        r#"{"suite":"t","skip":{"a":""}}"#,
        r#"{"suite":"other"}"#,
        r#"{"suite":"t","skip":{"a":"r"},"known_wrong_rejects":{"a":"r"}}"#,
    ];
    for json in bad {
        check(
            &format!("malformed expectations are refused: {json}"),
            Expectations::from_json(json.as_bytes(), "t", "selftest").is_err(),
        );
    }

    let mut tally = Tally::new("selftest");
    for (name, ok) in results {
        let outcome = if ok {
            Outcome::Accepted
        } else {
            Outcome::Rejected("rule broken".into())
        };
        tally.ran(name, Expected::Accept, outcome);
    }
    let own = Expectations::from_json(br#"{"suite":"selftest"}"#, "selftest", "selftest")?;
    Ok(tally.finish(&own))
}
