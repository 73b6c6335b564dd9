//! Reading files into a hasher with bounded memory.
//!
//! - Whole files (files mode) are read sequentially into 1 MiB buffers (model_signing's
//!   measured optimum, PR #341). For large files hashed while cores are idle, a reader
//!   thread fills the next buffer while the current one is hashed, so a single big file
//!   runs at the speed of the hash rather than hash + copy.
//! - Shards are read with positional reads (`FileExt::read_at`), so every shard is an
//!   independent task and one big file is hashed on all cores.
//!
//! Memory per task is at most [`PIPELINE_BUFFERS`] × [`BUFFER_SIZE`]; files are never read
//! whole. mmap is not used: a file truncated underneath a mapping raises SIGBUS.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::mpsc;

use crate::algorithm::Hasher;
use crate::{Error, HashKind, Progress};

/// Read size. model_signing measured 1 MiB as optimal; our own measurements agree
/// (rust-stack.md §4.2: 64 KiB is 8 % slower, 8 MiB no better).
pub(crate) const BUFFER_SIZE: usize = 1 << 20;

/// Buffers in flight in the read-ahead pipeline (one being filled, one being hashed,
/// one spare so neither side waits for the other to hand a buffer back).
const PIPELINE_BUFFERS: usize = 3;

/// Files at least this large are worth a read-ahead thread (its start-up cost is tens of
/// microseconds; below this the copy overhead it hides is smaller than that).
pub(crate) const PIPELINE_MIN_LEN: u64 = 32 << 20;

