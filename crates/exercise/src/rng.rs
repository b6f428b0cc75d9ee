//! The crate's own pseudo-random generator, so that output bytes never change with a dependency
//! upgrade. SplitMix64 (Steele, Lea, Flood 2014): one `u64` of state, fast, and good enough
//! for choosing words. Every item gets its own generator seeded from (seed, stream, index), which
//! makes each item a pure function of its position: items can be generated in any order, one at
//! a time, and an earlier item can be regenerated instead of kept.

const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// The SplitMix64 output function: a bijective mixer of 64 bits.
pub(crate) fn mix64(value: u64) -> u64 {
    let mut z = value;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A SplitMix64 generator.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// A generator for one item, derived from the flow's seed, a salt naming what is generated
    /// and the item's index.
    pub(crate) fn for_item(seed: u64, salt: u64, index: u64) -> Rng {
        Rng::new(mix64(mix64(seed ^ mix64(salt)) ^ index))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix64(self.state)
    }

    /// A number in `0..bound` (0 when `bound` is 0), by Lemire's multiply-shift.
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// An index into a slice of `len` elements.
    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub(crate) fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A number in `low..=high`.
    pub(crate) fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high.saturating_sub(low) + 1)
    }

    /// One element of a static table. The tables are never empty (a unit test checks them).
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }

    /// Like [`Rng::pick`], by reference.
    pub(crate) fn pick_ref<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.index(items.len())]
    }

    /// Lowercase hexadecimal of `digits` random nibbles.
    pub(crate) fn hex(&mut self, digits: usize, out: &mut String) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut word = 0u64;
        for position in 0..digits {
            if position % 16 == 0 {
                word = self.next_u64();
            }
            out.push(char::from(HEX[(word & 0xf) as usize]));
            word >>= 4;
        }
    }

    /// An index drawn from cumulative-free weights (`weights[i]` out of their sum).
    pub(crate) fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut roll = self.below(total);
        for (index, weight) in weights.iter().enumerate() {
            if roll < *weight {
                return index;
            }
            roll -= weight;
        }
        weights.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // First outputs of the reference implementation seeded with 1234567.
        let mut rng = Rng::new(1_234_567);
        let outputs: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            outputs,
            [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423]
        );
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = Rng::new(7);
        for bound in [1u64, 2, 3, 10, 1000] {
            for _ in 0..1000 {
                assert!(rng.below(bound) < bound);
            }
        }
        assert_eq!(rng.below(0), 0);
    }
}
