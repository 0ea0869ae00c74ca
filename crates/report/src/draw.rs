//! Drawing detections on a scan: a rectangle per detection, coloured by category, and a
//! `class score` label (e.g. `handgun 0.87`) in a filled box above it.
//!
//! Text uses the public-domain 8x8 bitmaps of the `font8x8` crate, scaled up by an integer factor,
//! so no font file is needed and the output is the same on every machine. Boxes are drawn inside
//! their edges (the outer edge of the line is the box's edge); a box that runs off the image is
//! clipped to it, so its border shows along the image edge.

use armscan_core::{BoxInImage, Category, Detection};
use font8x8::UnicodeFonts;
use image::{Rgb, RgbImage};

/// Colour of firearm boxes: red.
pub const FIREARM_COLOUR: Rgb<u8> = Rgb([255, 0, 0]);
/// Colour of part boxes: magenta.
pub const PART_COLOUR: Rgb<u8> = Rgb([255, 0, 255]);
/// Colour of ammunition boxes: yellow.
pub const AMMUNITION_COLOUR: Rgb<u8> = Rgb([255, 230, 0]);
/// Colour of accessory boxes (magazines, trigger groups; not a Protocol category): cyan.
pub const ACCESSORY_COLOUR: Rgb<u8> = Rgb([0, 200, 255]);

/// The box and label colour of a category.
#[must_use]
pub fn category_colour(category: Category) -> Rgb<u8> {
    match category {
        Category::Firearm => FIREARM_COLOUR,
        Category::Part => PART_COLOUR,
        Category::Ammunition => AMMUNITION_COLOUR,
        Category::Accessory => ACCESSORY_COLOUR,
    }
}

/// How thick lines are and how large labels are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DrawStyle {
    /// Line thickness in image pixels (at least 1).
    pub line_px: u32,
    /// Each font pixel becomes a `font_scale` x `font_scale` square (at least 1); glyphs are 8x8.
    pub font_scale: u32,
    /// Whether to draw `class score` labels.
    pub labels: bool,
}

impl DrawStyle {
    /// A style suited to an image of this size: 2 px lines and 8 px text up to 599 px, 8 px lines
    /// and 32 px text on a 2688 x 2208 scan.
    #[must_use]
    pub fn for_size(width: u32, height: u32) -> Self {
        let longest_px = width.max(height);
        Self {
            line_px: (longest_px / 300).max(2),
            font_scale: (longest_px / 600).max(1),
            labels: true,
        }
    }

    #[must_use]
    pub fn with_line_px(mut self, line_px: u32) -> Self {
        self.line_px = line_px.max(1);
        self
    }

    #[must_use]
    pub fn with_font_scale(mut self, font_scale: u32) -> Self {
        self.font_scale = font_scale.max(1);
        self
    }

    #[must_use]
    pub fn with_labels(mut self, labels: bool) -> Self {
        self.labels = labels;
        self
    }
}

/// Draws `detections` (boxes in `img`'s pixels) with [`DrawStyle::for_size`] of the image.
pub fn draw_detections_mut(img: &mut RgbImage, detections: &[Detection]) {
    let style = DrawStyle::for_size(img.width(), img.height());
    draw_detections_styled_mut(img, detections, &style);
}

/// Draws `detections` (boxes in `img`'s pixels) with `style`. All boxes are drawn first, then the
/// labels, lowest score first, so the best detection's label is on top. Detections with
/// non-finite boxes or wholly outside the image are skipped.
pub fn draw_detections_styled_mut(img: &mut RgbImage, detections: &[Detection], style: &DrawStyle) {
    let mut drawn: Vec<(&Detection, PixelRect)> = detections
        .iter()
        .filter_map(|d| pixel_rect(&d.box_in_image, img.width(), img.height()).map(|r| (d, r)))
        .collect();
    let line_px = i64::from(style.line_px.max(1));
    for (d, r) in &drawn {
        draw_frame(img, r, line_px, category_colour(d.category));
    }
    if style.labels {
        // Place the best detection's label first, so it gets the best spot; draw it last, so it
        // is on top should labels still overlap.
        drawn.sort_by(|a, b| b.0.score.total_cmp(&a.0.score));
        let scale = i64::from(style.font_scale.max(1));
        let (img_w, img_h) = (i64::from(img.width()), i64::from(img.height()));
        let mut placed: Vec<(PixelRect, String, Rgb<u8>)> = Vec::with_capacity(drawn.len());
        for (d, r) in &drawn {
            let text = label_text(&d.class_name, d.score);
            let (label_w, label_h) = label_size(text.len(), scale);
            let taken: Vec<PixelRect> = placed.iter().map(|p| p.0).collect();
            let at = place_label(img_w, img_h, r, label_w, label_h, &taken);
            placed.push((at, text, category_colour(d.category)));
        }
        for (at, text, fill) in placed.iter().rev() {
            draw_label(img, at, text, scale, *fill);
        }
    }
}

