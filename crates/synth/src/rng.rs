//! A tiny deterministic RNG (SplitMix64, Steele, Lea & Flood 2014): same seed, same stream, on
//! every platform. Not for cryptography.

/// SplitMix64 generator.
#[derive(Clone, Debug)]
pub struct Rng(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(mix(seed ^ 0x6A09_E667_F3BC_C908))
    }

    /// The stream for scene `index` of a dataset seeded with `seed`.
    #[must_use]
    pub fn for_scene(seed: u64, index: u64) -> Self {
        Self::new(mix(seed).wrapping_add(mix(index.wrapping_add(0x9E37_79B9_7F4A_7C15))))
    }

    /// A derived stream (e.g. for the detector noise), independent of
    /// how much of `self` is used later.
    #[must_use]
    pub fn fork(&mut self) -> Self {
        Self::new(self.next_u64())
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `[0, 1)`.
    pub fn f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.f32()
    }

    /// Uniform integer in `0..n` (0 when `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    pub fn chance(&mut self, p: f32) -> bool {
        self.f32() < p
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f32 {
        let u1 = self.f32().max(1e-7);
        let u2 = self.f32();
        (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
    }

    /// Four standard normal samples from one draw, read from a fixed table of 65536 normals:
    /// about twenty times cheaper than [`Rng::normal`], for per-pixel detector noise where the
    /// table's granularity (and the 4-at-once correlation: none, the indices are independent
    /// 16-bit fields) does not matter.
    pub fn normals4(&mut self) -> [f32; 4] {
        let t = normal_table();
        let r = self.next_u64();
        [
            t[(r & 0xFFFF) as usize],
            t[((r >> 16) & 0xFFFF) as usize],
            t[((r >> 32) & 0xFFFF) as usize],
            t[(r >> 48) as usize],
        ]
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// 65536 standard normal samples (Box–Muller from a fixed seed), built once.
fn normal_table() -> &'static [f32; 65536] {
    static TABLE: std::sync::OnceLock<Box<[f32; 65536]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rng = Rng::new(0x005E_ED0F_AB1E);
        let mut t = Box::new([0.0f32; 65536]);
        for v in t.iter_mut() {
            *v = rng.normal();
        }
        t
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_in_range() {
        let mut a = Rng::for_scene(7, 3);
        let mut b = Rng::for_scene(7, 3);
        let mut c = Rng::for_scene(7, 4);
        let va: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let vb: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let vc: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(va, vb);
        assert_ne!(va, vc);
        let mut r = Rng::new(1);
        let mut sum = 0.0;
        for _ in 0..10_000 {
            let x = r.f32();
            assert!((0.0..1.0).contains(&x));
            sum += r.normal();
        }
        assert!((sum / 10_000.0f32).abs() < 0.05);
    }
}
