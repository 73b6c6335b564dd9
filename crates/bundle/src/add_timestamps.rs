//! Adding RFC 3161 timestamps to an existing bundle file (`modelsign timestamp add`).
//!
//! The signed parts of a bundle must not change, and a bundle written by another tool
//! should keep its own layout as far as possible. Strategy:
//!
//! 1. Parse the original with the normal reader (all rules apply; the combined list of
//!    timestamps must stay within the count and duplicate rules).
//! 2. If writing the parsed bundle gives back exactly the original bytes (bundles written
//!    by model_signing 1.1.1 or modelsign), write it again with the timestamps appended.
//! 3. Otherwise edit the JSON in place: the top-level object and `verificationMaterial`
//!    are re-emitted compactly in their original key order, `timestampVerificationData`
//!    (and its `rfc3161Timestamps`) is extended or appended as the last key of
//!    `verificationMaterial`, and **every other value keeps its exact original text**
//!    (payload, signatures, certificates, transparency log entries, whitespace inside
//!    them). A trailing newline after the top-level object is not kept.
//!
//! Either way the result is parsed again and must equal the original bundle plus the new
//! timestamps, or [`Error::RewriteMismatch`] is returned.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::Error;
use crate::read::{check_timestamps, parse};
use crate::write::{to_json, OutSignedTimestamp};

/// Returns `original_json` with `new` (DER TimeStampResp or token bytes) appended to
/// `verificationMaterial.timestampVerificationData.rfc3161Timestamps`.
pub fn add_timestamps(original_json: &[u8], new: &[Vec<u8>]) -> Result<Vec<u8>, Error> {
    let mut expected = parse(original_json)?;
    expected
        .verification_material
        .rfc3161_timestamps
        .extend(new.iter().cloned());
    check_timestamps(&expected.verification_material.rfc3161_timestamps)?;

    let original_written = {
        let mut original = expected.clone();
        let count = original.verification_material.rfc3161_timestamps.len();
        original
            .verification_material
            .rfc3161_timestamps
            .truncate(count.saturating_sub(new.len()));
        to_json(&original)
    };
    let output = if original_written == original_json {
        to_json(&expected)
    } else {
        edit_in_place(original_json, new)?
    };
    if parse(&output)? != expected {
        return Err(Error::RewriteMismatch);
    }
    Ok(output)
}

/// A JSON object as (key, exact value text) pairs in document order.
struct RawObject<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = RawObject<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, &'de RawValue>()? {
                    pairs.push(pair);
                }
                Ok(RawObject(pairs))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<'a> RawObject<'a> {
    fn parse(text: &'a str) -> Result<Self, Error> {
        serde_json::from_str(text).map_err(|e| Error::json(&e))
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.0.iter().position(|(k, _)| k == key)
    }

    /// The value of `key` unless absent or `null`.
    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0
            .iter()
            .find(|(k, v)| k == key && v.get() != "null")
            .map(|(_, v)| *v)
    }
}

/// Writes `{"k":v,…}` with keys re-encoded and values as given.
fn write_object<'s>(pairs: impl IntoIterator<Item = (&'s str, &'s str)>) -> Result<String, Error> {
    let mut out = String::from("{");
    for (i, (key, value)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(key).map_err(|e| Error::json(&e))?);
        out.push(':');
        out.push_str(value);
    }
    out.push('}');
    Ok(out)
}

fn edit_in_place(original_json: &[u8], new: &[Vec<u8>]) -> Result<Vec<u8>, Error> {
    // `parse` succeeded, so the text is UTF-8 JSON with a verificationMaterial object.
    let text = std::str::from_utf8(original_json).map_err(|_| Error::RewriteMismatch)?;
    let top = RawObject::parse(text)?;
    let vm_index = top
        .position("verificationMaterial")
        .ok_or(Error::MissingField {
            field: "verificationMaterial",
        })?;
    let vm = RawObject::parse(top.0[vm_index].1.get())?;

    let tvd = match vm.get("timestampVerificationData") {
        Some(raw) => RawObject::parse(raw.get())?,
        None => RawObject(Vec::new()),
    };
    let mut entries: Vec<String> = match tvd.get("rfc3161Timestamps") {
        Some(raw) => serde_json::from_str::<Vec<&RawValue>>(raw.get())
            .map_err(|e| Error::json(&e))?
            .into_iter()
            .map(|v| v.get().to_owned())
            .collect(),
        None => Vec::new(),
    };
    for token in new {
        entries.push(
            serde_json::to_string(&OutSignedTimestamp::new(token)).map_err(|e| Error::json(&e))?,
        );
    }
    let list = format!("[{}]", entries.join(","));

    let mut tvd_pairs: Vec<(&str, &str)> = tvd
        .0
        .iter()
        .filter(|(k, _)| k != "rfc3161Timestamps")
        .map(|(k, v)| (k.as_str(), v.get()))
        .collect();
    tvd_pairs.push(("rfc3161Timestamps", &list));
    let tvd_text = write_object(tvd_pairs)?;

    let mut vm_pairs: Vec<(&str, &str)> =
        vm.0.iter()
            .filter(|(k, _)| k != "timestampVerificationData")
            .map(|(k, v)| (k.as_str(), v.get()))
            .collect();
    vm_pairs.push(("timestampVerificationData", &tvd_text));
    let vm_text = write_object(vm_pairs)?;

    let top_text = write_object(top.0.iter().map(|(k, v)| {
        if k == "verificationMaterial" {
            (k.as_str(), vm_text.as_str())
        } else {
            (k.as_str(), v.get())
        }
    }))?;
    Ok(top_text.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_objects_keep_order_and_exact_value_text() {
        let text = r#"{ "b" : [1, 2],"a":{"x" :  1}, "n": null }"#;
        let o = RawObject::parse(text).unwrap();
        let keys: Vec<_> = o.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a", "n"]);
        assert_eq!(o.get("a").unwrap().get(), r#"{"x" :  1}"#);
        assert!(o.get("n").is_none(), "null counts as absent");
        assert_eq!(
            write_object(o.0.iter().map(|(k, v)| (k.as_str(), v.get()))).unwrap(),
            r#"{"b":[1, 2],"a":{"x" :  1},"n":null}"#
        );
    }

    #[test]
    fn keys_are_re_escaped() {
        assert_eq!(write_object([("q\"k", "1")]).unwrap(), r#"{"q\"k":1}"#);
    }
}