/// A box in whole pixels: `[left, right) x [top, bottom)`, inside the image, at least 1 px.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PixelRect {
    left: i64,
    top: i64,
    right: i64,
    bottom: i64,
}

/// The pixels a box covers, clipped to the image; `None` for a non-finite box or one wholly
/// outside. Float to int `as` casts saturate, so huge coordinates are safe.
#[allow(clippy::cast_possible_truncation)]
fn pixel_rect(b: &BoxInImage, width: u32, height: u32) -> Option<PixelRect> {
    let (w, h) = (i64::from(width), i64::from(height));
    if !b.is_finite() || w == 0 || h == 0 {
        return None;
    }
    let (left, top) = (b.x1.floor() as i64, b.y1.floor() as i64);
    let (right, bottom) = (b.x2.ceil() as i64, b.y2.ceil() as i64);
    if right < 0 || bottom < 0 || left >= w || top >= h {
        return None;
    }
    let (left, top) = (left.clamp(0, w - 1), top.clamp(0, h - 1));
    Some(PixelRect {
        left,
        top,
        right: right.clamp(left + 1, w),
        bottom: bottom.clamp(top + 1, h),
    })
}

/// Fills `[x0, x1) x [y0, y1)`, clipped to the image.
#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)] // clamped to [0, size]
fn fill_rect(img: &mut RgbImage, x0: i64, y0: i64, x1: i64, y1: i64, colour: Rgb<u8>) {
    let (w, h) = (i64::from(img.width()), i64::from(img.height()));
    let (x0, x1) = (x0.clamp(0, w), x1.clamp(0, w));
    let (y0, y1) = (y0.clamp(0, h), y1.clamp(0, h));
    for y in y0..y1 {
        for x in x0..x1 {
            img.put_pixel(x as u32, y as u32, colour);
        }
    }
}

/// A rectangle outline `line_px` thick, inside the rectangle's edges.
fn draw_frame(img: &mut RgbImage, r: &PixelRect, line_px: i64, colour: Rgb<u8>) {
    fill_rect(img, r.left, r.top, r.right, r.top + line_px, colour);
    fill_rect(img, r.left, r.bottom - line_px, r.right, r.bottom, colour);
    fill_rect(img, r.left, r.top, r.left + line_px, r.bottom, colour);
    fill_rect(img, r.right - line_px, r.top, r.right, r.bottom, colour);
}

/// Black on light fills, white on dark ones.
fn text_colour(fill: Rgb<u8>) -> Rgb<u8> {
    let [r, g, b] = fill.0;
    let luma = 299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b);
    if luma > 150_000 {
        Rgb([0, 0, 0])
    } else {
        Rgb([255, 255, 255])
    }
}

