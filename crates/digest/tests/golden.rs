//! Manifests of the model_signing 1.1.1 sample model, checked against the statements that
//! 1.1.1 itself wrote (`../shared/testdata/model-signing-1.1.1`).

// Helpers outside #[test] fns: a panic there is a test failure too.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use modelsign_digest::{
    compare, hash_files, hash_model, HashKind, HashOptions, Manifest, Method, Resource,
};

const TESTDATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/model-signing-1.1.1"
);

fn model() -> PathBuf {
    Path::new(TESTDATA).join("model")
}

/// The statement's subject digest and resources, parsed with serde_json as the oracle.
fn statement(name: &str) -> (String, String, Vec<Resource>) {
    let path = Path::new(TESTDATA).join("statements").join(name);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let subject = &json["subject"][0];
    let resources = json["predicate"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| Resource {
            name: r["name"].as_str().unwrap().to_owned(),
            algorithm: r["algorithm"].as_str().unwrap().to_owned(),
            digest: hex::decode(r["digest"].as_str().unwrap()).unwrap(),
        })
        .collect();
    (
        subject["name"].as_str().unwrap().to_owned(),
        subject["digest"]["sha256"].as_str().unwrap().to_owned(),
        resources,
    )
}

fn assert_matches_statement(manifest: &Manifest, statement_name: &str) {
    let (name, root, resources) = statement(statement_name);
    assert_eq!(manifest.model_name, name);
    // Same resources in the same order (order is part of the root digest).
    assert_eq!(manifest.resources, resources);
    assert_eq!(hex::encode(manifest.root_digest()), root);
}

#[test]
fn files_sha256_root_digest_of_the_sample_model() {
    let manifest = hash_model(&model(), &HashOptions::default()).unwrap();
    assert_eq!(
        hex::encode(manifest.root_digest()),
        "00fed363b7c70859d02c4b27a877ca1b6997f14e3f7d8bc6f1ab5f7e7062f122"
    );
    assert_matches_statement(&manifest, "key-p256.statement.json");
    let names: Vec<_> = manifest.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "README.md",
            "a/b.txt",
            "a-b",
            "a.txt",
            "config.json",
            "empty.bin",
            "sub/tokenizer.txt",
            "weights.bin"
        ]
    );
    assert_eq!(
        manifest.ignore_paths,
        [".git", ".gitattributes", ".github", ".gitignore"]
    );
    assert_eq!(manifest.method, Method::Files);
    assert!(!manifest.is_empty());
}

#[test]
fn single_file_model_is_named_dot() {
    let manifest = hash_model(&model().join("weights.bin"), &HashOptions::default()).unwrap();
    assert_eq!(
        hex::encode(manifest.root_digest()),
        "05fe36f555179feb8712eadb2a1cadac8c3c7378859f8dbeaa8a6ea224ea3658"
    );
    assert_eq!(manifest.resources.len(), 1);
    assert_matches_statement(&manifest, "key-p256-single-file.statement.json");
}

#[test]
fn shards_of_300_bytes() {
    let opts = HashOptions {
        method: Method::shards(300).unwrap(),
        ..HashOptions::default()
    };
    let manifest = hash_model(&model(), &opts).unwrap();
    assert_eq!(manifest.resources.len(), 10);
    assert_matches_statement(&manifest, "api-key-p256-shards-sha256-300.statement.json");
}

#[test]
fn single_file_shards_are_named_dot() {
    let opts = HashOptions {
        method: Method::shards(300).unwrap(),
        ..HashOptions::default()
    };
    let manifest = hash_model(&model().join("weights.bin"), &opts).unwrap();
    let names: Vec<_> = manifest.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, [".:0:300", ".:300:600", ".:600:900", ".:900:1024"]);
    // Same shard digests as in the directory model.
    let (_, _, golden) = statement("api-key-p256-shards-sha256-300.statement.json");
    let golden: Vec<_> = golden[6..].iter().map(|r| r.digest.clone()).collect();
    let got: Vec<_> = manifest
        .resources
        .iter()
        .map(|r| r.digest.clone())
        .collect();
    assert_eq!(got, golden);
}

#[test]
fn shards_of_default_size() {
    let opts = HashOptions {
        method: Method::shards(Method::DEFAULT_SHARD_SIZE).unwrap(),
        ..HashOptions::default()
    };
    let manifest = hash_model(&model(), &opts).unwrap();
    assert_matches_statement(
        &manifest,
        "api-key-p256-shards-sha256-default.statement.json",
    );
}

#[test]
fn blake2b_and_blake3_files() {
    for (hash, statement_name) in [
        (
            HashKind::Blake2b,
            "api-key-p256-files-blake2.statement.json",
        ),
        (HashKind::Blake3, "api-key-p256-files-blake3.statement.json"),
    ] {
        let opts = HashOptions {
            hash,
            ..HashOptions::default()
        };
        let manifest = hash_model(&model(), &opts).unwrap();
        assert_matches_statement(&manifest, statement_name);
    }
}

/// A manifest as a verifier would build it from a statement.
fn expected_from(statement_name: &str, method: Method, hash: HashKind) -> Manifest {
    let (model_name, _, resources) = statement(statement_name);
    Manifest {
        model_name,
        method,
        hash,
        allow_symlinks: false,
        ignore_paths: vec![".git".into(), ".github".into()],
        resources,
    }
}

