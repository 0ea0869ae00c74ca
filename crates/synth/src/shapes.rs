//! Procedural 2-D footprints with a thickness along the beam, in millimetres, and their
//! rasterisation into an [`AttenuationMap`].
//!
//! An [`Object`] is a list of [`Part`]s in the object's own frame (mm, origin at its centre,
//! x to the right, y down). Each part has a primitive (the footprint and how thick it is along
//! the beam at each point of it), a material, and a placement in the object frame. Placing the
//! object (centre in pixels, rotation, scale, mirror, pixel spacing) maps pixel centres back into
//! part frames, where the thickness is evaluated.

use crate::physics::{AttenuationMap, Material};

/// A footprint with its thickness profile. All lengths in mm.
#[derive(Clone, Debug, PartialEq)]
pub enum Prim {
    /// Rectangle `w × h` of uniform thickness `t`.
    Slab { w: f32, h: f32, t: f32 },
    /// Rounded rectangle (corner radius `r`) of uniform thickness.
    RoundSlab { w: f32, h: f32, r: f32, t: f32 },
    /// Ellipse of uniform thickness (coin, washer without hole).
    Disc { rx: f32, ry: f32, t: f32 },
    /// Ellipsoidal cushion: thickness `t·sqrt(1 - (x/rx)² - (y/ry)²)` (clothes, fruit, shoes).
    Dome { rx: f32, ry: f32, t: f32 },
    /// Solid cylinder lying along x, length `len`, radius `r`: chord `2·sqrt(r² - y²)`.
    Rod { len: f32, r: f32 },
    /// Hollow cylinder along x (walls of a bottle, barrel, case): chord(r) − chord(ri).
    Tube { len: f32, r: f32, ri: f32 },
    /// Polygon of uniform thickness (vertices in order).
    Poly { pts: Vec<[f32; 2]>, t: f32 },
    /// A box seen from above: `2·sheet` of material inside (top and bottom panels) and `depth`
    /// (the side walls seen edge-on) in a band `wall` wide round the edge.
    OpenBox {
        w: f32,
        h: f32,
        wall: f32,
        depth: f32,
        sheet: f32,
    },
    /// Annulus of uniform thickness (disc with a hole: revolver cylinder face, tape roll).
    Ring { r: f32, ri: f32, t: f32 },
    /// Solid of revolution along +x from x = 0 to `len`, radius `r·sqrt(1 - (x/len)²)`
    /// (a bullet's nose).
    Ogive { len: f32, r: f32 },
    /// Removes the inner primitive's thickness (a bore, a chamber, a hole).
    Neg(Box<Prim>),
    /// The inner primitive's thickness times `k` (a porous fill: shot column, foil roll, fabric).
    Scaled(Box<Prim>, f32),
}

fn chord(r: f32, y: f32) -> f32 {
    let q = r * r - y * y;
    if q > 0.0 {
        2.0 * q.sqrt()
    } else {
        0.0
    }
}

