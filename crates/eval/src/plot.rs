//! Line plots on an [`RgbImage`]: axes from 0 to 1, a grid every 0.1, tick labels, a title, a
//! legend, text in the 8x8 bitmap font of `font8x8`. Enough for PR and ROC curves; no I/O.

use font8x8::UnicodeFonts;
use image::{Rgb, RgbImage};

/// One curve: points `(x, y)` in `[0, 1]`, joined in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub colour: Rgb<u8>,
    pub points: Vec<(f64, f64)>,
}

/// Where the legend goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegendAt {
    BottomLeft,
    BottomRight,
}

/// A plot of curves in the unit square.
#[derive(Clone, Debug, PartialEq)]
pub struct Plot {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    pub legend: LegendAt,
    /// Draw the diagonal `y = x` (chance, for a ROC).
    pub diagonal: bool,
}

/// Colours for curves, in order (tab10).
pub const PALETTE: [Rgb<u8>; 10] = [
    Rgb([31, 119, 180]),
    Rgb([255, 127, 14]),
    Rgb([44, 160, 44]),
    Rgb([214, 39, 40]),
    Rgb([148, 103, 189]),
    Rgb([140, 86, 75]),
    Rgb([227, 119, 194]),
    Rgb([127, 127, 127]),
    Rgb([188, 189, 34]),
    Rgb([23, 190, 207]),
];

const WIDTH: u32 = 720;
const HEIGHT: u32 = 540;
const LEFT: i64 = 64;
const RIGHT: i64 = 24;
const TOP: i64 = 40;
const BOTTOM: i64 = 56;
const INK: Rgb<u8> = Rgb([30, 30, 30]);
const GRID: Rgb<u8> = Rgb([225, 225, 225]);

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
fn put(img: &mut RgbImage, x: i64, y: i64, c: Rgb<u8>) {
    if x >= 0 && y >= 0 && x < i64::from(img.width()) && y < i64::from(img.height()) {
        img.put_pixel(x as u32, y as u32, c);
    }
}

fn fill(img: &mut RgbImage, x0: i64, y0: i64, x1: i64, y1: i64, c: Rgb<u8>) {
    for y in y0..y1 {
        for x in x0..x1 {
            put(img, x, y, c);
        }
    }
}

/// A line `thick` pixels wide (a square brush along Bresenham's line).
fn line(img: &mut RgbImage, (x0, y0): (i64, i64), (x1, y1): (i64, i64), thick: i64, c: Rgb<u8>) {
    let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
    let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
    let (mut x, mut y, mut err) = (x0, y0, dx + dy);
    let half = thick / 2;
    loop {
        fill(
            img,
            x - half,
            y - half,
            x - half + thick,
            y - half + thick,
            c,
        );
        if x == x1 && y == y1 {
            break;
        }
        let e2 = 2 * err;
        if e2 >= dy {
            err += dy;
            x += sx;
        }
        if e2 <= dx {
            err += dx;
            y += sy;
        }
    }
}

/// Text at `(x, y)` (top-left), ASCII, each font pixel a `scale` square. Returns the width.
pub(crate) fn text(img: &mut RgbImage, x: i64, y: i64, s: &str, scale: i64, c: Rgb<u8>) -> i64 {
    let mut gx = x;
    for ch in s.chars() {
        let glyph = font8x8::BASIC_FONTS
            .get(if ch.is_ascii() { ch } else { '?' })
            .unwrap_or([0; 8]);
        for (row, bits) in (0i64..).zip(glyph) {
            for col in 0..8i64 {
                if (bits >> col) & 1 == 1 {
                    fill(
                        img,
                        gx + col * scale,
                        y + row * scale,
                        gx + (col + 1) * scale,
                        y + (row + 1) * scale,
                        c,
                    );
                }
            }
        }
        gx += 8 * scale;
    }
    gx - x
}

fn text_width(s: &str, scale: i64) -> i64 {
    i64::try_from(s.chars().count()).unwrap_or(0) * 8 * scale
}