#[test]
fn verification_rehash_with_recorded_settings_matches() {
    let expected = expected_from(
        "api-key-p256-shards-sha256-300.statement.json",
        Method::Shards { shard_size: 300 },
        HashKind::Sha256,
    );
    let opts = HashOptions::matching(&expected).unwrap();
    assert_eq!(opts.method, Method::Shards { shard_size: 300 });
    let actual = hash_model(&model(), &opts).unwrap();
    compare(&expected, &actual).unwrap();

    // --ignore-unsigned-files path: only the signed files are hashed.
    let names = expected.file_names().unwrap();
    assert_eq!(names.len(), 7); // empty.bin has no shard
    let partial = hash_files(&model(), &names, &opts).unwrap();
    compare(&expected, &partial).unwrap();
}

#[test]
fn basename_named_single_file_bundle_is_accepted() {
    let expected = expected_from(
        "ref-single-file-basename.statement.json",
        Method::Files,
        HashKind::Sha256,
    );
    assert_eq!(expected.resources[0].name, "weights.bin");
    let actual = hash_model(&model().join("weights.bin"), &HashOptions::default()).unwrap();
    compare(&expected, &actual).unwrap();

    // --ignore-unsigned-files on a single file named by its basename.
    let names = expected.file_names().unwrap();
    let partial = hash_files(
        &model().join("weights.bin"),
        &names,
        &HashOptions::default(),
    )
    .unwrap();
    assert_eq!(partial.resources, actual.resources);
    compare(&expected, &partial).unwrap();

    // A different file's name is not an alias: it is reported as it is.
    let mut other = expected.clone();
    other.resources[0].name = "config.json".into();
    let mismatch = compare(&other, &actual).unwrap_err();
    assert_eq!(mismatch.extra, ["."]);
    assert_eq!(mismatch.missing, ["config.json"]);
    assert_eq!(
        mismatch.to_string(),
        "Extra files found in model 'weights.bin': .\nMissing files in model 'weights.bin': config.json"
    );
}

fn make_model(dir: &Path) {
    let status = Command::new("bash")
        .arg(Path::new(TESTDATA).join("make_model.sh"))
        .arg(dir)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn git_entries_are_ignored_by_default_and_included_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("model");
    make_model(&dir);
    let default = hash_model(&dir, &HashOptions::default()).unwrap();
    assert_eq!(
        hex::encode(default.root_digest()),
        "00fed363b7c70859d02c4b27a877ca1b6997f14e3f7d8bc6f1ab5f7e7062f122"
    );

    let opts = HashOptions {
        ignore_git_paths: false,
        ..HashOptions::default()
    };
    let all = hash_model(&dir, &opts).unwrap();
    let names: Vec<_> = all.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            ".git/HEAD",
            ".github/ci.yml",
            ".gitignore",
            "README.md",
            "a/b.txt",
            "a-b",
            "a.txt",
            "config.json",
            "empty.bin",
            "sub/tokenizer.txt",
            "weights.bin"
        ]
    );
    assert!(all.ignore_paths.is_empty());
    let err = compare(&default, &all).unwrap_err();
    assert_eq!(err.extra, [".git/HEAD", ".github/ci.yml", ".gitignore"]);
    assert_eq!(
        err.to_string(),
        "Extra files found in model 'model': .git/HEAD, .github/ci.yml, .gitignore"
    );
}

/// Every statement 1.1.1 (or the reference producers) wrote for the sample model verifies
/// against it when re-hashed with the settings recorded in the statement itself.
#[test]
fn every_golden_statement_verifies_with_its_recorded_settings() {
    let dir = Path::new(TESTDATA).join("statements");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let file_name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let ser = &json["predicate"]["serialization"];
        let hash: HashKind = ser["hash_type"].as_str().unwrap().parse().unwrap();
        let method = match ser["method"].as_str().unwrap() {
            "files" => Method::Files,
            "shards" => {
                // 1.1.1 writes a float (300.0), the reference re-serialization an integer.
                let text = ser["shard_size"].to_string();
                Method::shards(text.trim_end_matches(".0").parse().unwrap()).unwrap()
            }
            other => panic!("{file_name}: unknown method {other}"),
        };
        let ignore_paths: Vec<String> = ser["ignore_paths"]
            .as_array()
            .map(|a| a.iter().map(|p| p.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default();
        let (model_name, root, resources) = statement(&file_name);
        let expected = Manifest {
            model_name: model_name.clone(),
            method,
            hash,
            allow_symlinks: ser["allow_symlinks"].as_bool().unwrap(),
            ignore_paths,
            resources,
        };
        assert_eq!(hex::encode(expected.root_digest()), root, "{file_name}");
        let target = if model_name == "weights.bin" {
            model().join("weights.bin")
        } else {
            model()
        };
        let opts = HashOptions::matching(&expected).unwrap();
        let actual = hash_model(&target, &opts).unwrap();
        compare(&expected, &actual).unwrap_or_else(|m| panic!("{file_name}: {m}"));
        checked += 1;
    }
    assert_eq!(checked, 16);
}