fn in_poly(pts: &[[f32; 2]], x: f32, y: f32) -> bool {
    let mut inside = false;
    let n = pts.len();
    let mut j = n.wrapping_sub(1);
    for i in 0..n {
        let [xi, yi] = pts[i];
        let [xj, yj] = pts[j % n];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

impl Prim {
    /// Thickness along the beam (mm) at the point `(x, y)` of the part's frame.
    #[must_use]
    pub fn thickness(&self, x: f32, y: f32) -> f32 {
        match self {
            Prim::Slab { w, h, t } => {
                if x.abs() <= w / 2.0 && y.abs() <= h / 2.0 {
                    *t
                } else {
                    0.0
                }
            }
            Prim::RoundSlab { w, h, r, t } => {
                let dx = (x.abs() - (w / 2.0 - r)).max(0.0);
                let dy = (y.abs() - (h / 2.0 - r)).max(0.0);
                if x.abs() <= w / 2.0 && y.abs() <= h / 2.0 && dx * dx + dy * dy <= r * r {
                    *t
                } else {
                    0.0
                }
            }
            Prim::Disc { rx, ry, t } => {
                if (x / rx).powi(2) + (y / ry).powi(2) <= 1.0 {
                    *t
                } else {
                    0.0
                }
            }
            Prim::Dome { rx, ry, t } => {
                let q = 1.0 - (x / rx).powi(2) - (y / ry).powi(2);
                if q > 0.0 {
                    t * q.sqrt()
                } else {
                    0.0
                }
            }
            Prim::Rod { len, r } => {
                if x.abs() <= len / 2.0 {
                    chord(*r, y)
                } else {
                    0.0
                }
            }
            Prim::Tube { len, r, ri } => {
                if x.abs() <= len / 2.0 {
                    chord(*r, y) - chord(*ri, y)
                } else {
                    0.0
                }
            }
            Prim::Poly { pts, t } => {
                if in_poly(pts, x, y) {
                    *t
                } else {
                    0.0
                }
            }
            Prim::OpenBox {
                w,
                h,
                wall,
                depth,
                sheet,
            } => {
                let (ax, ay) = (x.abs(), y.abs());
                if ax > w / 2.0 || ay > h / 2.0 {
                    0.0
                } else if ax > w / 2.0 - wall || ay > h / 2.0 - wall {
                    *depth
                } else {
                    2.0 * sheet
                }
            }
            Prim::Ring { r, ri, t } => {
                let d2 = x * x + y * y;
                if d2 <= r * r && d2 >= ri * ri {
                    *t
                } else {
                    0.0
                }
            }
            Prim::Neg(inner) => -inner.thickness(x, y),
            Prim::Scaled(inner, k) => k * inner.thickness(x, y),
            Prim::Ogive { len, r } => {
                if (0.0..=*len).contains(&x) {
                    chord(r * (1.0 - (x / len).powi(2)).max(0.0).sqrt(), y)
                } else {
                    0.0
                }
            }
        }
    }

    /// Radius (mm) of a circle round the part's origin that holds the footprint.
    #[must_use]
    pub fn radius(&self) -> f32 {
        match self {
            Prim::Slab { w, h, .. } | Prim::RoundSlab { w, h, .. } | Prim::OpenBox { w, h, .. } => {
                (w * w + h * h).sqrt() / 2.0
            }
            Prim::Disc { rx, ry, .. } | Prim::Dome { rx, ry, .. } => rx.max(*ry),
            Prim::Rod { len, r } | Prim::Tube { len, r, .. } => {
                ((len / 2.0).powi(2) + r * r).sqrt()
            }
            Prim::Poly { pts, .. } => pts
                .iter()
                .map(|p| (p[0] * p[0] + p[1] * p[1]).sqrt())
                .fold(0.0, f32::max),
            Prim::Ring { r, .. } => *r,
            Prim::Ogive { len, r } => len.hypot(*r),
            Prim::Neg(inner) | Prim::Scaled(inner, _) => inner.radius(),
        }
    }

    /// Bounding box of the footprint in the part's frame, mm: `[x_min, y_min, x_max, y_max]`.
    #[must_use]
    pub fn bounds(&self) -> [f32; 4] {
        match self {
            Prim::Slab { w, h, .. } | Prim::RoundSlab { w, h, .. } | Prim::OpenBox { w, h, .. } => {
                [-w / 2.0, -h / 2.0, w / 2.0, h / 2.0]
            }
            Prim::Disc { rx, ry, .. } | Prim::Dome { rx, ry, .. } => [-rx, -ry, *rx, *ry],
            Prim::Rod { len, r } | Prim::Tube { len, r, .. } => [-len / 2.0, -r, len / 2.0, *r],
            Prim::Poly { pts, .. } => {
                pts.iter()
                    .fold([f32::MAX, f32::MAX, f32::MIN, f32::MIN], |b, p| {
                        [
                            b[0].min(p[0]),
                            b[1].min(p[1]),
                            b[2].max(p[0]),
                            b[3].max(p[1]),
                        ]
                    })
            }
            Prim::Ring { r, .. } => [-r, -r, *r, *r],
            Prim::Ogive { len, r } => [0.0, -r, *len, *r],
            Prim::Neg(inner) | Prim::Scaled(inner, _) => inner.bounds(),
        }
    }
}

/// One primitive of one material, placed in its object's frame. A negative thickness removes
/// material drawn before it (a bore, a chamber, a hole); the sum never goes below what the other
/// parts put there only if the hole lies inside material, which the builders make sure of.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub prim: Prim,
    pub material: Material,
    /// Centre of the part in the object frame, mm.
    pub at: [f32; 2],
    /// Rotation of the part in the object frame, radians.
    pub rot: f32,
}

/// A thing in the scene: parts in a common frame (mm).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object {
    pub parts: Vec<Part>,
}

