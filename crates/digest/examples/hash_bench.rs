//! Hashing throughput benchmark (not a timed test: numbers depend on the machine).
//!
//! ```text
//! cargo run --release -p modelsign-digest --example hash_bench [TOTAL_SIZE] [FILE_COUNT]
//! ```
//! TOTAL_SIZE accepts a `K`/`M`/`G` (binary) suffix; defaults: 1G in 4 files, plus a
//! single-file model of TOTAL_SIZE. Measures, in one run and on warm page cache:
//! single-core in-memory SHA-256, then `hash_model` in files mode (multi-file and
//! single-file) and shards mode, and compares with the goals
//! (multi-file >= 90 % of cores x single-core; single file >= 90 % of single-core).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use modelsign_digest::{hash_model, HashKind, HashOptions, Method};

const MIB: f64 = 1024.0 * 1024.0;
const RUNS: usize = 3;

fn parse_size(s: &str) -> Option<u64> {
    let (digits, mult) = match s.chars().last()? {
        'k' | 'K' => (&s[..s.len() - 1], 1u64 << 10),
        'm' | 'M' => (&s[..s.len() - 1], 1 << 20),
        'g' | 'G' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    digits.parse::<u64>().ok()?.checked_mul(mult)
}

/// Incompressible bytes (xorshift64), written in 1 MiB blocks.
fn write_random(path: &Path, len: u64, seed: u64) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut state = seed | 1;
    let mut block = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        for chunk in block.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        let n = usize::try_from(left.min(block.len() as u64)).unwrap_or(block.len());
        out.write_all(&block[..n])?;
        left -= n as u64;
    }
    out.flush()
}

/// Process CPU time (user + system) from /proc/self/stat, in seconds. Assumes the usual
/// 100 clock ticks per second (reading `sysconf` would need libc). Lets the benchmark show
/// CPU efficiency even when other processes compete for the cores.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Wall time and CPU time of the fastest of `RUNS` runs.
fn best(mut f: impl FnMut()) -> (Duration, f64) {
    (0..RUNS)
        .map(|_| {
            let cpu = cpu_seconds();
            let t = Instant::now();
            f();
            (t.elapsed(), cpu_seconds() - cpu)
        })
        .min_by_key(|(wall, _)| *wall)
        .unwrap_or_default()
}

fn mib_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / MIB / d.as_secs_f64()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let total = args
        .get(1)
        .map_or(Some(1 << 30), |s| parse_size(s))
        .ok_or("bad TOTAL_SIZE")?;
    let count: u64 = args.get(2).map_or(Ok(4), |s| s.parse())?;
    if count == 0 {
        return Err("FILE_COUNT must be at least 1".into());
    }
    let cores = rayon::current_num_threads();
    let load = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before: {}", load().trim());

    let tmp = tempfile::tempdir()?;
    let multi = tmp.path().join("multi");
    std::fs::create_dir(&multi)?;
    let per_file = total / count;
    for i in 0..count {
        write_random(&multi.join(format!("shard-{i:05}.bin")), per_file, i + 1)?;
    }
    let single = tmp.path().join("single.bin");
    write_random(&single, total, 99)?;
    let multi_bytes = per_file * count;
    println!(
        "model: {count} x {:.0} MiB (multi-file) and 1 x {:.0} MiB (single file); {cores} rayon threads",
        per_file as f64 / MIB,
        total as f64 / MIB
    );

    // Single-core raw SHA-256 over an in-memory buffer (what one core can do at best).
    let buffer: Vec<u8> = (0..256u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24).to_le_bytes()[0])
        .collect();
    // Four passes per run: long enough for the 10 ms CPU-time resolution.
    const PASSES: u64 = 4;
    let (raw, raw_cpu) = best(|| {
        for _ in 0..PASSES {
            std::hint::black_box(HashKind::Sha256.digest(&buffer));
        }
    });
    let raw_bytes = PASSES * buffer.len() as u64;
    let single_core = mib_s(raw_bytes, raw);
    let single_core_cpu = raw_bytes as f64 / MIB / raw_cpu.max(0.01);
    drop(buffer);
    println!("single-core in-memory SHA-256:        {single_core:8.0} MiB/s (wall), {single_core_cpu:.0} MiB per CPU-second");

    // Returns (MiB/s wall, MiB per CPU-second) for the model at `path`.
    let run = |path: &Path,
               bytes: u64,
               opts: &HashOptions|
     -> Result<(f64, f64), Box<dyn std::error::Error>> {
        hash_model(path, opts)?; // warm the page cache
        let mut result = Ok(());
        let (wall, cpu) = best(|| {
            if let Err(e) = hash_model(path, opts) {
                result = Err(e);
            }
        });
        result?;
        Ok((mib_s(bytes, wall), bytes as f64 / MIB / cpu.max(0.01)))
    };
    let files = HashOptions::default();
    let shards = HashOptions {
        method: Method::shards(64 << 20)?,
        ..HashOptions::default()
    };
    let blake3 = HashOptions {
        hash: HashKind::Blake3,
        ..HashOptions::default()
    };

    let (multi_files, multi_files_cpu) = run(&multi, multi_bytes, &files)?;
    let (single_files, single_files_cpu) = run(&single, total, &files)?;
    let (multi_shards, multi_shards_cpu) = run(&multi, multi_bytes, &shards)?;
    let (single_shards, single_shards_cpu) = run(&single, total, &shards)?;
    let (single_blake3, _) = run(&single, total, &blake3)?;
    let multi_goal = 0.9 * cores as f64 * single_core;
    let single_goal = 0.9 * single_core;

    println!(
        "(CPU eff. = MiB hashed per CPU-second, vs single-core in-memory; 100 % = no overhead)"
    );
    let line = |label: &str, wall: f64, cpu: f64, goal: f64, goal_name: &str| {
        println!(
            "{label:<38}{wall:8.0} MiB/s = {:5.1} % of {goal_name} goal {goal:.0}; CPU eff. {:5.1} %",
            100.0 * wall / goal,
            100.0 * cpu / single_core_cpu
        );
    };
    line(
        "files  sha256, multi-file:",
        multi_files,
        multi_files_cpu,
        multi_goal,
        "multi-file",
    );
    line(
        "files  sha256, single file:",
        single_files,
        single_files_cpu,
        single_goal,
        "single-file",
    );
    line(
        "shards sha256 (64 MiB), multi-file:",
        multi_shards,
        multi_shards_cpu,
        multi_goal,
        "multi-file",
    );
    line(
        "shards sha256 (64 MiB), single file:",
        single_shards,
        single_shards_cpu,
        multi_goal,
        "multi-file",
    );
    println!(
        "{:<38}{single_blake3:8.0} MiB/s",
        "files  blake3, single file:"
    );
    println!("load average after: {}", load().trim());
    println!(
        "goals met: multi-file {}, single file {}",
        if multi_files >= multi_goal {
            "yes"
        } else {
            "NO"
        },
        if single_files >= single_goal {
            "yes"
        } else {
            "NO"
        }
    );
    Ok(())
}
