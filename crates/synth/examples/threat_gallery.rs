//! Renders every threat variant alone (noiseless, pseudo-colour) into one PNG grid, in the order of
//! `armscan_synth::threats::VARIANTS`, then seven draws of each part family
//! (`armscan_synth::threats::PART_FAMILIES`, a row each), then a row of silencers (five seen from
//! the side, two end-on), each cell at the spacing that fits it (at least 1 mm/px).
//! `cargo run --release -p armscan-synth --example threat_gallery -- OUT.png`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use armscan_core::colour::pseudo_colour_image;
use armscan_synth::physics::AttenuationMap;
use armscan_synth::rng::Rng;
use armscan_synth::shapes::{draw, Placement};
use armscan_synth::threats::{build, PART_FAMILIES, SILENCERS, VARIANTS};

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "threat_gallery.png".into());
    let cell = 300u32;
    let cols = 7u32;
    let fixed_rows = (VARIANTS.len() as u32).div_ceil(cols);
    let mut cells: Vec<(u32, &str)> = VARIANTS
        .iter()
        .enumerate()
        .map(|(i, (v, _))| (i as u32, *v))
        .collect();
    for (f, (v, _)) in PART_FAMILIES.iter().enumerate() {
        cells.extend((0..cols).map(|k| ((fixed_rows + f as u32) * cols + k, *v)));
    }
    let silencer_row = fixed_rows + PART_FAMILIES.len() as u32;
    cells.extend((0..cols).map(|k| {
        let (v, _) = SILENCERS[usize::from(k >= 5)];
        (silencer_row * cols + k, v)
    }));
    let rows = silencer_row + 1;
    let mut sheet =
        image::RgbImage::from_pixel(cols * cell, rows * cell, image::Rgb([255, 255, 255]));
    let mut rng = Rng::new(3);
    for (i, v) in cells {
        let t = build(v, &mut rng).unwrap();
        let r = t.object.radius();
        let mm = (2.0 * r / (cell as f32 - 10.0)).max(1.0) * 0.75;
        let mut map = AttenuationMap::new(cell as usize, cell as usize);
        let c = cell as f32 / 2.0;
        draw(
            &mut map,
            &t.object,
            &Placement {
                cx: c,
                cy: c,
                angle: 0.0,
                scale: 1.0,
                mirror: false,
                mm_per_px: mm,
            },
        );
        let tr = map.transmission();
        let rgb = pseudo_colour_image(&tr.high, &tr.low);
        let img = image::RgbImage::from_raw(cell, cell, rgb).unwrap();
        image::imageops::replace(
            &mut sheet,
            &img,
            i64::from((i % cols) * cell),
            i64::from((i / cols) * cell),
        );
        // cell border
        for k in 0..cell {
            sheet.put_pixel(
                (i % cols) * cell + k,
                (i / cols) * cell,
                image::Rgb([180, 180, 180]),
            );
            sheet.put_pixel(
                (i % cols) * cell,
                (i / cols) * cell + k,
                image::Rgb([180, 180, 180]),
            );
        }
        println!("{i:2} {v} ({mm:.2} mm/px)");
    }
    sheet.save(&out).unwrap();
}
