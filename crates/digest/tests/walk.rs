//! Walking rules on generated trees: symlinks, special files, ignores, order, names.

// Helpers outside #[test] fns: a panic there is a test failure too.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use modelsign_digest::{
    compare, hash_files, hash_model, resolve_ignore_paths, Error, HashKind, HashOptions, Method,
    NameError, Progress, WarningKind,
};

fn names(model: &Path, opts: &HashOptions) -> Vec<String> {
    hash_model(model, opts)
        .unwrap()
        .resources
        .into_iter()
        .map(|r| r.name)
        .collect()
}

fn tree(files: &[(&str, &[u8])]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("m");
    fs::create_dir(&model).unwrap();
    for (name, content) in files {
        let path = model.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
    (tmp, model)
}

fn allow_symlinks() -> HashOptions {
    HashOptions {
        allow_symlinks: true,
        ..HashOptions::default()
    }
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[test]
fn order_is_by_path_components() {
    let (_tmp, model) = tree(&[
        ("a.txt", b"1"),
        ("a-b", b"2"),
        ("a/b.txt", b"3"),
        ("B", b"4"),
    ]);
    assert_eq!(
        names(&model, &HashOptions::default()),
        ["B", "a/b.txt", "a-b", "a.txt"]
    );
}

#[test]
fn hidden_and_empty_files_are_hashed_nested_git_is_not_ignored() {
    let (_tmp, model) = tree(&[
        (".hidden", b""),
        (".cache/x", b"x"),
        ("sub/.git/config", b"c"),
        ("sub/.gitignore", b"*"),
    ]);
    fs::create_dir(model.join("empty_dir")).unwrap();
    let manifest = hash_model(&model, &HashOptions::default()).unwrap();
    let got: Vec<_> = manifest.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        got,
        [".cache/x", ".hidden", "sub/.git/config", "sub/.gitignore"]
    );
    assert_eq!(
        manifest.resources[1].digest_hex(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );

    // Shards mode: an empty file has no shard at all.
    let opts = HashOptions {
        method: Method::shards(4).unwrap(),
        ..HashOptions::default()
    };
    assert_eq!(
        names(&model, &opts),
        [".cache/x:0:1", "sub/.git/config:0:1", "sub/.gitignore:0:1"]
    );
}

#[test]
fn symlink_is_an_error_unless_allowed() {
    let (_tmp, model) = tree(&[("real.bin", b"weights")]);
    symlink("real.bin", model.join("link.bin")).unwrap();
    match hash_model(&model, &HashOptions::default()) {
        Err(e @ Error::Symlink { .. }) => assert_eq!(
            e.to_string(),
            format!(
                "Cannot use '{}' because it is a symlink. This behavior can be changed with `allow_symlinks`.",
                model.join("link.bin").display()
            )
        ),
        other => panic!("unexpected {other:?}"),
    }
    let manifest = hash_model(&model, &allow_symlinks()).unwrap();
    assert!(manifest.allow_symlinks);
    let link = &manifest.resources[0];
    assert_eq!(link.name, "link.bin");
    // The target's content under the link's name.
    assert_eq!(link.digest, HashKind::Sha256.digest(b"weights"));
}

#[test]
fn symlinked_directory_contributes_nothing_and_ignores_inside_it_are_harmless() {
    let (tmp, model) = tree(&[("f", b"f")]);
    let outside = tmp.path().join("outside");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("secret"), b"s").unwrap();
    symlink(&outside, model.join("linkdir")).unwrap();
    assert_eq!(names(&model, &allow_symlinks()), ["f"]);

    let opts = HashOptions {
        ignore_paths: vec![PathBuf::from("linkdir/secret")],
        ..allow_symlinks()
    };
    assert_eq!(names(&model, &opts), ["f"]);
    let opts = HashOptions {
        ignore_paths: vec![PathBuf::from("linkdir/secret")],
        ..HashOptions::default()
    };
    assert!(
        matches!(hash_model(&model, &opts), Err(Error::Symlink { path }) if path.ends_with("linkdir"))
    );

    // Named lookup does not go through the symlinked directory either.
    let only = hash_files(&model, &["linkdir/secret".to_owned()], &allow_symlinks()).unwrap();
    assert!(only.is_empty());
    assert!(matches!(
        hash_files(
            &model,
            &["linkdir/secret".to_owned()],
            &HashOptions::default()
        ),
        Err(Error::Symlink { .. })
    ));
}

#[test]
fn dangling_symlink_and_fifo_are_errors() {
    let (_tmp, model) = tree(&[("f", b"f")]);
    symlink("nowhere", model.join("dangling")).unwrap();
    match hash_model(&model, &allow_symlinks()) {
        Err(e @ Error::NotFileOrDirectory { .. }) => assert_eq!(
            e.to_string(),
            format!(
                "Cannot use '{}' as file or directory. It could be a special file, it could be missing, or there might be a permission issue.",
                model.join("dangling").display()
            )
        ),
        other => panic!("unexpected {other:?}"),
    }
    fs::remove_file(model.join("dangling")).unwrap();

    mkfifo(&model.join("pipe"));
    assert!(matches!(
        hash_model(&model, &HashOptions::default()),
        Err(Error::NotFileOrDirectory { path }) if path.ends_with("pipe")
    ));
    // A symlink to a FIFO is no better.
    fs::rename(model.join("pipe"), model.join("../pipe")).unwrap();
    symlink("../pipe", model.join("to_pipe")).unwrap();
    assert!(matches!(
        hash_model(&model, &allow_symlinks()),
        Err(Error::NotFileOrDirectory { path }) if path.ends_with("to_pipe")
    ));
}

#[test]
fn ignores_apply_before_type_checks() {
    // 1.1.1 aborted here: the FIFO and the symlink are inside the ignored `.git/`.
    let (_tmp, model) = tree(&[("w", b"w"), (".git/HEAD", b"ref")]);
    mkfifo(&model.join(".git/fsmonitor"));
    symlink("HEAD", model.join(".git/link")).unwrap();
    assert_eq!(names(&model, &HashOptions::default()), ["w"]);
    // With the git defaults off they are checked, and fail.
    let opts = HashOptions {
        ignore_git_paths: false,
        ..HashOptions::default()
    };
    assert!(matches!(
        hash_model(&model, &opts),
        Err(Error::Symlink { .. } | Error::NotFileOrDirectory { .. })
    ));
}

#[test]
fn ignore_paths_drop_subtrees_and_are_recorded() {
    let (_tmp, model) = tree(&[
        ("keep", b"k"),
        ("drop/a", b"a"),
        ("drop/b/c", b"c"),
        ("dropped", b"d"),
    ]);
    let opts = HashOptions {
        ignore_paths: vec![
            PathBuf::from("drop"),
            model.join("dropped"),
            PathBuf::from("model.sig"),
        ],
        ..HashOptions::default()
    };
    let manifest = hash_model(&model, &opts).unwrap();
    let got: Vec<_> = manifest.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(got, ["keep"]);
    assert_eq!(
        manifest.ignore_paths,
        [
            ".git",
            ".gitattributes",
            ".github",
            ".gitignore",
            "drop",
            "dropped",
            "model.sig"
        ]
    );

    let outside = HashOptions {
        ignore_paths: vec![PathBuf::from("../elsewhere")],
        ..HashOptions::default()
    };
    assert!(matches!(
        hash_model(&model, &outside),
        Err(Error::IgnorePathOutsideModel { .. })
    ));
    let whole = HashOptions {
        ignore_paths: vec![PathBuf::from(".")],
        ..HashOptions::default()
    };
    assert!(matches!(
        hash_model(&model, &whole),
        Err(Error::IgnorePathIsModel { .. })
    ));
}

#[test]
fn resolve_ignore_paths_uses_the_current_directory() {
    let (tmp, model) = tree(&[("sub/x", b"x")]);
    let parent = tmp.path();
    let given = [
        PathBuf::from("m/sub"),    // relative to cwd: inside
        PathBuf::from("sub"),      // relative to cwd: `parent/sub`, outside the model
        model.join("model.sig"),   // absolute, does not exist yet: inside
        PathBuf::from("m/a/../b"), // normalised lexically below existing dirs
        PathBuf::from("m"),        // the model itself
    ];
    let (inside, warnings) = resolve_ignore_paths(Path::new("m"), parent, &given);
    assert_eq!(
        inside,
        [
            PathBuf::from("sub"),
            PathBuf::from("model.sig"),
            PathBuf::from("b")
        ]
    );
    assert_eq!(warnings.len(), 2);
    assert_eq!(warnings[0].path, PathBuf::from("sub"));
    assert!(matches!(warnings[0].kind, WarningKind::OutsideModel { .. }));
    assert!(warnings[0].to_string().contains("not applied"));
    assert_eq!(warnings[1].kind, WarningKind::WholeModel);

    // The model reached through a symlink: absolute ignore paths under the real directory
    // still apply.
    let alias = parent.join("alias");
    symlink(&model, &alias).unwrap();
    let (inside, warnings) = resolve_ignore_paths(&alias, parent, &[model.join("sub")]);
    assert_eq!(inside, [PathBuf::from("sub")]);
    assert!(warnings.is_empty());
}

#[test]
fn ignoring_a_symlink_ignores_the_link_not_its_target() {
    let (tmp, model) = tree(&[("f", b"f")]);
    fs::write(tmp.path().join("target"), b"t").unwrap();
    symlink(tmp.path().join("target"), model.join("link")).unwrap();
    let (inside, warnings) = resolve_ignore_paths(&model, tmp.path(), &[model.join("link")]);
    assert!(warnings.is_empty());
    let opts = HashOptions {
        ignore_paths: inside,
        ..HashOptions::default()
    };
    assert_eq!(names(&model, &opts), ["f"]);
}

#[test]
fn non_utf8_and_backslash_names_are_refused() {
    let (_tmp, model) = tree(&[("ok", b"")]);
    let bad = model.join(std::ffi::OsStr::from_bytes(b"bad\xff"));
    fs::write(&bad, b"x").unwrap();
    assert!(matches!(
        hash_model(&model, &HashOptions::default()),
        Err(Error::NonUtf8Name { path }) if path == bad
    ));
    fs::remove_file(&bad).unwrap();
    fs::write(model.join("a\\b"), b"x").unwrap();
    assert!(matches!(
        hash_model(&model, &HashOptions::default()),
        Err(Error::BackslashInName { .. })
    ));
}

#[test]
fn model_name_of_dot_is_the_directory_name() {
    let (_tmp, model) = tree(&[("f", b"f")]);
    let manifest = hash_model(&model.join("."), &HashOptions::default()).unwrap();
    assert_eq!(manifest.model_name, "m");
    // `m/sub_missing/..` does not resolve on Linux (missing component): a clean error.
    assert!(matches!(
        hash_model(&model.join("sub_missing/.."), &HashOptions::default()),
        Err(Error::NotFileOrDirectory { .. })
    ));
    fs::create_dir(model.join("d")).unwrap();
    let manifest = hash_model(&model.join("d/.."), &HashOptions::default()).unwrap();
    assert_eq!(manifest.model_name, "m");
}

#[test]
fn missing_model_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(matches!(
        hash_model(&tmp.path().join("nope"), &HashOptions::default()),
        Err(Error::NotFileOrDirectory { .. })
    ));
}

