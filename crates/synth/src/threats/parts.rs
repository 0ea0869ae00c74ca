//! Fixed parts of firearms: barrels, slides, frames and receivers, bolts, a revolver cylinder, a
//! trigger group, and magazines (empty or loaded).

use std::f32::consts::PI;

use super::ammunition::{cartridge, cartridge_end_on, pistol_calibre, Calibre};
use crate::physics::Material::{self, Aluminium, Plastic, Steel};
use crate::rng::Rng;
use crate::shapes::{Object, Prim};

/// A box magazine with `n` cartridges; axis of the magazine along y (feed lips at -y), the
/// cartridges pointing +x. `curve` bends it (rifle magazines), radians over its length.
pub(super) fn magazine_obj(cal: Calibre, n: usize, wall: Material, curve: f32) -> Object {
    let d = cal.dims();
    let pitch = d.case_r * 1.15;
    let cap = n.max(1);
    let len = pitch * cap as f32 + 20.0;
    let w = d.oal + 5.0;
    let mut o = Object::new();
    let segs = if curve.abs() > 0.01 { 6 } else { 1 };
    let seg_len = len / segs as f32;
    let wall_t = if wall == Steel {
        1.6
    } else if wall == Aluminium {
        2.4
    } else {
        5.0
    };
    // centreline along an arc: angle a(s) = curve * s/len
    let point = |s: f32| -> ([f32; 2], f32) {
        if segs == 1 {
            return ([0.0, s - len / 2.0], 0.0);
        }
        let a = curve * (s / len - 0.5);
        let rad = len / curve;
        (
            [
                rad * (1.0 - a.cos()) - rad * (1.0 - (curve * 0.5).cos()) * 0.5,
                rad * a.sin(),
            ],
            a,
        )
    };
    for k in 0..segs {
        let s = (k as f32 + 0.5) * seg_len;
        let ([x, y], a) = point(s);
        o.add_rot(
            Prim::Slab {
                w,
                h: seg_len + 0.5,
                t: wall_t,
            },
            wall,
            x,
            y,
            -a,
        );
        // front and back walls seen edge-on
        o.add_rot(
            Prim::Slab {
                w: 1.2,
                h: seg_len + 0.5,
                t: 2.0 * d.case_r + 2.0,
            },
            wall,
            x + (w / 2.0) * a.cos(),
            y - (w / 2.0) * a.sin(),
            -a,
        );
        o.add_rot(
            Prim::Slab {
                w: 1.2,
                h: seg_len + 0.5,
                t: 2.0 * d.case_r + 2.0,
            },
            wall,
            x - (w / 2.0) * a.cos(),
            y + (w / 2.0) * a.sin(),
            -a,
        );
    }
    let ([bx, by], ba) = point(len - 3.0);
    o.add_rot(
        Prim::Slab {
            w: w + 4.0,
            h: 6.0,
            t: 2.0 * d.case_r + 4.0,
        },
        Plastic,
        bx,
        by,
        -ba,
    );
    let round = cartridge(cal);
    for i in 0..n {
        let s = 8.0 + (i as f32 + 0.5) * pitch;
        let ([x, y], a) = point(s);
        let stagger = if i % 2 == 0 { -1.0 } else { 1.0 };
        o.merge(&round, x + stagger * 0.8, y, -a);
    }
    // follower and spring (coils seen from the side as a zig-zag of wire)
    let s_f = 8.0 + (n as f32 + 0.4) * pitch;
    let ([fx, fy], fa) = point(s_f.min(len - 8.0));
    o.add_rot(
        Prim::Slab {
            w: w - 4.0,
            h: 4.0,
            t: 2.0 * d.case_r,
        },
        Plastic,
        fx,
        fy,
        -fa,
    );
    let mut s = s_f + 4.0;
    let mut flip = 1.0;
    while s < len - 8.0 {
        let ([x, y], a) = point(s);
        o.add_rot(
            Prim::Rod {
                len: w - 6.0,
                r: 0.6,
            },
            Steel,
            x,
            y,
            -a + flip * 0.12,
        );
        flip = -flip;
        s += 5.0;
    }
    o
}

