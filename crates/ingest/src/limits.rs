/// Limits checked before a scan's pixels are allocated.
///
/// The defaults take a 16-bit line scan of 8,000 x 12,000 pixels, and refuse a decompression bomb
/// that declares 100,000 x 100,000 pixels in a few hundred bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeLimits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Largest image accepted, in pixels (width x height).
    pub max_pixels: u64,
    /// Largest width or height accepted, in pixels.
    pub max_side_px: u32,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 512 * 1024 * 1024,
            max_pixels: 100_000_000,
            max_side_px: 65_535,
        }
    }
}

impl DecodeLimits {
    #[must_use]
    pub fn with_max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }
    #[must_use]
    pub fn with_max_pixels(mut self, pixels: u64) -> Self {
        self.max_pixels = pixels;
        self
    }
    #[must_use]
    pub fn with_max_side_px(mut self, side_px: u32) -> Self {
        self.max_side_px = side_px;
        self
    }

    /// Checks declared dimensions; `Err` carries the reason.
    pub(crate) fn check_dimensions(&self, width: u32, height: u32) -> Result<(), String> {
        if width == 0 || height == 0 {
            return Err(format!("image declares {width}x{height} pixels"));
        }
        if width > self.max_side_px || height > self.max_side_px {
            return Err(format!(
                "{width}x{height} pixels: a side exceeds the limit of {} px",
                self.max_side_px
            ));
        }
        let pixels = u64::from(width) * u64::from(height);
        if pixels > self.max_pixels {
            return Err(format!(
                "{width}x{height} = {pixels} pixels exceeds the limit of {} pixels",
                self.max_pixels
            ));
        }
        Ok(())
    }

    /// The most bytes a decoder may allocate for one image of up to `channels` 16-bit samples.
    pub(crate) fn max_alloc_bytes(&self, channels: u64) -> u64 {
        self.max_pixels
            .saturating_mul(channels)
            .saturating_mul(2)
            .saturating_add(64 * 1024 * 1024)
    }
}