/// Draws `plot` on a new white image.
#[must_use]
pub fn draw(plot: &Plot) -> RgbImage {
    let mut img = RgbImage::from_pixel(WIDTH, HEIGHT, Rgb([255, 255, 255]));
    let (w, h) = (i64::from(WIDTH), i64::from(HEIGHT));
    let (px0, px1, py0, py1) = (LEFT, w - RIGHT, TOP, h - BOTTOM);
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let to_px = |x: f64, y: f64| {
        let x = x.clamp(0.0, 1.0);
        let y = y.clamp(0.0, 1.0);
        (
            (px0 as f64 + x * (px1 - px0) as f64).round() as i64,
            (py1 as f64 - y * (py1 - py0) as f64).round() as i64,
        )
    };
    for i in 0..=10 {
        let v = f64::from(i) / 10.0;
        let (gx, gy) = to_px(v, v);
        line(&mut img, (gx, py0), (gx, py1), 1, GRID);
        line(&mut img, (px0, gy), (px1, gy), 1, GRID);
        let label = format!("{v:.1}");
        text(
            &mut img,
            gx - text_width(&label, 1) / 2,
            py1 + 8,
            &label,
            1,
            INK,
        );
        text(
            &mut img,
            px0 - text_width(&label, 1) - 6,
            gy - 4,
            &label,
            1,
            INK,
        );
    }
    if plot.diagonal {
        let steps = 60;
        for i in (0..steps).step_by(2) {
            let (a, b) = (
                f64::from(i) / f64::from(steps),
                f64::from(i + 1) / f64::from(steps),
            );
            line(&mut img, to_px(a, a), to_px(b, b), 1, Rgb([160, 160, 160]));
        }
    }
    line(&mut img, (px0, py1), (px1, py1), 2, INK);
    line(&mut img, (px0, py0), (px0, py1), 2, INK);
    let title_x = (w - text_width(&plot.title, 2)) / 2;
    text(&mut img, title_x.max(4), 10, &plot.title, 2, INK);
    text(
        &mut img,
        (px0 + px1 - text_width(&plot.x_label, 1)) / 2,
        py1 + 26,
        &plot.x_label,
        1,
        INK,
    );
    text(&mut img, 6, py0 - 14, &plot.y_label, 1, INK);
    for s in &plot.series {
        let pts: Vec<(i64, i64)> = s
            .points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|&(x, y)| to_px(x, y))
            .collect();
        for pair in pts.windows(2) {
            line(&mut img, pair[0], pair[1], 2, s.colour);
        }
        if pts.len() == 1 {
            fill(
                &mut img,
                pts[0].0 - 2,
                pts[0].1 - 2,
                pts[0].0 + 3,
                pts[0].1 + 3,
                s.colour,
            );
        }
    }
    if !plot.series.is_empty() {
        let n = i64::try_from(plot.series.len()).unwrap_or(0);
        let box_w = plot
            .series
            .iter()
            .map(|s| text_width(&s.label, 1))
            .max()
            .unwrap_or(0)
            + 40;
        let box_h = n * 14 + 8;
        let (bx, by) = match plot.legend {
            LegendAt::BottomLeft => (px0 + 10, py1 - box_h - 10),
            LegendAt::BottomRight => (px1 - box_w - 10, py1 - box_h - 10),
        };
        fill(
            &mut img,
            bx,
            by,
            bx + box_w,
            by + box_h,
            Rgb([255, 255, 255]),
        );
        for (x0, y0, x1, y1) in [
            (bx, by, bx + box_w, by),
            (bx, by + box_h, bx + box_w, by + box_h),
            (bx, by, bx, by + box_h),
            (bx + box_w, by, bx + box_w, by + box_h),
        ] {
            line(&mut img, (x0, y0), (x1, y1), 1, Rgb([150, 150, 150]));
        }
        for (i, s) in (0i64..).zip(&plot.series) {
            let y = by + 6 + i * 14;
            fill(&mut img, bx + 6, y + 2, bx + 28, y + 6, s.colour);
            text(&mut img, bx + 34, y, &s.label, 1, INK);
        }
    }
    img
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_curves_in_their_colour() {
        let red = Rgb([214, 39, 40]);
        let plot = Plot {
            title: "PR".into(),
            x_label: "recall".into(),
            y_label: "precision".into(),
            series: vec![Series {
                label: "firearm AP50 1.000".into(),
                colour: red,
                points: vec![(0.0, 1.0), (1.0, 1.0)],
            }],
            legend: LegendAt::BottomLeft,
            diagonal: true,
        };
        let img = draw(&plot);
        assert_eq!(img.dimensions(), (WIDTH, HEIGHT));
        // The top edge of the plot area (y = 1) is red along the middle.
        let mid_x = u32::try_from((LEFT + i64::from(WIDTH) - RIGHT) / 2).unwrap_or(0);
        let top = u32::try_from(TOP).unwrap_or(0);
        assert_eq!(*img.get_pixel(mid_x, top), red);
        assert!(img.pixels().filter(|p| **p == red).count() > 1000);
    }
}
