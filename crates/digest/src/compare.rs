//! Comparing a signed manifest with a freshly computed one.
//!
//! As in model_signing 1.1.1 this is a comparison of `name -> digest` maps: resource order
//! and `model_name` do not matter. Differences from 1.1.1, all in the strict direction or
//! for interoperability:
//! - the resource `algorithm` strings are not compared, only digests (a shard bundle whose
//!   resources say plain `sha256`, as the OMS spec writes them, is accepted; a different
//!   hash function still gives different digests);
//! - a signed manifest naming one resource twice is refused (1.1.1 keeps the last one);
//! - for a single-file model, a signed manifest naming the file by its basename (OMS spec
//!   and Go port style) is read as `"."` (1.1.1 style), when it does not also use `"."`.
//!
//! Signed names need no normalisation here: `actual` names are canonical by construction,
//! so a non-canonical signed name (`./a`, `a//b`, `../x`) can never match and is reported
//! as missing. Names are only ever *opened* by [`crate::hash_files`], which checks them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::names::{parse_resource_name, ResourceName, SINGLE_FILE_NAME};
use crate::{Manifest, Method};

/// Why a model does not match its signed manifest. `Display` uses model_signing's wording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// Name of the model being verified (the actual one, as in 1.1.1's messages).
    pub model_name: String,
    /// In the model but not signed (sorted).
    pub extra: Vec<String>,
    /// Signed but not in the model (sorted).
    pub missing: Vec<String>,
    /// In both, with different digests (sorted by name).
    pub changed: Vec<HashMismatch>,
    /// Named more than once in the signed manifest (sorted).
    pub duplicates: Vec<String>,
}

/// One resource whose digest differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashMismatch {
    /// Resource name.
    pub name: String,
    /// Hex digest in the signed manifest.
    pub expected: String,
    /// Hex digest of the model on disk.
    pub actual: String,
}

impl Mismatch {
    /// One message per difference, in model_signing's order and wording.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.duplicates.is_empty() {
            out.push(format!(
                "Duplicate resources in signed manifest: {}",
                self.duplicates.join(", ")
            ));
        }
        if !self.extra.is_empty() {
            out.push(format!(
                "Extra files found in model '{}': {}",
                self.model_name,
                self.extra.join(", ")
            ));
        }
        if !self.missing.is_empty() {
            out.push(format!(
                "Missing files in model '{}': {}",
                self.model_name,
                self.missing.join(", ")
            ));
        }
        for m in &self.changed {
            out.push(format!(
                "Hash mismatch for '{}': Expected '{}', Actual '{}'",
                m.name, m.expected, m.actual
            ));
        }
        out
    }

    fn is_empty(&self) -> bool {
        self.extra.is_empty()
            && self.missing.is_empty()
            && self.changed.is_empty()
            && self.duplicates.is_empty()
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.messages().join("\n"))
    }
}

impl std::error::Error for Mismatch {}

/// Compares the signed manifest `expected` with the model's `actual` manifest.
pub fn compare(expected: &Manifest, actual: &Manifest) -> Result<(), Mismatch> {
    let rename_basename = single_file_alias(expected, actual);
    let mut mismatch = Mismatch {
        model_name: actual.model_name.clone(),
        extra: Vec::new(),
        missing: Vec::new(),
        changed: Vec::new(),
        duplicates: Vec::new(),
    };
    let mut want: BTreeMap<String, &[u8]> = BTreeMap::new();
    let mut duplicates = BTreeSet::new();
    for resource in &expected.resources {
        let name = match &rename_basename {
            Some(basename) => alias_name(&resource.name, basename, expected.method),
            None => resource.name.clone(),
        };
        if want.insert(name.clone(), &resource.digest).is_some() {
            duplicates.insert(name);
        }
    }
    mismatch.duplicates = duplicates.into_iter().collect();
    let have: BTreeMap<&str, &[u8]> = actual
        .resources
        .iter()
        .map(|r| (r.name.as_str(), r.digest.as_slice()))
        .collect();
    for (name, digest) in &have {
        match want.get(*name) {
            None => mismatch.extra.push((*name).to_owned()),
            Some(expected_digest) if expected_digest != digest => {
                mismatch.changed.push(HashMismatch {
                    name: (*name).to_owned(),
                    expected: hex::encode(expected_digest),
                    actual: hex::encode(digest),
                });
            }
            Some(_) => {}
        }
    }
    mismatch.missing = want
        .keys()
        .filter(|name| !have.contains_key(name.as_str()))
        .cloned()
        .collect();
    if mismatch.is_empty() {
        Ok(())
    } else {
        Err(mismatch)
    }
}

/// `Some(basename)` when `actual` is a single-file model and `expected` does not use the
/// `"."` name, so expected names for `basename` should be read as `"."`.
fn single_file_alias(expected: &Manifest, actual: &Manifest) -> Option<String> {
    let file_of = |name: &str, method: Method| {
        parse_resource_name(name, method)
            .ok()
            .map(|n| n.file() == SINGLE_FILE_NAME)
    };
    let actual_single = actual
        .resources
        .iter()
        .any(|r| file_of(&r.name, actual.method) == Some(true));
    let expected_uses_dot = expected
        .resources
        .iter()
        .any(|r| file_of(&r.name, expected.method) == Some(true));
    (actual_single && !expected_uses_dot).then(|| actual.model_name.clone())
}

fn alias_name(name: &str, basename: &str, method: Method) -> String {
    match parse_resource_name(name, method) {
        Ok(ResourceName::File(file)) if file == basename => SINGLE_FILE_NAME.to_owned(),
        Ok(ResourceName::Shard { file, start, end }) if file == basename => {
            crate::names::shard_name(SINGLE_FILE_NAME, start, end)
        }
        _ => name.to_owned(),
    }
}
