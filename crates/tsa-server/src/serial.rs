//! Token serial numbers: 128 random bits, so replicas and restarts never need coordination
//! (rfc3161-rules §3.2: "unique serialNumber (>= 64 random bits) across restarts and
//! concurrency"). The birthday bound for a collision among 2^40 tokens is about 2^-49.
//!
//! The bits come from a ChaCha12 generator per thread (`rand`'s `StdRng`, a CSPRNG), seeded
//! from the operating system's CSPRNG (aws-lc-rs) and reseeded every [`RESEED_EVERY`]
//! serials. Asking aws-lc for 16 bytes per token cost about 0.7 µs (it mixes in RDRAND on
//! every call, which is slow on VMs: `perf`, `scripts/bench-tsa.sh`); ChaCha costs a few
//! nanoseconds and is as unpredictable. A seed that cannot be read fails the request (no
//! serial from a stale or missing seed); the next request tries again.

use std::cell::RefCell;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

/// Serials drawn from one seed (64 KiB of output, as `rand`'s own thread generator).
const RESEED_EVERY: u32 = 4096;

thread_local! {
    /// This thread's generator and how many serials it may still draw before a reseed.
    static GENERATOR: RefCell<Option<(StdRng, u32)>> = const { RefCell::new(None) };
}

/// A fresh random serial, or `None` if the system RNG failed to give a seed (the request is
/// then refused with systemFailure rather than issued with a guessable serial).
pub(crate) fn random_serial(os: &SystemRandom) -> Option<[u8; 16]> {
    GENERATOR.with_borrow_mut(|slot| {
        if slot.as_ref().is_none_or(|(_, left)| *left == 0) {
            let mut seed = [0u8; 32];
            os.fill(&mut seed).ok()?;
            *slot = Some((StdRng::from_seed(seed), RESEED_EVERY));
        }
        let (generator, left) = slot.as_mut()?;
        *left -= 1;
        let mut serial = [0u8; 16];
        generator.fill_bytes(&mut serial);
        Some(serial)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn serials_differ_across_reseeds_and_threads() {
        fn draw() -> Vec<[u8; 16]> {
            let os = SystemRandom::new();
            (0..2 * RESEED_EVERY + 3)
                .map(|_| random_serial(&os).unwrap())
                .collect()
        }
        let other = std::thread::spawn(draw);
        let mut all = draw();
        all.extend(other.join().unwrap());
        let distinct: HashSet<_> = all.iter().collect();
        assert_eq!(distinct.len(), all.len());
        assert!(!all.contains(&[0u8; 16]));
    }

    #[test]
    fn a_thread_reseeds_after_its_quota() {
        let os = SystemRandom::new();
        let _ = random_serial(&os).unwrap();
        let left = || GENERATOR.with_borrow(|slot| slot.as_ref().map(|(_, left)| *left));
        assert_eq!(left(), Some(RESEED_EVERY - 1));
        for _ in 1..RESEED_EVERY {
            let _ = random_serial(&os).unwrap();
        }
        assert_eq!(left(), Some(0));
        let _ = random_serial(&os).unwrap();
        assert_eq!(left(), Some(RESEED_EVERY - 1), "a new seed was drawn");
    }
}