/// The label's text, `class score`, ASCII only (the font has no other glyphs).
fn label_text(class_name: &str, score: f32) -> String {
    format!("{class_name} {score:.2}")
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// The label's size in pixels: one glyph pixel of padding all round.
fn label_size(chars: usize, scale: i64) -> (i64, i64) {
    let chars = i64::try_from(chars).unwrap_or(i64::MAX / 16);
    (
        chars.saturating_mul(8 * scale).saturating_add(2 * scale),
        10 * scale,
    )
}

fn overlaps(a: &PixelRect, b: &PixelRect) -> bool {
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
}

/// Where a label goes: above the box, else below it, else inside its top edge, each stepped away
/// from the box by up to 3 label heights to avoid labels already placed; shifted left to stay in
/// the image. When nothing is free it goes at the first spot that fits the image.
fn place_label(
    img_w: i64,
    img_h: i64,
    r: &PixelRect,
    label_w: i64,
    label_h: i64,
    taken: &[PixelRect],
) -> PixelRect {
    let x = if r.left.saturating_add(label_w) > img_w {
        (img_w - label_w).max(0)
    } else {
        r.left
    };
    let at = |y: i64| PixelRect {
        left: x,
        top: y,
        right: x.saturating_add(label_w),
        bottom: y + label_h,
    };
    let fits = |y: i64| y >= 0 && y + label_h <= img_h;
    let candidates = (0..4).flat_map(|k| {
        [
            r.top - (k + 1) * label_h,
            r.bottom + k * label_h,
            r.top + k * label_h,
        ]
    });
    let mut first_fit = None;
    for y in candidates.filter(|y| fits(*y)) {
        let spot = at(y);
        if !taken.iter().any(|t| overlaps(t, &spot)) {
            return spot;
        }
        first_fit.get_or_insert(spot);
    }
    first_fit.unwrap_or_else(|| at(r.top))
}

fn draw_label(img: &mut RgbImage, at: &PixelRect, text: &str, scale: i64, fill: Rgb<u8>) {
    fill_rect(img, at.left, at.top, at.right, at.bottom, fill);
    let ink = text_colour(fill);
    let mut gx = at.left + scale;
    for c in text.chars() {
        if gx >= i64::from(img.width()) {
            break;
        }
        let glyph = font8x8::BASIC_FONTS.get(c).unwrap_or([0; 8]);
        for (row, bits) in (0i64..).zip(glyph) {
            for col in 0..8i64 {
                if (bits >> col) & 1 == 1 {
                    let (px, py) = (gx + col * scale, at.top + scale + row * scale);
                    fill_rect(img, px, py, px + scale, py + scale, ink);
                }
            }
        }
        gx += 8 * scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(category: Category, b: [f32; 4]) -> Detection {
        Detection {
            class_name: "handgun".into(),
            category,
            score: 0.5,
            box_in_image: BoxInImage::new(b[0], b[1], b[2], b[3]),
        }
    }

    #[test]
    fn style_grows_with_the_image() {
        let small = DrawStyle::for_size(200, 120);
        assert_eq!((small.line_px, small.font_scale), (2, 1));
        let big = DrawStyle::for_size(2688, 2208);
        assert_eq!((big.line_px, big.font_scale), (8, 4));
        assert_eq!(small.with_line_px(0).line_px, 1);
    }

    #[test]
    fn odd_boxes_do_not_panic() {
        let mut img = RgbImage::new(1, 1);
        let dets = [
            det(Category::Firearm, [f32::NAN, 0.0, 1.0, 1.0]),
            det(Category::Part, [-1e30, -1e30, 1e30, 1e30]),
            det(Category::Ammunition, [5.0, 5.0, 5.0, 5.0]),
            det(Category::Firearm, [0.2, 0.2, 0.2, 0.2]),
        ];
        draw_detections_mut(&mut img, &dets);
        let mut empty = RgbImage::new(0, 0);
        draw_detections_mut(&mut empty, &dets);
        let mut wide = RgbImage::new(30, 300);
        draw_detections_mut(&mut wide, &dets);
    }

    #[test]
    fn every_category_has_its_own_colour() {
        let colours: Vec<Rgb<u8>> = Category::ALL.iter().map(|c| category_colour(*c)).collect();
        for (i, a) in colours.iter().enumerate() {
            assert!(colours[i + 1..].iter().all(|b| b != a), "{colours:?}");
        }
        // an accessory's box is drawn in its colour
        let mut img = RgbImage::new(40, 40);
        draw_detections_styled_mut(
            &mut img,
            &[det(Category::Accessory, [5.0, 5.0, 35.0, 35.0])],
            &DrawStyle::for_size(40, 40).with_labels(false),
        );
        assert_eq!(*img.get_pixel(5, 20), ACCESSORY_COLOUR);
        assert_eq!(*img.get_pixel(20, 20), Rgb([0, 0, 0]));
    }

    #[test]
    fn box_off_the_edge_is_clipped() {
        assert_eq!(
            pixel_rect(&BoxInImage::new(-10.0, 5.5, 50.0, 200.0), 40, 100),
            Some(PixelRect {
                left: 0,
                top: 5,
                right: 40,
                bottom: 100
            })
        );
        assert_eq!(
            pixel_rect(&BoxInImage::new(41.0, 0.0, 50.0, 10.0), 40, 100),
            None
        );
    }

    #[test]
    fn label_goes_above_then_below_then_inside() {
        let top_of = |r: PixelRect, w: i64| {
            let p = place_label(100, 100, &r, w, 10, &[]);
            (p.left, p.top)
        };
        assert_eq!(
            top_of(
                PixelRect {
                    left: 10,
                    top: 30,
                    right: 50,
                    bottom: 60
                },
                20
            ),
            (10, 20)
        );
        assert_eq!(
            top_of(
                PixelRect {
                    left: 90,
                    top: 5,
                    right: 99,
                    bottom: 60
                },
                20
            ),
            (80, 60)
        );
        assert_eq!(
            top_of(
                PixelRect {
                    left: 0,
                    top: 5,
                    right: 99,
                    bottom: 95
                },
                200
            ),
            (0, 5)
        );
    }

    #[test]
    fn labels_avoid_each_other() {
        let r = PixelRect {
            left: 10,
            top: 30,
            right: 50,
            bottom: 60,
        };
        let first = place_label(100, 100, &r, 20, 10, &[]);
        let second = place_label(100, 100, &r, 20, 10, &[first]);
        assert_eq!((first.top, second.top), (20, 60));
        assert!(!overlaps(&first, &second));
        assert_eq!(label_text("zündnadel", 0.5), "z?ndnadel 0.50");
    }

    #[test]
    fn label_text_is_readable_on_its_fill() {
        assert_eq!(text_colour(FIREARM_COLOUR), Rgb([255, 255, 255]));
        assert_eq!(text_colour(AMMUNITION_COLOUR), Rgb([0, 0, 0]));
    }
}
