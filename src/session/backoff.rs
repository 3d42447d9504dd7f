//! Reconnect delays and the generator that jitters them.
//!
//! The session has no randomness of its own: a small seeded generator makes every run of a test
//! repeat exactly, and lets the browser driver seed it from `crypto.getRandomValues`.

use super::options::BackoffOptions;

/// SplitMix64 (Steele, Lea, Flood 2014): 64 bits of state, passes BigCrush, and any seed,
/// including 0, gives a full-period sequence. Jitter needs spread, not cryptographic strength.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value uniform in `0..=max`. Multiply-and-shift instead of `%`: the bias is at most
    /// `max / 2^64`, nothing for millisecond delays, and there is no division.
    pub fn up_to(&mut self, max: u64) -> u64 {
        let span = u128::from(max) + 1;
        ((u128::from(self.next_u64()) * span) >> 64) as u64
    }
}

/// The delay rule, with its options made safe (a factor below 1 or NaN would shrink or poison
/// the window; a base above the maximum is clamped by the `min`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    base_ms: u64,
    max_ms: u64,
    factor: f64,
}

impl Backoff {
    /// The rule for these options.
    pub fn new(options: BackoffOptions) -> Self {
        let factor = if options.factor.is_finite() && options.factor >= 1.0 {
            options.factor
        } else if options.factor == f64::INFINITY {
            f64::MAX
        } else {
            1.0
        };
        Backoff {
            base_ms: options.base_ms,
            max_ms: options.max_ms,
            factor,
        }
    }

    /// The window of the `retry`-th retry in a row (0 for the first): `min(max, base · factor^retry)`.
    /// Computed in floating point, where a huge exponent saturates to infinity and the `min`
    /// brings it back, instead of overflowing an integer.
    pub fn ceiling(&self, retry: u32) -> u64 {
        let exponent = i32::try_from(retry).unwrap_or(i32::MAX);
        let window = self.base_ms as f64 * self.factor.powi(exponent);
        if window >= self.max_ms as f64 {
            self.max_ms
        } else {
            // `window` is below `max_ms`, a u64, so the cast cannot saturate.
            window as u64
        }
    }

    /// The delay before the `retry`-th retry: uniform in `0..=ceiling(retry)` (full jitter).
    pub fn delay(&self, retry: u32, rng: &mut SplitMix64) -> u64 {
        rng.up_to(self.ceiling(retry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Backoff {
        Backoff::new(BackoffOptions::default())
    }

    #[test]
    fn the_window_doubles_from_half_a_second_up_to_thirty() {
        let b = defaults();
        let windows: Vec<u64> = (0..9).map(|n| b.ceiling(n)).collect();
        assert_eq!(
            windows,
            [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]
        );
        assert_eq!(
            b.ceiling(u32::MAX),
            30_000,
            "a huge exponent saturates at the maximum"
        );
    }

    #[test]
    fn delays_stay_within_the_window() {
        let b = defaults();
        let mut rng = SplitMix64::new(7);
        for retry in 0..40 {
            for _ in 0..200 {
                let d = b.delay(retry, &mut rng);
                assert!(d <= b.ceiling(retry), "retry {retry}: {d}");
            }
        }
    }

    #[test]
    fn jitter_is_full_and_roughly_uniform() {
        // 20,000 draws in the 30 s window: every tenth of the window gets about 2,000 of them.
        // A generator stuck near one end, or jitter applied as a narrow band, fails this.
        let b = defaults();
        let mut rng = SplitMix64::new(0xDEC0DE);
        let mut bins = [0u32; 10];
        let mut sum = 0u64;
        let draws = 20_000;
        for _ in 0..draws {
            let d = b.delay(20, &mut rng);
            bins[(d * 10 / 30_001) as usize] += 1;
            sum += d;
        }
        for (i, &n) in bins.iter().enumerate() {
            assert!((1_700..=2_300).contains(&n), "bin {i} has {n} draws: {bins:?}");
        }
        let mean = sum as f64 / f64::from(draws);
        assert!((14_500.0..15_500.0).contains(&mean), "mean {mean}");
    }

    #[test]
    fn both_ends_of_the_window_are_reachable() {
        let mut rng = SplitMix64::new(1);
        let draws: Vec<u64> = (0..2_000).map(|_| rng.up_to(3)).collect();
        for v in 0..=3 {
            assert!(draws.contains(&v), "{v} never drawn");
        }
        assert!(draws.iter().all(|&d| d <= 3));
        assert_eq!(SplitMix64::new(5).up_to(0), 0);
    }

    #[test]
    fn the_same_seed_gives_the_same_delays_and_another_seed_others() {
        let b = defaults();
        let run = |seed| {
            let mut rng = SplitMix64::new(seed);
            (0..10).map(|n| b.delay(n, &mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
    }

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // First outputs of the reference implementation for seed 0.
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn bad_factors_are_made_safe() {
        let with = |factor| {
            Backoff::new(BackoffOptions {
                base_ms: 100,
                max_ms: 1_000,
                factor,
            })
        };
        assert_eq!(with(0.5).ceiling(3), 100, "a shrinking factor is taken as 1");
        assert_eq!(with(f64::NAN).ceiling(3), 100);
        assert_eq!(with(f64::INFINITY).ceiling(1), 1_000);
        assert_eq!(with(f64::INFINITY).ceiling(0), 100);
        let above = Backoff::new(BackoffOptions {
            base_ms: 5_000,
            max_ms: 1_000,
            factor: 2.0,
        });
        assert_eq!(above.ceiling(0), 1_000, "the maximum wins over a larger base");
    }
}