#[test]
fn hash_files_checks_names_and_leaves_missing_files_to_compare() {
    let (_tmp, model) = tree(&[("a", b"a"), ("b", b"b"), ("extra", b"e")]);
    let full = hash_model(&model, &HashOptions::default()).unwrap();
    let mut expected = full.clone();
    expected.resources.retain(|r| r.name != "extra");
    fs::remove_file(model.join("b")).unwrap();
    let names = expected.file_names().unwrap();
    let actual = hash_files(&model, &names, &HashOptions::default()).unwrap();
    let mismatch = compare(&expected, &actual).unwrap_err();
    assert!(mismatch.extra.is_empty());
    assert_eq!(mismatch.missing, ["b"]);
    assert_eq!(mismatch.to_string(), "Missing files in model 'm': b");

    for bad in ["../etc/passwd", "/etc/passwd", "a//b", "a\\b"] {
        assert!(matches!(
            hash_files(&model, &[bad.to_owned()], &HashOptions::default()),
            Err(Error::InvalidResourceName { .. })
        ));
    }
}

#[test]
fn compare_reports_changes_and_duplicates() {
    let (_tmp, model) = tree(&[("a", b"a"), ("b", b"b")]);
    let expected = hash_model(&model, &HashOptions::default()).unwrap();
    fs::write(model.join("b"), b"B").unwrap();
    let actual = hash_model(&model, &HashOptions::default()).unwrap();
    let mismatch = compare(&expected, &actual).unwrap_err();
    assert_eq!(mismatch.changed.len(), 1);
    assert_eq!(
        mismatch.to_string(),
        format!(
            "Hash mismatch for 'b': Expected '{}', Actual '{}'",
            hex::encode(HashKind::Sha256.digest(b"b")),
            hex::encode(HashKind::Sha256.digest(b"B"))
        )
    );

    let mut doubled = actual.clone();
    doubled.resources.push(actual.resources[0].clone());
    let mismatch = compare(&doubled, &actual).unwrap_err();
    assert_eq!(mismatch.duplicates, ["a"]);
    // A non-canonical signed name never matches a file on disk.
    let mut dotted = actual.clone();
    dotted.resources[0].name = "./a".into();
    let mismatch = compare(&dotted, &actual).unwrap_err();
    assert_eq!(
        (mismatch.extra, mismatch.missing),
        (vec!["a".to_owned()], vec!["./a".to_owned()])
    );
    // Order of resources does not matter.
    let mut reversed = actual.clone();
    reversed.resources.reverse();
    compare(&reversed, &actual).unwrap();
}