impl Object {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a part at `(x, y)` mm with no rotation.
    pub fn add(&mut self, prim: Prim, material: Material, x: f32, y: f32) -> &mut Self {
        self.parts.push(Part {
            prim,
            material,
            at: [x, y],
            rot: 0.0,
        });
        self
    }

    /// Adds a part at `(x, y)` mm rotated by `rot` radians.
    pub fn add_rot(
        &mut self,
        prim: Prim,
        material: Material,
        x: f32,
        y: f32,
        rot: f32,
    ) -> &mut Self {
        self.parts.push(Part {
            prim,
            material,
            at: [x, y],
            rot,
        });
        self
    }

    /// Appends another object's parts, shifted by `(x, y)` mm and
    /// rotated by `rot` about its origin.
    pub fn merge(&mut self, other: &Object, x: f32, y: f32, rot: f32) -> &mut Self {
        let (s, c) = rot.sin_cos();
        for p in &other.parts {
            let [px, py] = p.at;
            self.parts.push(Part {
                prim: p.prim.clone(),
                material: p.material,
                at: [x + c * px - s * py, y + s * px + c * py],
                rot: p.rot + rot,
            });
        }
        self
    }

    /// Radius (mm) round the object origin that holds every part.
    #[must_use]
    pub fn radius(&self) -> f32 {
        self.parts
            .iter()
            .map(|p| (p.at[0].hypot(p.at[1])) + p.prim.radius())
            .fold(0.0, f32::max)
    }
}

/// Where and how an object lies in the image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// Centre, pixels.
    pub cx: f32,
    pub cy: f32,
    /// Rotation, radians.
    pub angle: f32,
    /// Size factor (manufacturing spread, fan-beam magnification).
    pub scale: f32,
    /// Mirror the object (its left-right side up).
    pub mirror: bool,
    /// Millimetres per pixel.
    pub mm_per_px: f32,
}

