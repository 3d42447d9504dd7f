//! Randomness: every generator draws from a ChaCha8 stream, seeded from `--seed` when given (so a
//! scenario replays the same frames) or from the OS otherwise. ChaCha8 is chosen over `StdRng`
//! because its output is fixed by its specification, not by the rand version.

use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub type Rng = ChaCha8Rng;

/// splitmix64: spreads (seed, stream, ordinal) into well-separated ChaCha seeds.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn hash_str(s: &str) -> u64 {
    // FNV-1a: stable across runs and platforms, unlike std's RandomState.
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The generator for the `ordinal`-th stream named `stream` (e.g. the 3rd Events Hub socket since the
/// seed was set). Without a seed it is seeded from the OS.
pub fn stream_rng(seed: Option<u64>, stream: &str, ordinal: u64) -> Rng {
    match seed {
        Some(seed) => Rng::seed_from_u64(mix(mix(seed ^ hash_str(stream)) ^ ordinal)),
        None => Rng::from_os_rng(),
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

pub fn push_hex(out: &mut String, rng: &mut Rng, bytes: usize) {
    let mut left = bytes;
    while left > 0 {
        let word: u64 = rng.random();
        for i in 0..left.min(8) {
            let b = (word >> (i * 8)) as u8;
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
        left = left.saturating_sub(8);
    }
}

/// `bytes` random bytes as lower-case hex (Events Hub ids are 32 bytes: 64 hex chars).
pub fn hex(rng: &mut Rng, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes * 2);
    push_hex(&mut s, rng, bytes);
    s
}

/// A random (version 4) UUID, lower-case and hyphenated.
pub fn uuid(rng: &mut Rng) -> String {
    let mut b: [u8; 16] = rng.random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(HEX[(byte >> 4) as usize] as char);
        s.push(HEX[(byte & 15) as usize] as char);
    }
    s
}

pub fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// True with probability `p`.
pub fn chance(rng: &mut Rng, p: f64) -> bool {
    rng.random_bool(p.clamp(0.0, 1.0))
}

/// An exponentially distributed wait with the given mean, capped at 4× the mean so a trickle
/// never goes quiet for long.
pub fn exp_secs(rng: &mut Rng, mean: f64) -> f64 {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    (-u.ln() * mean).min(mean * 4.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_streams_replay_and_differ_by_ordinal() {
        let a = hex(&mut stream_rng(Some(7), "hub", 0), 32);
        assert_eq!(a, hex(&mut stream_rng(Some(7), "hub", 0), 32));
        assert_ne!(a, hex(&mut stream_rng(Some(7), "hub", 1), 32));
        assert_eq!(a.len(), 64);
        let u = uuid(&mut stream_rng(Some(1), "x", 0));
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