#[test]
fn matching_refuses_bad_recorded_ignore_paths() {
    let (_tmp, model) = tree(&[("a", b"a")]);
    let mut expected = hash_model(&model, &HashOptions::default()).unwrap();
    expected.ignore_paths.push("../outside".into());
    match HashOptions::matching(&expected) {
        Err(Error::InvalidIgnorePath { reason, .. }) => assert_eq!(reason, NameError::ParentDir),
        other => panic!("unexpected {other:?}"),
    }
}

#[derive(Default)]
struct Counter {
    total: AtomicU64,
    done: AtomicU64,
}

impl Progress for Counter {
    fn start(&self, total_bytes: u64) {
        self.total.store(total_bytes, Ordering::SeqCst);
    }
    fn advance(&self, bytes: u64) {
        self.done.fetch_add(bytes, Ordering::SeqCst);
    }
}

#[test]
fn progress_counts_every_byte_and_shards_match_files_content() {
    let big: Vec<u8> = (0..3_000_001u32).map(|i| i.to_le_bytes()[1]).collect();
    let (_tmp, model) = tree(&[("big", &big), ("small", b"abc")]);
    for method in [Method::Files, Method::shards(1 << 20).unwrap()] {
        let counter = Arc::new(Counter::default());
        let opts = HashOptions {
            method,
            progress: Some(counter.clone()),
            ..HashOptions::default()
        };
        let manifest = hash_model(&model, &opts).unwrap();
        assert_eq!(counter.total.load(Ordering::SeqCst), 3_000_004);
        assert_eq!(counter.done.load(Ordering::SeqCst), 3_000_004);
        if let Method::Shards { .. } = method {
            let got: Vec<_> = manifest.resources.iter().map(|r| r.name.as_str()).collect();
            assert_eq!(
                got,
                [
                    "big:0:1048576",
                    "big:1048576:2097152",
                    "big:2097152:3000001",
                    "small:0:3"
                ]
            );
            assert_eq!(
                manifest.resources[2].digest,
                HashKind::Sha256.digest(&big[2097152..])
            );
            assert_eq!(manifest.resources[0].algorithm, "sha256-sharded-1048576");
        } else {
            assert_eq!(manifest.resources[0].digest, HashKind::Sha256.digest(&big));
        }
    }
}