/// Builds the fixed part `name` (None when it is not one).
pub(super) fn build(name: &str, rng: &mut Rng) -> Option<Object> {
    let object = match name {
        "barrel_pistol" => {
            let mut o = Object::new();
            let cal = pistol_calibre(rng);
            let (len, r) = (rng.range(95.0, 128.0), cal.dims().case_r + 2.0);
            o.add(
                Prim::Tube {
                    len,
                    r,
                    ri: cal.dims().bullet_r,
                },
                Steel,
                0.0,
                0.0,
            );
            o.add(
                Prim::Slab {
                    w: 26.0,
                    h: 2.0 * r + 6.0,
                    t: 12.0,
                },
                Steel,
                -len / 2.0 + 13.0,
                0.0,
            );
            o.add(
                Prim::Poly {
                    pts: vec![[0.0, 0.0], [12.0, 0.0], [6.0, 10.0]],
                    t: 8.0,
                },
                Steel,
                -len / 2.0 + 10.0,
                r + 3.0,
            );
            o
        }
        "barrel_rifle" => {
            let mut o = Object::new();
            let len = rng.range(300.0, 520.0);
            o.add(
                Prim::Tube {
                    len,
                    r: 9.5,
                    ri: 3.0,
                },
                Steel,
                0.0,
                0.0,
            );
            o.add(
                Prim::Rod { len: 45.0, r: 14.0 },
                Steel,
                -len / 2.0 - 10.0,
                0.0,
            );
            o.add(
                Prim::Neg(Box::new(Prim::Rod { len: 45.0, r: 6.0 })),
                Steel,
                -len / 2.0 - 10.0,
                0.0,
            );
            o.add(
                Prim::Tube {
                    len: 40.0,
                    r: 11.0,
                    ri: 3.5,
                },
                Steel,
                len / 2.0 - 10.0,
                0.0,
            );
            o
        }
        "slide_pistol" => {
            let mut o = Object::new();
            let (len, h) = (rng.range(170.0, 215.0), rng.range(26.0, 31.0));
            o.add(Prim::Slab { w: len, h, t: 8.0 }, Steel, 0.0, 0.0);
            o.add(
                Prim::Slab {
                    w: len * 0.96,
                    h: 3.0,
                    t: 17.0,
                },
                Steel,
                0.0,
                -h / 2.0 + 1.5,
            );
            o.add(
                Prim::Slab {
                    w: 22.0,
                    h,
                    t: 17.0,
                },
                Steel,
                -len / 2.0 + 11.0,
                0.0,
            );
            o.add(
                Prim::Slab {
                    w: 28.0,
                    h: h * 0.45,
                    t: -4.0,
                },
                Steel,
                -len * 0.08,
                -h * 0.2,
            );
            o.add(
                Prim::Slab {
                    w: 6.0,
                    h: 5.0,
                    t: 4.0,
                },
                Steel,
                len / 2.0 - 8.0,
                -h / 2.0 - 2.0,
            );
            o.add(
                Prim::Slab {
                    w: 8.0,
                    h: 5.0,
                    t: 8.0,
                },
                Steel,
                -len / 2.0 + 10.0,
                -h / 2.0 - 2.0,
            );
            o
        }
        "frame_pistol_polymer" => {
            let mut o = Object::new();
            let (len, y0, bottom, back, gw, slant) =
                (165.0f32, -44.0f32, 62.0f32, -82.0f32, 50.0f32, 0.36f32);
            let dx = (bottom - y0 - 8.0) * slant.tan();
            o.add(
                Prim::Slab {
                    w: len,
                    h: 14.0,
                    t: 12.0,
                },
                Plastic,
                4.0,
                y0 + 7.0,
            );
            o.add(
                Prim::Poly {
                    pts: vec![
                        [back, y0 + 4.0],
                        [back + gw, y0 + 4.0],
                        [back + gw - dx, bottom],
                        [back - dx - 3.0, bottom],
                    ],
                    t: 16.0,
                },
                Plastic,
                0.0,
                0.0,
            );
            // the grip is hollow (magazine well)
            o.add(
                Prim::Poly {
                    pts: vec![
                        [back + 4.0, y0 + 16.0],
                        [back + gw - 4.0, y0 + 16.0],
                        [back + gw - dx - 4.0, bottom],
                        [back - dx + 2.0, bottom],
                    ],
                    t: -10.0,
                },
                Plastic,
                0.0,
                0.0,
            );
            o.add(
                Prim::Ring {
                    r: 17.0,
                    ri: 12.5,
                    t: 9.0,
                },
                Plastic,
                back + gw + 17.0,
                y0 + 10.0,
            );
            o.add(
                Prim::Slab {
                    w: 36.0,
                    h: 12.0,
                    t: -9.0,
                },
                Plastic,
                back + gw + 17.0,
                y0 - 2.0,
            );
            o.add(
                Prim::Slab {
                    w: 18.0,
                    h: 4.0,
                    t: 10.0,
                },
                Steel,
                back + 12.0,
                y0 + 3.0,
            );
            o.add(
                Prim::Slab {
                    w: 14.0,
                    h: 8.0,
                    t: 14.0,
                },
                Steel,
                back + gw + 12.0,
                y0 + 5.0,
            );
            o.add_rot(
                Prim::Slab {
                    w: 4.0,
                    h: 15.0,
                    t: 6.0,
                },
                Steel,
                back + gw + 12.0,
                y0 + 12.0,
                0.25,
            );
            o.add(
                Prim::Slab {
                    w: 40.0,
                    h: 2.0,
                    t: 2.0,
                },
                Steel,
                back + gw - 6.0,
                y0 + 8.0,
            );
            o
        }
        "receiver_ar15_lower" => {
            let mut o = Object::new();
            // forged aluminium lower: body, magazine well (hollow), grip boss, buffer tower
            o.add(
                Prim::Slab {
                    w: 190.0,
                    h: 32.0,
                    t: 10.0,
                },
                Aluminium,
                0.0,
                0.0,
            );
            o.add(
                Prim::Poly {
                    pts: vec![[10.0, 14.0], [82.0, 14.0], [78.0, 66.0], [14.0, 66.0]],
                    t: 8.0,
                },
                Aluminium,
                0.0,
                0.0,
            );
            o.add(
                Prim::Slab {
                    w: 24.0,
                    h: 50.0,
                    t: 34.0,
                },
                Aluminium,
                -90.0,
                -14.0,
            );
            o.add(
                Prim::Tube {
                    len: 20.0,
                    r: 17.0,
                    ri: 14.0,
                },
                Aluminium,
                -98.0,
                -14.0,
            );
            o.add(
                Prim::Slab {
                    w: 30.0,
                    h: 14.0,
                    t: 20.0,
                },
                Aluminium,
                -50.0,
                20.0,
            );
            o.add(
                Prim::Ring {
                    r: 18.0,
                    ri: 13.0,
                    t: 6.0,
                },
                Aluminium,
                -10.0,
                22.0,
            );
            o.add(
                Prim::Slab {
                    w: 36.0,
                    h: 14.0,
                    t: -6.0,
                },
                Aluminium,
                -10.0,
                10.0,
            );
            for x in [-40.0, -20.0] {
                o.add(
                    Prim::Disc {
                        rx: 1.6,
                        ry: 1.6,
                        t: 24.0,
                    },
                    Steel,
                    x,
                    2.0,
                );
            }
            o
        }
        "bolt_carrier_ar15" => {
            let mut o = Object::new();
            o.add(Prim::Rod { len: 95.0, r: 12.5 }, Steel, 0.0, 0.0);
            o.add(
                Prim::Neg(Box::new(Prim::Rod { len: 60.0, r: 5.0 })),
                Steel,
                -10.0,
                0.0,
            );
            o.add(Prim::Rod { len: 35.0, r: 7.0 }, Steel, 60.0, 0.0);
            o.add(
                Prim::Slab {
                    w: 40.0,
                    h: 10.0,
                    t: 10.0,
                },
                Steel,
                10.0,
                -17.0,
            );
            o.add(Prim::Rod { len: 60.0, r: 1.5 }, Steel, -20.0, 0.0);
            o
        }
        "bolt_rifle" => {
            let mut o = Object::new();
            let len = rng.range(150.0, 190.0);
            o.add(Prim::Rod { len, r: 9.0 }, Steel, 0.0, 0.0);
            o.add(
                Prim::Rod { len: 30.0, r: 11.0 },
                Steel,
                -len / 2.0 - 10.0,
                0.0,
            );
            o.add_rot(
                Prim::Rod { len: 55.0, r: 4.0 },
                Steel,
                -len / 2.0 + 20.0,
                30.0,
                PI / 2.0 - 0.3,
            );
            o.add(
                Prim::Dome {
                    rx: 9.0,
                    ry: 9.0,
                    t: 18.0,
                },
                Steel,
                -len / 2.0 + 12.0,
                58.0,
            );
            o.add(
                Prim::Slab {
                    w: 8.0,
                    h: 26.0,
                    t: 8.0,
                },
                Steel,
                len / 2.0 - 6.0,
                0.0,
            );
            o
        }
        "cylinder_revolver" => {
            // seen along its axis: 37 mm steel disc, 6 chambers, centre pin hole; some loaded
            let mut o = Object::new();
            let t = rng.range(38.0, 42.0);
            let n = if rng.chance(0.5) { 6 } else { 5 };
            o.add(
                Prim::Disc {
                    rx: 18.5,
                    ry: 18.5,
                    t,
                },
                Steel,
                0.0,
                0.0,
            );
            o.add(
                Prim::Disc {
                    rx: 3.0,
                    ry: 3.0,
                    t: -t,
                },
                Steel,
                0.0,
                0.0,
            );
            for k in 0..n {
                let a = k as f32 * 2.0 * PI / n as f32;
                let (x, y) = (11.5 * a.cos(), 11.5 * a.sin());
                o.add(
                    Prim::Disc {
                        rx: 4.9,
                        ry: 4.9,
                        t: -t,
                    },
                    Steel,
                    x,
                    y,
                );
                if rng.chance(0.6) {
                    o.merge(&cartridge_end_on(Calibre::Spl38), x, y, 0.0);
                }
            }
            o
        }
        "trigger_group_ar15" => {
            let mut o = Object::new();
            o.add(
                Prim::Poly {
                    pts: vec![[0.0, 0.0], [30.0, -4.0], [34.0, 4.0], [6.0, 12.0]],
                    t: 6.0,
                },
                Steel,
                -20.0,
                -8.0,
            );
            o.add(
                Prim::Poly {
                    pts: vec![[0.0, 0.0], [22.0, 0.0], [14.0, 30.0], [6.0, 30.0]],
                    t: 6.0,
                },
                Steel,
                10.0,
                -4.0,
            );
            o.add(
                Prim::Slab {
                    w: 18.0,
                    h: 5.0,
                    t: 5.0,
                },
                Steel,
                8.0,
                -10.0,
            );
            for (x, y) in [(-14.0, -2.0), (18.0, 0.0)] {
                o.add(
                    Prim::Disc {
                        rx: 2.0,
                        ry: 2.0,
                        t: 18.0,
                    },
                    Steel,
                    x,
                    y,
                );
                o.add(
                    Prim::Ring {
                        r: 6.0,
                        ri: 5.0,
                        t: 5.0,
                    },
                    Steel,
                    x,
                    y,
                );
            }
            o.add_rot(Prim::Rod { len: 20.0, r: 2.5 }, Steel, 0.0, 12.0, 0.5);
            o
        }
        "magazine_pistol" => {
            let cal = *rng
                .pick(&[Calibre::Nine19, Calibre::Acp45])
                .unwrap_or(&Calibre::Nine19);
            let cap = if cal == Calibre::Acp45 { 7 } else { 15 };
            let n = rng.below(cap + 1);
            magazine_obj(cal, n, Steel, 0.0)
        }
        "magazine_rifle" => {
            if rng.chance(0.5) {
                magazine_obj(Calibre::Nato556, rng.below(31), Aluminium, 0.25)
            } else {
                magazine_obj(Calibre::Sov762x39, rng.below(31), Steel, 0.6)
            }
        }
        _ => return None,
    };
    Some(object)
}