/// Rasterises `obj` into `map` (one sample per pixel centre).
pub fn draw(map: &mut AttenuationMap, obj: &Object, pl: &Placement) {
    let k = pl.scale / pl.mm_per_px; // px per object-mm
    if k <= 0.0 || !k.is_finite() {
        return;
    }
    let (sa, ca) = pl.angle.sin_cos();
    let flip = if pl.mirror { -1.0 } else { 1.0 };
    for part in &obj.parts {
        // part origin in pixels
        let px = part.at[0] * flip;
        let py = part.at[1];
        let ox = pl.cx + k * (ca * px - sa * py);
        let oy = pl.cy + k * (sa * px + ca * py);
        // total rotation of the part frame in the image
        let rot = pl.angle + part.rot * flip;
        let (sr, cr) = rot.sin_cos();
        // the part's bounding box, corners taken to pixels (the inverse of the mapping below)
        let [bx0, by0, bx1, by1] = part.prim.bounds();
        let (mut ix0, mut iy0, mut ix1, mut iy1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for (u, v) in [(bx0, by0), (bx1, by0), (bx0, by1), (bx1, by1)] {
            let u = u * flip;
            let (dx, dy) = (cr * u - sr * v, sr * u + cr * v);
            ix0 = ix0.min(ox + k * dx);
            iy0 = iy0.min(oy + k * dy);
            ix1 = ix1.max(ox + k * dx);
            iy1 = iy1.max(oy + k * dy);
        }
        if !(ix0.is_finite() && iy0.is_finite() && ix1.is_finite() && iy1.is_finite()) {
            continue;
        }
        let x0 = ((ix0 - 1.0).floor().max(0.0)) as usize;
        let y0 = ((iy0 - 1.0).floor().max(0.0)) as usize;
        let x1 = ((ix1 + 1.0).ceil().max(0.0) as usize).min(map.width);
        let y1 = ((iy1 + 1.0).ceil().max(0.0) as usize).min(map.height);
        for y in y0..y1 {
            for x in x0..x1 {
                let dx = (x as f32 + 0.5 - ox) / k;
                let dy = (y as f32 + 0.5 - oy) / k;
                // inverse rotation into the part frame (mirror applies in the part frame)
                let u = (cr * dx + sr * dy) * flip;
                let v = -sr * dx + cr * dy;
                let t = part.prim.thickness(u, v);
                if t != 0.0 {
                    map.add(y * map.width + x, part.material, t * pl.scale);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::physics::Energy;

    #[test]
    fn rod_chord_and_slab_thickness() {
        let rod = Prim::Rod { len: 10.0, r: 5.0 };
        assert!((rod.thickness(0.0, 0.0) - 10.0).abs() < 1e-5);
        assert!((rod.thickness(0.0, 3.0) - 8.0).abs() < 1e-5);
        assert_eq!(rod.thickness(6.0, 0.0), 0.0);
        let tube = Prim::Tube {
            len: 10.0,
            r: 5.0,
            ri: 4.0,
        };
        assert!((tube.thickness(0.0, 0.0) - 2.0).abs() < 1e-5);
        assert!((tube.thickness(0.0, 4.5) - chord(5.0, 4.5)).abs() < 1e-5);
        let tri = Prim::Poly {
            pts: vec![[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]],
            t: 2.0,
        };
        assert_eq!(tri.thickness(2.0, 2.0), 2.0);
        assert_eq!(tri.thickness(8.0, 8.0), 0.0);
    }

    #[test]
    fn draw_puts_a_slab_where_it_belongs() {
        let mut map = AttenuationMap::new(40, 40);
        let mut o = Object::new();
        o.add(
            Prim::Slab {
                w: 10.0,
                h: 4.0,
                t: 5.0,
            },
            Material::Steel,
            0.0,
            0.0,
        );
        // 0.5 mm/px: 20 x 8 px, rotated 90 degrees: 8 wide, 20 tall, centred at (20, 20)
        let pl = Placement {
            cx: 20.0,
            cy: 20.0,
            angle: std::f32::consts::FRAC_PI_2,
            scale: 1.0,
            mirror: false,
            mm_per_px: 0.5,
        };
        draw(&mut map, &o, &pl);
        let covered: Vec<(usize, usize)> = (0..1600)
            .filter(|i| map.high[*i] > 0.0)
            .map(|i| (i % 40, i / 40))
            .collect();
        let xs = covered.iter().map(|c| c.0);
        let ys = covered.iter().map(|c| c.1);
        let (xmin, xmax) = (xs.clone().min(), xs.max());
        let (ymin, ymax) = (ys.clone().min(), ys.max());
        assert_eq!((xmin, xmax), (Some(16), Some(23)));
        assert_eq!((ymin, ymax), (Some(10), Some(29)));
        let want = Material::Steel.mu_per_mm(Energy::High) * 5.0;
        assert!((map.high[20 * 40 + 20] - want).abs() < 1e-4);
    }
}