#[test]
fn big_single_file_read_ahead_matches_for_every_hash() {
    // Larger than the read-ahead threshold, so the pipelined reader is used.
    let big: Vec<u8> = (0..(33u32 << 20) + 7)
        .map(|i| i.to_le_bytes()[0] ^ 0x5a)
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("w.bin");
    fs::write(&file, &big).unwrap();
    for hash in [HashKind::Sha256, HashKind::Blake3, HashKind::Blake2b] {
        let opts = HashOptions {
            hash,
            ..HashOptions::default()
        };
        let manifest = hash_model(&file, &opts).unwrap();
        assert_eq!(manifest.resources[0].name, ".");
        assert_eq!(manifest.resources[0].digest, hash.digest(&big));
        assert_eq!(manifest.model_name, "w.bin");
    }
}

#[test]
fn tiny_shard_size_from_a_bundle_is_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("w.bin");
    // Sparse file: 20 MB of zeros without writing them.
    fs::File::create(&file)
        .unwrap()
        .set_len(20_000_000)
        .unwrap();
    let opts = HashOptions {
        method: Method::shards(1).unwrap(),
        ..HashOptions::default()
    };
    match hash_model(&file, &opts) {
        Err(Error::TooManyResources {
            count: 20_000_000,
            limit,
        }) => {
            assert_eq!(limit, modelsign_digest::MAX_RESOURCES)
        }
        other => panic!("unexpected {other:?}"),
    }
}