/// Hashes everything `reader` yields, `buffer.len()` bytes at a time at most.
pub(crate) fn hash_stream(
    reader: &mut impl Read,
    kind: HashKind,
    buffer: &mut [u8],
    progress: Option<&dyn Progress>,
) -> io::Result<Vec<u8>> {
    let mut hasher = Hasher::new(kind);
    loop {
        let n = match reader.read(buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = buffer.get(..n).unwrap_or(buffer);
        hasher.update_parallel(chunk);
        if let Some(p) = progress {
            p.advance(n as u64);
        }
    }
    Ok(hasher.finish())
}

/// Hashes a whole file. `len_hint` (from the walk) only sizes buffers; the file is read to
/// its end whatever its length now is.
pub(crate) fn hash_file(
    path: &Path,
    len_hint: u64,
    kind: HashKind,
    read_ahead: bool,
    progress: Option<&dyn Progress>,
) -> Result<Vec<u8>, Error> {
    let read_error = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(read_error)?;
    if read_ahead && len_hint >= PIPELINE_MIN_LEN {
        return hash_with_read_ahead(file, kind, progress).map_err(read_error);
    }
    // Small files get small buffers: a model with 100k tiny files should not allocate
    // 100k MiB-sized buffers.
    let size = usize::try_from(len_hint.clamp(8 * 1024, BUFFER_SIZE as u64)).unwrap_or(BUFFER_SIZE);
    let mut buffer = vec![0u8; size];
    hash_stream(&mut file, kind, &mut buffer, progress).map_err(read_error)
}

/// One thread reads, the calling thread hashes; buffers circulate through two channels.
fn hash_with_read_ahead(
    mut file: File,
    kind: HashKind,
    progress: Option<&dyn Progress>,
) -> io::Result<Vec<u8>> {
    let (full_tx, full_rx) = mpsc::sync_channel::<io::Result<(Vec<u8>, usize)>>(PIPELINE_BUFFERS);
    let (empty_tx, empty_rx) = mpsc::sync_channel::<Vec<u8>>(PIPELINE_BUFFERS);
    for _ in 0..PIPELINE_BUFFERS {
        // Cannot fail: the receiver is alive and the channel has room for all buffers.
        let _ = empty_tx.send(vec![0u8; BUFFER_SIZE]);
    }
    std::thread::scope(|scope| {
        scope.spawn(move || {
            // Ends when the file ends, on an error, or when the hashing side hung up.
            while let Ok(mut buffer) = empty_rx.recv() {
                let result = fill(&mut file, &mut buffer).map(|n| (buffer, n));
                let stop = !matches!(result, Ok((_, n)) if n > 0);
                if full_tx.send(result).is_err() || stop {
                    break;
                }
            }
        });
        let mut hasher = Hasher::new(kind);
        loop {
            let Ok(message) = full_rx.recv() else {
                // The reader exits only after sending EOF or an error; a closed channel
                // without either means it panicked.
                return Err(io::Error::other("read-ahead thread stopped unexpectedly"));
            };
            let (buffer, n) = message?;
            if n == 0 {
                break;
            }
            hasher.update_parallel(buffer.get(..n).unwrap_or(&buffer));
            if let Some(p) = progress {
                p.advance(n as u64);
            }
            // The reader may already have finished; then the buffer is simply dropped.
            let _ = empty_tx.send(buffer);
        }
        Ok(hasher.finish())
    })
}

/// Reads until `buffer` is full or the file ends; returns the byte count (0 = EOF).
fn fill(file: &mut File, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buffer.get_mut(filled..).filter(|r| !r.is_empty()) {
        match file.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Hashes bytes `[start, end)` of the file at `path` with positional reads. A file that
/// ends before `end` is an error: the shard layout was computed from its earlier length.
pub(crate) fn hash_range(
    path: &Path,
    start: u64,
    end: u64,
    kind: HashKind,
    progress: Option<&dyn Progress>,
) -> Result<Vec<u8>, Error> {
    let read_error = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(read_error)?;
    let size = usize::try_from((end - start).min(BUFFER_SIZE as u64)).unwrap_or(BUFFER_SIZE);
    let mut buffer = vec![0u8; size.max(1)];
    let mut hasher = Hasher::new(kind);
    let mut offset = start;
    while offset < end {
        let want = usize::try_from(end - offset).map_or(buffer.len(), |w| w.min(buffer.len()));
        let chunk = buffer.get_mut(..want).unwrap_or_default();
        let n = match file.read_at(chunk, offset) {
            Ok(0) => {
                return Err(Error::FileChanged {
                    path: path.to_path_buf(),
                    expected: end,
                    found: offset,
                })
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(e)),
        };
        hasher.update_parallel(chunk.get(..n).unwrap_or_default());
        offset += n as u64;
        if let Some(p) = progress {
            p.advance(n as u64);
        }
    }
    Ok(hasher.finish())
}

/// The shard ranges of a file of `len` bytes: `[0,S), [S,2S), …, [kS,len)`; none for an
/// empty file. `shard_size` must be non-zero (checked by [`crate::Method::shards`] and by
/// [`crate::hash_model`]).
pub(crate) fn shard_ranges(len: u64, shard_size: u64) -> impl Iterator<Item = (u64, u64)> {
    let step = shard_size.max(1);
    (0..len.div_ceil(step)).map(move |i| {
        let start = i * step;
        (start, start.saturating_add(step).min(len))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A reader that returns at most `max` bytes per call, to exercise short reads.
    struct Trickle<'a> {
        data: &'a [u8],
        max: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.data.len().min(buf.len()).min(self.max);
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn kinds() -> impl Strategy<Value = HashKind> {
        prop_oneof![
            Just(HashKind::Sha256),
            Just(HashKind::Blake3),
            Just(HashKind::Blake2b)
        ]
    }

    proptest! {
        #[test]
        fn chunking_never_changes_the_digest(
            data in proptest::collection::vec(any::<u8>(), 0..5000),
            buffer_len in 1usize..700,
            max in 1usize..900,
            kind in kinds(),
        ) {
            let mut buffer = vec![0u8; buffer_len];
            let mut reader = Trickle { data: &data, max };
            let streamed = hash_stream(&mut reader, kind, &mut buffer, None).unwrap();
            prop_assert_eq!(streamed, kind.digest(&data));
        }

        #[test]
        fn shard_ranges_cover_the_file_exactly(len in 0u64..100_000, size in 1u64..5_000) {
            let ranges: Vec<_> = shard_ranges(len, size).collect();
            let mut next = 0;
            for &(start, end) in &ranges {
                prop_assert_eq!(start, next);
                prop_assert!(start < end);
                prop_assert!(end - start <= size);
                next = end;
            }
            prop_assert_eq!(next, len);
            // Only the last shard may be short.
            for &(start, end) in ranges.iter().rev().skip(1) {
                prop_assert_eq!(end - start, size);
            }
        }
    }

    #[test]
    fn shard_ranges_near_u64_max_do_not_overflow() {
        let ranges: Vec<_> = shard_ranges(u64::MAX, u64::MAX - 1).collect();
        assert_eq!(ranges, vec![(0, u64::MAX - 1), (u64::MAX - 1, u64::MAX)]);
    }

    #[test]
    fn read_ahead_matches_plain_hashing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        // Not a multiple of the buffer size, so the last buffer is partial.
        let data: Vec<u8> = (0..(3 * BUFFER_SIZE + 12345))
            .map(|i| (i * 7).to_le_bytes()[0])
            .collect();
        std::fs::write(&path, &data).unwrap();
        for kind in [HashKind::Sha256, HashKind::Blake3, HashKind::Blake2b] {
            let file = File::open(&path).unwrap();
            assert_eq!(
                hash_with_read_ahead(file, kind, None).unwrap(),
                kind.digest(&data)
            );
        }
    }

    #[test]
    fn range_past_end_of_file_is_file_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(
            hash_range(&path, 2, 6, HashKind::Sha256, None).unwrap(),
            HashKind::Sha256.digest(b"2345")
        );
        match hash_range(&path, 5, 20, HashKind::Sha256, None) {
            Err(Error::FileChanged {
                expected: 20,
                found: 10,
                ..
            }) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}
