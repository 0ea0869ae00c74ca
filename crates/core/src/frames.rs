//! Cutting a scan at working scale into overlapping frames.
//!
//! Long line-scan images are much longer than a detector's input. After the scan is brought to
//! the model's working scale it is cut into frames of the model's size, overlapping by a fixed
//! number of pixels, the last frame along each axis aligned to the far edge. A scan smaller than a
//! frame along an axis gets one frame there, padded by the preprocessing.

use serde::Serialize;

/// One frame: a window of the working-scale image, in working-scale pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FrameRect {
    pub x: u32,
    pub y: u32,
    /// Width of the window that lies inside the image (at most the frame width).
    pub width: u32,
    /// Height of the window that lies inside the image (at most the frame height).
    pub height: u32,
    /// True where this frame's edge is a cut shared with a neighbouring frame, in the order
    /// left, top, right, bottom. Boxes touching such an edge may be an object cut in two.
    pub cut_edges: [bool; 4],
}

/// The frames that cover an image of `width` x `height` working-scale pixels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameGrid {
    pub frames: Vec<FrameRect>,
}

/// Frame start positions along one axis: the fewest frames that keep at least `overlap` pixels
/// between neighbours, spread evenly, the first at 0 and the last at the far edge.
fn axis_starts(len: u32, frame: u32, overlap: u32) -> Vec<u32> {
    if len <= frame || frame == 0 {
        return vec![0];
    }
    let step = u64::from(frame.saturating_sub(overlap).max(1));
    let span = u64::from(len - overlap.min(len));
    let count = span.div_ceil(step).max(2);
    let last = u64::from(len - frame);
    (0..count)
        .map(|i| ((i * last + (count - 1) / 2) / (count - 1)) as u32)
        .collect()
}

impl FrameGrid {
    /// Tiles an image of `width` x `height` with frames of `frame_width` x `frame_height`
    /// overlapping by `overlap` pixels (clamped below the frame size).
    #[must_use]
    pub fn new(width: u32, height: u32, frame_width: u32, frame_height: u32, overlap: u32) -> Self {
        let ov_x = overlap.min(frame_width.saturating_sub(1));
        let ov_y = overlap.min(frame_height.saturating_sub(1));
        let xs = axis_starts(width, frame_width, ov_x);
        let ys = axis_starts(height, frame_height, ov_y);
        let mut frames = Vec::with_capacity(xs.len() * ys.len());
        for (iy, &y) in ys.iter().enumerate() {
            for (ix, &x) in xs.iter().enumerate() {
                frames.push(FrameRect {
                    x,
                    y,
                    width: frame_width.min(width - x),
                    height: frame_height.min(height - y),
                    cut_edges: [ix > 0, iy > 0, ix + 1 < xs.len(), iy + 1 < ys.len()],
                });
            }
        }
        Self { frames }
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_image_is_one_frame() {
        let g = FrameGrid::new(200, 100, 320, 320, 96);
        assert_eq!(
            g.frames,
            vec![FrameRect {
                x: 0,
                y: 0,
                width: 200,
                height: 100,
                cut_edges: [false; 4]
            }]
        );
    }

    #[test]
    fn long_image_is_cut_with_overlap_and_last_frame_aligned() {
        let g = FrameGrid::new(320, 1000, 320, 320, 96);
        let ys: Vec<u32> = g.frames.iter().map(|f| f.y).collect();
        assert_eq!(ys, vec![0, 170, 340, 510, 680]);
        assert_eq!(g.frames[0].cut_edges, [false, false, false, true]);
        assert_eq!(g.frames[1].cut_edges, [false, true, false, true]);
        assert_eq!(g.frames[4].cut_edges, [false, true, false, false]);
    }

    proptest! {
        #[test]
        fn frames_cover_every_pixel_and_stay_inside(
            w in 1u32..3000,
            h in 1u32..3000,
            f in 16u32..640,
            ov in 0u32..200,
        ) {
            let g = FrameGrid::new(w, h, f, f, ov);
            for fr in &g.frames {
                prop_assert!(fr.x + fr.width <= w && fr.y + fr.height <= h);
                prop_assert!(fr.width <= f && fr.height <= f);
            }
            // Every column and row is covered by some frame.
            for x in [0, w / 2, w - 1] {
                for y in [0, h / 2, h - 1] {
                    prop_assert!(g.frames.iter().any(|fr| x >= fr.x
                        && x < fr.x + fr.width
                        && y >= fr.y
                        && y < fr.y + fr.height));
                }
            }
            // Neighbours overlap by at least the requested overlap (when the
            // image is longer than a frame).
            let mut xs: Vec<u32> = g.frames.iter().map(|fr| fr.x).collect();
            xs.sort_unstable(); xs.dedup();
            for pair in xs.windows(2) {
                prop_assert!(pair[1] - pair[0] <= f - ov.min(f - 1));
            }
        }
    }
}
