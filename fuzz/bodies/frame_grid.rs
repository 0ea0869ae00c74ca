// Body of the frame_grid fuzz target. Included by fuzz/fuzz_targets/frame_grid.rs and by
// crates/core/tests/fuzz_corpus.rs. Checks the tiler's promises: frames inside the image, the
// image covered, neighbours overlapping by the overlap asked for (when the image allows it).

fn u32_at(data: &[u8], i: usize) -> u32 {
    let mut b = [0u8; 4];
    for (k, slot) in b.iter_mut().enumerate() {
        *slot = data.get(i * 4 + k).copied().unwrap_or(0);
    }
    u32::from_le_bytes(b)
}

pub fn run(data: &[u8]) {
    // image up to 2^20 px a side; frames and overlap up to 2^13 px
    let width = u32_at(data, 0) % (1 << 20);
    let height = u32_at(data, 1) % (1 << 20);
    let fw = u32_at(data, 2) % (1 << 13);
    let fh = u32_at(data, 3) % (1 << 13);
    let overlap = u32_at(data, 4) % (1 << 13);
    // skip grids too large to check quickly (the frame count is about the area ratio)
    let step = |f: u32| u64::from(f.saturating_sub(overlap).max(1));
    if u64::from(width) / step(fw) * (u64::from(height) / step(fh)) > 100_000 {
        return;
    }
    let grid = armscan_core::FrameGrid::new(width, height, fw, fh, overlap);
    assert!(!grid.frames.is_empty(), "at least one frame");
    for f in &grid.frames {
        assert!(
            f.width <= fw.max(1) && f.height <= fh.max(1) || fw == 0 || fh == 0,
            "{f:?} larger than the frame"
        );
        assert!(
            u64::from(f.x) + u64::from(f.width) <= u64::from(width.max(1)) || width == 0,
            "{f:?} past the right edge of {width}"
        );
        assert!(
            u64::from(f.y) + u64::from(f.height) <= u64::from(height.max(1)) || height == 0,
            "{f:?} past the bottom of {height}"
        );
    }
    if width > 0 && height > 0 && fw > 0 && fh > 0 {
        // each axis: first frame at 0; an axis longer than a frame is cut into full frames, the
        // last flush with the far edge, neighbours overlapping by at least the (clamped) overlap
        for (axis, len, frame) in [("x", width, fw), ("y", height, fh)] {
            let mut starts: Vec<(u32, u32)> = grid
                .frames
                .iter()
                .map(|f| {
                    if axis == "x" {
                        (f.x, f.width)
                    } else {
                        (f.y, f.height)
                    }
                })
                .collect();
            starts.sort_unstable();
            starts.dedup();
            let ov = overlap.min(frame - 1);
            assert_eq!(starts[0].0, 0, "{axis}: first frame at 0");
            if len <= frame {
                assert_eq!(starts, vec![(0, len)], "{axis}: one frame for {len} <= {frame}");
                continue;
            }
            let last = starts[starts.len() - 1];
            assert_eq!(last.0 + last.1, len, "{axis}: last frame flush with the far edge");
            for w in starts.windows(2) {
                assert_eq!(w[0].1, frame, "{axis}: full frames");
                assert!(w[1].0 > w[0].0, "{axis}: frames advance");
                assert!(
                    w[1].0 + ov <= w[0].0 + w[0].1,
                    "{axis}: overlap of {:?} and {:?} under {ov} (len {len}, frame {frame})",
                    w[0],
                    w[1]
                );
            }
        }
    }
}
